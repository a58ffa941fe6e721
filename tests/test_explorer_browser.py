"""End to end in a real browser: JupyterLab serves notebooks/explore.ipynb, Debian's Chromium (driven by
Playwright) runs all cells, picks a commune of today's units (the sample's as_of is after the 01/7/2025 reform: the
level picker has no district level) and sees that commune's numbers in the scorecard.

Needs /usr/bin/chromium (``make setup`` installs it): the test fails, not skips, without it. Nothing is
installed at run time. The server runs on 127.0.0.1 with a random port and token, in a temporary root that
holds a copy of the notebook and a small generated sample register (found through ``$CADRE_DATA``); it is
stopped by its process id. Screenshot: test-artifacts/explorer.png.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from cadre_lib import fmt
from cadre_lib.explorer import Explorer
from cadre_lib.indicators.engine import Engine
from cadre_lib.params import load_params
from cadre_lib.register.sample import generate_sample
from cadre_lib.register.validate import load_register

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACT = ROOT / "test-artifacts" / "explorer.png"
INDICATOR = "young_share_planning"  # the first scorecard row


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # our own local server
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"jupyter lab did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started, by its pid (SIGTERM lets it shut its kernel down; SIGKILL if it hangs)."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _share(t, unit: str) -> str:
    r = t[(t.indicator == INDICATOR) & (t.unit_id == unit) & (t.level == "all")].iloc[0]
    return fmt.share(None if int(r.denominator) == 0 else float(r.value), int(r.numerator), int(r.denominator))


def _drive(page, base: str, token: str, province: str, level_index: int, first_name: str, pick: int,
           unit_name: str, want: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/lab/tree/explore.ipynb?token={token}", wait_until="domcontentloaded")
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=45_000)
    # cells run before the kernel is connected are silently dropped: wait for "Python 3 (ipykernel) | Idle"
    expect(page.get_by_role("button", name=re.compile(r"\| Idle$"))).to_be_visible(timeout=45_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

    scorecard = page.locator(".cadre-scorecard")
    first_row = scorecard.locator("tbody tr").first
    expect(first_row).to_contain_text(province, timeout=45_000)
    expect(scorecard).to_contain_text("Toàn tỉnh")

    levels = [t.replace("\xa0", " ") for t in page.locator(".cadre-unit-level select option").all_inner_texts()]
    assert "Cấp huyện" not in levels and "Cấp xã" in levels, levels  # the units of as_of: no district level
    page.locator(".cadre-unit-level select").select_option(index=level_index)
    expect(scorecard).to_contain_text(first_name)
    page.locator(".cadre-unit select").select_option(index=pick)
    expect(scorecard).to_contain_text(unit_name)
    expect(first_row).to_contain_text(want)
    expect(first_row).not_to_contain_text(province)

    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    scorecard.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACT))


@pytest.mark.timeout(150)
def test_explorer_in_jupyterlab(tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), f"Debian's chromium is required at {CHROMIUM} (make setup installs it)"
    ARTIFACT.with_name("explorer-failure.png").unlink(missing_ok=True)
    from playwright.sync_api import sync_playwright

    # the temporary root: the notebook and a small sample register
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / "explore.ipynb", root / "explore.ipynb")
    data = tmp_path / "register"
    generate_sample(data, n_cadres=600, seed=11)

    # expected numbers, from the engine; option positions from the explorer's own unit list
    params = load_params(ROOT / "parameters" / "default.yaml")
    table = Engine(load_register(data), params).compute()
    probe = Explorer(data, ROOT / "parameters" / "default.yaml", out_dir=tmp_path / "out")
    levels = [v for _, v in probe.w_unit_level.options]
    communes = [v for _, v in probe.unit_choices("xa")]
    assert len(communes) == 104 and all(u.startswith("X") and not u.startswith("XC") for u in communes)
    province = _share(table, "ALL")
    first = _share(table, communes[0])
    pick = next(i for i, u in enumerate(communes) if i and _share(table, u) not in (province, first))
    unit = communes[pick]
    want = _share(table, unit)
    unit_name = probe.scope_name(unit)

    # JupyterLab, isolated from the user's configuration, settings and workspaces
    port, token = _free_port(), secrets.token_hex(16)
    jdirs = {name: tmp_path / name for name in ("config", "runtime", "settings", "workspaces")}
    for d in jdirs.values():
        d.mkdir()
    settings = {  # no news pop-up, no "Select Kernel" dialog: start the notebook's python3 kernel
        ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
        ("notebook-extension", "tracker"): {"autoStartDefaultKernel": True},
    }
    for (ext, plugin), value in settings.items():
        folder = jdirs["settings"] / "@jupyterlab" / ext
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{plugin}.jupyterlab-settings").write_text(json.dumps(value), encoding="utf-8")
    env = {**os.environ, "CADRE_DATA": str(data), "CADRE_PARAMS": str(ROOT / "parameters" / "default.yaml"),
           "CADRE_EXPLORER_OUT": str(tmp_path / "out"), "JUPYTER_CONFIG_DIR": str(jdirs["config"]),
           "JUPYTER_RUNTIME_DIR": str(jdirs["runtime"]), "JUPYTER_PLATFORM_DIRS": "1"}
    env.pop("CADRE_AUDIENCE", None)
    jupyter = Path(sys.executable).with_name("jupyter")
    log = tmp_path / "jupyter.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
             f"--LabApp.user_settings_dir={jdirs['settings']}", f"--LabApp.workspaces_dir={jdirs['workspaces']}",
             "--ServerApp.open_browser=False", "--ServerApp.terminals_enabled=False",
             "--LabApp.extension_manager=readonly", "--LabApp.news_url=",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/api/status?token={token}", proc, log)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
                page.set_default_timeout(30_000)
                try:
                    _drive(page, base, token, province, levels.index("xa"), probe.scope_name(communes[0]), pick,
                           unit_name, want)
                except Exception:
                    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(ARTIFACT.with_name("explorer-failure.png")))
                    raise
            finally:
                browser.close()
    finally:
        _stop(proc)
    assert proc.poll() is not None
    assert ARTIFACT.stat().st_size > 10_000
