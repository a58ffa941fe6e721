"""What may hold personal data is written readable by its owner only, whatever the umask: run folders (0700)
and their files (0600), or 0750/0640 with ``group_readable``; the explorer's saves likewise. And the explorer's
Excel save stores formula-like text as text.

The tests run under umask 000, where anything that follows the umask comes out world-readable (and writable).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import params
from openpyxl import load_workbook
from test_indicators import CADRES, PLANNING, TRAINING
from test_runner import FakeRenderer, ok_job

from cadre_lib.core.files import atomic_write, make_dirs, protect_tree
from cadre_lib.runner import run_batch
from cadre_lib.runner.output import create_run_dir

FORMULA_NAME = '=HYPERLINK("http://x";"y")'


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def modes(root: Path) -> dict[str, str]:
    """Octal mode of ``root`` and of every folder and file below it (links left out)."""
    out = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for p in sorted(root.rglob("*")):
        if not p.is_symlink():
            out[str(p.relative_to(root))] = oct(stat.S_IMODE(p.stat().st_mode))
    return out


def assert_modes(root: Path, dir_mode: int, file_mode: int) -> None:
    want = {}
    for rel in modes(root):
        p = root / rel
        want[rel] = oct(dir_mode if p.is_dir() else file_mode)
    assert modes(root) == want


# -- core/files --------------------------------------------------------------------------------------


def test_atomic_write_mode_is_exact_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    atomic_write(tmp_path / "new" / "deeper" / "a.txt", lambda p: p.write_text("x"), mode=0o600)
    assert modes(tmp_path / "new") == {".": "0o700", "deeper": "0o700", "deeper/a.txt": "0o600"}
    atomic_write(tmp_path / "b.txt", lambda p: p.write_text("x"), mode=0o640)
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o640
    atomic_write(tmp_path / "c.txt", lambda p: p.write_text("x"))  # no mode: what open() gives (--out files)
    assert stat.S_IMODE((tmp_path / "c.txt").stat().st_mode) == 0o666


def test_make_dirs_creates_private_folders_and_leaves_existing_ones(tmp_path: Path, open_umask: None) -> None:
    (tmp_path / "mine").mkdir(mode=0o755)
    make_dirs(tmp_path / "mine" / "a" / "b")
    assert modes(tmp_path / "mine") == {".": "0o755", "a": "0o700", "a/b": "0o700"}
    (tmp_path / "file").write_text("x")
    with pytest.raises(OSError):
        make_dirs(tmp_path / "file")


def test_group_id_bit_of_a_shared_folder_is_kept(tmp_path: Path, open_umask: None) -> None:
    shared = tmp_path / "reports"
    shared.mkdir()
    os.chmod(shared, 0o2750)  # chgrp cadre reports && chmod 2750 reports
    run = create_run_dir(shared, dir_mode=0o750, file_mode=0o640)
    (run.path / "html" / "x.html").write_text("x")
    run.seal()
    assert run.path.stat().st_mode & stat.S_ISGID  # inherited from reports/, kept by the chmod
    assert stat.S_IMODE(run.path.stat().st_mode) == 0o2750
    assert stat.S_IMODE((run.path / "html" / "x.html").stat().st_mode) == 0o640


def test_protect_tree_does_not_follow_links(tmp_path: Path, open_umask: None) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    os.chmod(outside, 0o644)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "link").symlink_to(outside)
    protect_tree(tmp_path / "run")
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644


# -- the runner --------------------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_run_folders_are_private_whatever_the_umask(tmp_path: Path, open_umask: None) -> None:
    root = tmp_path / "reports"
    private = run_batch([ok_job("01"), ok_job("02")], root, formats={"html", "pdf"}, n_jobs=1, timeout=60,
                        progress=False, renderer=FakeRenderer(),
                        extra_files={"indicators.json": "[]\n", "extra/indicators.xlsx": b"PK"})
    assert private.ok
    assert oct(stat.S_IMODE(root.stat().st_mode)) == "0o700"  # created by the run
    assert_modes(private.run_dir, 0o700, 0o600)
    for name in ("manifest.json", "index.html", "indicators.json", "extra/indicators.xlsx", "html/unit-01.html",
                 "pdf/unit-01.pdf", "notebooks/unit-01.ipynb"):
        assert (private.run_dir / name).is_file(), name
    manifest = json.loads((private.run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["modes"] == {"folders": "0700", "files": "0600"}

    shared = run_batch([ok_job("03")], root, formats={"html"}, n_jobs=1, timeout=60, progress=False,
                       renderer=FakeRenderer(), group_readable=True)
    assert_modes(shared.run_dir, 0o750, 0o640)
    assert oct(stat.S_IMODE(root.stat().st_mode)) == "0o700"  # an existing root is left as it is


# -- the explorer ------------------------------------------------------------------------------------


@pytest.fixture
def explorer(make_register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from cadre_lib.explorer import Explorer, views

    monkeypatch.delenv("CADRE_AUDIENCE", raising=False)
    monkeypatch.setattr(views, "screen_png", lambda fig: b"\x89PNG not drawn")
    # every cadre "named" by a formula, so that whichever rows the drill-down shows carry one
    prefixes = [FORMULA_NAME, "+1", "-2+3", "@SUM(1)", "\tx", "=1+1"]
    cadres = [[c[0], p, *c[2:]] for c, p in zip(CADRES, prefixes, strict=True)]
    reg = make_register(cadres=cadres, planning=PLANNING, training=TRAINING)
    pfile = tmp_path / "params.yaml"
    pfile.write_text(yaml.safe_dump(json.loads(params().model_dump_json()), allow_unicode=True), encoding="utf-8")
    ex = Explorer(reg, pfile, out_dir=tmp_path / "saves" / "explorer")
    ex.select_unit("H")
    return ex


def test_explorer_excel_stores_formulas_as_text(explorer) -> None:
    path = explorer.save_excel()
    assert path is not None
    wb = load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    assert FORMULA_NAME in {c.value for c in cells}  # the text itself, unchanged
    assert len(list(wb["Danh sách"].iter_rows())) == len(explorer.table) + 1


def test_explorer_saves_are_private(explorer, tmp_path: Path, open_umask: None) -> None:
    xlsx = explorer.save_excel()
    pngs = explorer.save_png()
    assert xlsx is not None and pngs
    assert_modes(tmp_path / "saves", 0o700, 0o600)
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    other = explorer.save_excel(mine)  # a folder the analyst chose keeps its mode; the file is private
    assert other is not None and oct(stat.S_IMODE(mine.stat().st_mode)) == "0o755"
    assert oct(stat.S_IMODE(other.stat().st_mode)) == "0o600"
