"""What must keep holding, with real processes (``python -m cadre_lib run`` in a subprocess):

- a run killed with SIGKILL midway leaves no half-written run folder (at most its ``.…tmp``, which the next run
  removes), no kernel, worker, zygote or browser process, ``latest`` unchanged, and the next run succeeds;
- a second run on the same reports folder while the first is running exits 2 naming the first one's pid;
- markup in names is shown as text in the HTML reports, and formula-like unit ids are text in
  ``indicators.xlsx``;
- leadership outputs name nobody (HTML, PDF text, JSON, xlsx, portal);
- ``indicators.json`` is byte-identical for the same inputs.

Every process a run starts inherits a marker in its environment (``CADRE_TEST_RUN``), so leftovers are found by
scanning ``/proc`` whatever their parent or process group became. Small register, few reports, PDF only where
a browser must be involved.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import UNITS, write_register
from openpyxl import load_workbook
from test_indicators import CADRES, EVALUATIONS, MOVEMENTS, PLANNING, TRAINING, UNIT_REPORTS
from test_run import ROOT, cli

from cadre_lib.runner.lock import LOCK_NAME

pytestmark = pytest.mark.timeout(300)

# cadres' names (never in a leadership output) and units' names (shown everywhere) differ
SCRIPT, UNIT_SCRIPT = "<script>alert(2)</script>", "<script>alert(1)</script>"
BOLD = "<b>Phạm Văn Dũng</b>"
FORMULA, UNIT_FORMULA = '=HYPERLINK("http://x";"y")', '=HYPERLINK("http://u";"u")'
AS_OF = "2025-06-30"
MARK = "CADRE_TEST_RUN"


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made register of test_indicators, with markup and formulas in names: units X1 ``<script>``,
    X2 ``<b>``, a commune ``=X3`` named by a formula; cadres named by a formula, a script and markup."""
    units = [list(u) for u in UNITS]
    units[3][1] = UNIT_SCRIPT
    units[4][1] = "<b>Xã Đậm</b>"
    units.append(["=X3", UNIT_FORMULA, "xa", "H"])
    cadres = [list(c) for c in CADRES]
    cadres[1][1], cadres[2][1], cadres[3][1] = FORMULA, SCRIPT, BOLD
    return write_register(tmp_path_factory.mktemp("hostile") / "reg", {
        "units": units, "cadres": cadres, "planning": PLANNING, "training": TRAINING, "movements": MOVEMENTS,
        "evaluations": EVALUATIONS, "unit_reports": UNIT_REPORTS})


def cadre_names() -> list[str]:
    return [FORMULA, SCRIPT, BOLD] + [c[1] for i, c in enumerate(CADRES) if i not in (1, 2, 3)]


def run_args(register: Path, out: Path, *extra: str, units: str = "H") -> list[str]:
    return ["run", "--data", str(register), "--out", str(out), "--as-of", AS_OF, "--units", units, *extra]


def start(args: list[str], mark: str) -> subprocess.Popen[str]:
    """``python -m cadre_lib ARGS`` in its own session, every process it starts carrying ``mark``."""
    return subprocess.Popen([sys.executable, "-m", "cadre_lib", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, MARK: mark})


def marked(mark: str) -> dict[int, str]:
    """pid -> command line of the live processes (zombies excluded) whose environment holds ``mark``."""
    needle = f"{MARK}={mark}".encode()
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X"):
                    continue
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                found[int(entry.name)] = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours
            continue
    return found


def wait_for(condition, timeout: float, what: str, proc: subprocess.Popen[str] | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the run ended (code {proc.returncode}) before {what}: {proc.communicate()[1][-2000:]}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen[str]) -> None:
    """End a run this test started (its session), if it is still going."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def entries(out: Path) -> set[str]:
    return {p.name for p in out.iterdir()}


# -- a run killed midway --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(register: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """First run (leadership, HTML + PDF), a run killed with SIGKILL after its first PDF, the next run (HTML,
    ``--group-readable``), all under umask 000. What the killed run left is recorded for the tests."""
    out = tmp_path_factory.mktemp("reports")
    umask = os.umask(0)  # inherited by the runs: whatever follows the umask comes out world-writable
    try:
        return _runs(register, out)
    finally:
        os.umask(umask)


def _runs(register: Path, out: Path) -> dict[str, object]:
    first = cli(*run_args(register, out, "--jobs", "1"))
    assert first.returncode == 0, first.stderr[-3000:]
    first_run = (out / "latest").resolve()

    mark = uuid.uuid4().hex
    killed = start(run_args(register, out, "--jobs", "1", units="H,D"), mark)
    try:
        pdf = wait_for(lambda: next(out.glob(".*.tmp/pdf/*.pdf"), None), 240, "the first PDF", killed)
        before = marked(mark)
        os.kill(killed.pid, signal.SIGKILL)  # the run's own process only: its children must notice
        killed.wait()
        deadline = time.monotonic() + 30
        while (left := marked(mark)) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop(killed)  # the rest of its session, if anything survived (reported by the test below)
    after_kill = entries(out)
    latest_after_kill = (out / "latest").resolve()

    second = cli(*run_args(register, out, "--formats", "html", "--group-readable"))
    return {"out": out, "first": first_run, "second": second, "pdf": pdf, "before": before, "left": left,
            "after_kill": after_kill, "latest_after_kill": latest_after_kill}


def test_the_killed_run_had_kernels_and_a_browser(runs) -> None:
    """The kill happened midway: a kernel (forked by the zygote, or launched) and Chromium were running."""
    commands = list(runs["before"].values())
    assert any("cadre_lib.runner.zygote" in c or "ipykernel" in c for c in commands), commands
    assert any("chrom" in c.lower() for c in commands), commands


def test_a_killed_run_leaves_no_process_behind(runs) -> None:
    assert runs["left"] == {}


def test_a_killed_run_leaves_no_half_written_run(runs) -> None:
    out, first = runs["out"], runs["first"]
    left = runs["after_kill"] - {"latest", first.name, LOCK_NAME}
    assert all(re.fullmatch(r"\.\d{8}-\d{6}(-\d+)?\.tmp", n) for n in left), left  # only its build folder
    assert runs["pdf"].parent.parent.name in left
    assert runs["latest_after_kill"] == first  # latest unchanged
    assert os.readlink(out / "latest") != runs["pdf"].parent.parent.name


def test_the_next_run_succeeds_and_removes_the_unfinished_build(runs) -> None:
    second, out = runs["second"], runs["out"]
    assert second.returncode == 0, second.stderr[-3000:]
    assert "left by a run that was killed" in second.stderr
    assert not list(out.glob(".*.tmp")), "the killed run's build folder is removed"
    assert (out / "latest").resolve() not in (runs["first"], None)
    assert (out / "latest" / "html" / "unit-H.html").is_file()


def modes(run: Path) -> set[tuple[str, str]]:
    """(kind, octal mode) of the run folder and of everything in it."""
    return {("dir" if p.is_dir() else "file", oct(stat.S_IMODE(p.stat().st_mode)))
            for p in [run, *run.rglob("*")] if not p.is_symlink()}


def test_runs_are_readable_by_their_owner_only(runs) -> None:
    assert modes(runs["first"]) == {("dir", "0o700"), ("file", "0o600")}
    assert (runs["first"] / "pdf" / "unit-H.pdf").is_file() and (runs["first"] / "notebooks" / "unit-H.ipynb").is_file()
    assert modes((runs["out"] / "latest").resolve()) == {("dir", "0o750"), ("file", "0o640")}  # --group-readable


def test_indicators_json_is_byte_identical_for_the_same_inputs(runs) -> None:
    first = (runs["first"] / "indicators.json").read_bytes()
    assert first == (runs["out"] / "latest" / "indicators.json").read_bytes()
    assert b'"unit_id": "=X3"' in first


# -- what a run shows -----------------------------------------------------------------------------


def test_leadership_outputs_name_nobody(runs) -> None:
    run = runs["first"]
    texts = {str(p.relative_to(run)): p.read_text(encoding="utf-8") for p in run.rglob("*")
             if p.suffix in (".html", ".json")}
    for pdf in run.glob("pdf/*.pdf"):
        texts[str(pdf.relative_to(run))] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                                          text=True, check=True).stdout
    wb = load_workbook(run / "indicators.xlsx")
    texts["indicators.xlsx"] = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert {"html/overview.html", "html/unit-H.html", "pdf/unit-H.pdf", "manifest.json", "index.html"} <= set(texts)
    names = cadre_names()
    escaped = [n.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") for n in names]
    leaks = {k: [n for n in names + escaped if n in v] for k, v in texts.items()}
    assert not {k: v for k, v in leaks.items() if v}


def test_formula_like_unit_ids_are_text_in_indicators_xlsx(runs) -> None:
    ws = load_workbook(runs["first"] / "indicators.xlsx").worksheets[0]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "=X3" in {c.value for c in cells}


def test_analyst_reports_show_markup_as_text(register: Path, tmp_path: Path) -> None:
    r = cli(*run_args(register, tmp_path, "--notebooks", "unit", "--formats", "html", "--audience", "analyst"))
    assert r.returncode == 0, r.stderr[-3000:]
    html = (tmp_path / "latest" / "html" / "unit-H.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<b>Phạm" not in html and "<b>Xã" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the commune's name
    assert "&lt;b&gt;Phạm Văn Dũng&lt;/b&gt;" in html  # a cadre named in the analyst lists
    assert "<script>alert(" not in html


# -- one run at a time ----------------------------------------------------------------------------


def test_a_second_run_on_the_same_folder_exits_2_naming_the_first(register: Path, tmp_path: Path) -> None:
    mark = uuid.uuid4().hex
    first = start(run_args(register, tmp_path, "--formats", "html"), mark)
    try:
        wait_for(lambda: f'"pid": {first.pid}' in _read(tmp_path / LOCK_NAME), 60, "the lock", first)
        second = cli(*run_args(register, tmp_path, "--formats", "html"))
        assert second.returncode == 2, second.stderr
        assert f"another run (pid {first.pid}, " in second.stderr and "Traceback" not in second.stderr
    finally:
        stop(first)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
