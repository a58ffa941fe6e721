"""The batch runner: parameters as strings, failure isolation, timeouts, fresh kernels, run
directories, the portal, the manifest and ``reports/latest``.

Kernels are real (papermill + ipykernel); the batches are kept small so the module runs in ~30 s.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import nbformat
import pytest

from cadre_lib.core.scope import SAMPLE_BAND
from cadre_lib.errors import LockError
from cadre_lib.runner import (
    ExecutionPool,
    NbconvertRenderer,
    NotebookJob,
    RunConfig,
    RunLock,
    execute_jobs,
    lock_held,
    run_batch,
)
from cadre_lib.runner.models import ReportResult
from cadre_lib.runner.output import create_run_dir, latest_run, move_latest, remove_unfinished, run_dirs
from cadre_lib.runner.portal import render_index
from cadre_lib.runner.zygote import Zygote, ZygoteClient

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
OK_NB = FIXTURES / "ok.ipynb"
FAIL_NB = FIXTURES / "fail.ipynb"
SLOW_NB = FIXTURES / "slow.ipynb"
CRASH_NB = FIXTURES / "crash.ipynb"

pytestmark = pytest.mark.timeout(120)


class FakeRenderer(NbconvertRenderer):
    """nbconvert HTML, a stub PDF, and a rendering failure for unit_id "RENDERFAIL"."""

    def html(self, nb: Any) -> str:
        if nb.metadata.get("papermill", {}).get("parameters", {}).get("unit_id") == "RENDERFAIL":
            raise RuntimeError("renderer exploded")
        return super().html(nb)

    def pdf(self, nb: Any, path: Path, html: str | None = None) -> None:
        assert html is not None and "<html" in html  # the HTML just made is handed over
        path.write_bytes(b"%PDF-1.4\n% stub\n")


def ok_job(unit: str, name: str | None = None, stem: str | None = None) -> NotebookJob:
    return NotebookJob(
        name=name or f"Báo cáo đơn vị {unit}",
        notebook=OK_NB,
        parameters={"unit_id": unit, "label": "thử nghiệm"},
        output_stem=stem or f"unit-{unit}",
        scope="Cấp huyện",
    )


def snapshot(directory: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every file below ``directory``."""
    out = {}
    for p in sorted(directory.rglob("*")):
        if p.is_file():
            out[str(p.relative_to(directory))] = (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
    return out


def stream_text(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run A (all fine, one worker: three notebooks in turn), then run B (mixed failures) and run C
    (fine again) in the same reports directory."""
    root = tmp_path_factory.mktemp("reports")
    a = run_batch(
        [ok_job("01"), ok_job("002"), ok_job("VG")],
        root,
        formats={"html", "pdf"},
        n_jobs=1,  # the same worker runs all three: any state leak would fail the 2nd and 3rd
        timeout=60,
        manifest_extra={"inputs": {"register.xlsx": "ab" * 32}, "as_of": "2026-10-31"},
        sample_data=False,
        progress=False,
        renderer=FakeRenderer(),
        title="Báo cáo thử nghiệm",
    )
    a_snapshot = snapshot(a.run_dir)
    b = run_batch(
        [
            ok_job("01"),
            NotebookJob("Hỏng", FAIL_NB, {"unit_id": "07"}, "broken", scope="Cấp xã"),
            NotebookJob("Chậm", SLOW_NB, {"unit_id": "08", "seconds": 120}, "slow", scope="Cấp xã"),
            ok_job("RENDERFAIL", stem="render-fails"),
            NotebookJob("Chết", CRASH_NB, {"unit_id": "09"}, "crash", scope="Cấp xã"),
            ok_job("10"),
        ],
        root,
        formats={"html", "pdf"},
        n_jobs=2,
        timeout=4,
        manifest_extra={"as_of": "2026-10-31"},
        sample_data=True,
        progress=False,
        renderer=FakeRenderer(),
        as_of=date(2026, 10, 31),
    )
    latest_after_b = latest_run(root)
    a_after_b = snapshot(a.run_dir)
    c = run_batch([ok_job("11")], root, formats={"html"}, n_jobs=2, timeout=60, progress=False, renderer=FakeRenderer())
    return {
        "root": root,
        "a": a,
        "b": b,
        "c": c,
        "a_snapshot": a_snapshot,
        "a_after_b": a_after_b,
        "latest_after_b": latest_after_b,
    }


def by_stem(result: Any) -> dict[str, ReportResult]:
    return {r.job.output_stem: r for r in result.reports}


# -- execution -----------------------------------------------------------------------------------


def test_parameters_reach_the_notebook_as_strings(runs: dict[str, Any]) -> None:
    a = runs["a"]
    assert a.ok, a.summary()
    assert "unit_id='01' type=str" in stream_text(a.run_dir / "notebooks" / "unit-01.ipynb")
    assert "unit_id='002' type=str" in stream_text(a.run_dir / "notebooks" / "unit-002.ipynb")
    nb = nbformat.read(a.run_dir / "notebooks" / "unit-01.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'unit_id = "01"' in injected[0].source


def test_each_notebook_gets_a_fresh_kernel(runs: dict[str, Any]) -> None:
    """Run A used one worker for three notebooks: each asserts that no global and no module attribute
    set by a previous notebook is visible, and each ran in its own process."""
    a = runs["a"]
    assert [r.status for r in a.reports] == ["ok", "ok", "ok"]
    pids = set()
    for r in a.reports:
        text = stream_text(a.run_dir / "notebooks" / f"{r.job.output_stem}.ipynb")
        pids.add(re.search(r"pid=(\d+)", text).group(1))  # type: ignore[union-attr]
    assert len(pids) == 3


def test_without_fork_or_prestart_kernels_are_fresh_too(tmp_path: Path) -> None:
    jobs = [ok_job("01"), ok_job("02")]
    results = list(execute_jobs(jobs, tmp_path, n_jobs=1, timeout=60, fork_kernels=False, prestart=True))
    assert sorted(r.status for r in results) == ["ok", "ok"]
    pids = {r.kernel_pid for r in results}
    assert len(pids) == 2


def test_a_warm_pool_takes_its_jobs_later(tmp_path: Path) -> None:
    """The report job starts the pool before it knows its jobs (they depend on the context it builds
    meanwhile): the jobs submitted later run as usual, each in a fresh kernel, and the pool is closed by
    its owner, not by run_batch."""
    config = RunConfig(n_jobs=2, timeout=60, formats=("html",), progress=False)
    with ExecutionPool.warm(config) as pool:
        assert pool.n_workers == 2
        with pytest.raises(RuntimeError, match="submit the jobs"):
            next(iter(pool.results()))
        result = run_batch([ok_job("01"), ok_job("02"), ok_job("03")], tmp_path / "reports", config,
                           renderer=NbconvertRenderer(), pool=pool)
        assert result.ok, result.summary()
        with pytest.raises(RuntimeError, match="already has its jobs"):
            pool.submit([ok_job("04")], tmp_path)
        assert all(w.process.is_alive() for w in pool._workers.values())  # still the caller's to close
    assert not pool._workers
    pids = {re.search(r"pid=(\d+)", stream_text(result.run_dir / "notebooks" / f"unit-{u}.ipynb")).group(1)
            for u in ("01", "02", "03")}  # type: ignore[union-attr]
    assert len(pids) == 3


def test_a_failing_notebook_does_not_stop_the_others(runs: dict[str, Any]) -> None:
    b = runs["b"]
    reports = by_stem(b)
    assert not b.ok and b.exit_code == 1
    assert reports["unit-01"].ok and reports["unit-10"].ok
    err = reports["broken"].error
    assert err is not None and err.kind == "error"
    assert err.ename == "ValueError" and "lỗi có chủ ý ở đơn vị 07" in err.evalue
    # cell index in the source notebook (papermill's injected cell does not count)
    source = nbformat.read(FAIL_NB, as_version=4)
    assert err.cell_index == 2 and "raise ValueError" in source.cells[err.cell_index].source
    # the failed executed notebook is kept, with the error in it
    kept = nbformat.read(b.run_dir / "notebooks" / "broken.ipynb", as_version=4)
    assert any(o.get("ename") == "ValueError" for c in kept.cells if c.cell_type == "code" for o in c.outputs)
    assert reports["broken"].html is None and not (b.run_dir / "html" / "broken.html").exists()


def test_timeout_is_a_failure(runs: dict[str, Any]) -> None:
    r = by_stem(runs["b"])["slow"]
    assert r.status == "failed" and r.error is not None
    assert r.error.kind == "timeout" and r.error.cell_index == 1
    assert (runs["b"].run_dir / "notebooks" / "slow.ipynb").exists()
    assert r.timings["execute_s"] < 30


def test_a_dying_kernel_is_a_failure(runs: dict[str, Any]) -> None:
    r = by_stem(runs["b"])["crash"]
    assert r.status == "failed" and r.error is not None
    assert r.error.kind == "crash" and r.error.ename == "DeadKernelError" and r.error.cell_index == 1


def test_zygote_refusing_to_fork_falls_back_to_normal_kernels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A preloaded module that starts a thread makes forking unsafe: kernels start normally."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "threaded_mod.py").write_text(
        "import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "lib"))
    zygote = Zygote(tmp_path / "z.sock", preload=["threaded_mod"])
    zygote.start()
    try:
        assert zygote.wait_ready()
        with pytest.raises(RuntimeError, match="the zygote has threads"):
            ZygoteClient(zygote.path).spawn(["-f", str(tmp_path / "k.json")], str(tmp_path), {})
    finally:
        zygote.stop()
    results = list(execute_jobs([ok_job("01"), ok_job("02")], tmp_path / "out", n_jobs=1, preload=["threaded_mod"]))
    assert sorted(r.status for r in results) == ["ok", "ok"]


def test_a_rendering_failure_is_a_report_failure(runs: dict[str, Any]) -> None:
    r = by_stem(runs["b"])["render-fails"]
    assert r.status == "failed" and r.error is not None and r.error.kind == "render"
    assert "renderer exploded" in r.error.evalue
    assert not (runs["b"].run_dir / "html" / "render-fails.html").exists()


# -- run directories and latest --------------------------------------------------------------------


def test_run_directory_layout(runs: dict[str, Any]) -> None:
    a = runs["a"]
    root = runs["root"]
    assert a.run_dir.parent == root and re.fullmatch(r"\d{8}-\d{6}(-\d+)?", a.run_dir.name)
    for stem in ("unit-01", "unit-002", "unit-VG"):
        assert (a.run_dir / "notebooks" / f"{stem}.ipynb").is_file()
        assert (a.run_dir / "html" / f"{stem}.html").is_file()
        assert (a.run_dir / "pdf" / f"{stem}.pdf").is_file()
    assert (a.run_dir / "manifest.json").is_file() and (a.run_dir / "index.html").is_file()
    assert not list(root.glob(".*.tmp")), "temporary build directories must not remain"
    assert not (root / ".cadre-monitor.lock").exists(), "the lock is released"


def test_latest_moves_only_when_every_report_succeeded(runs: dict[str, Any]) -> None:
    root, a, b, c = runs["root"], runs["a"], runs["b"], runs["c"]
    assert a.latest_moved and not b.latest_moved and c.latest_moved
    assert runs["latest_after_b"] == a.run_dir.resolve()  # B failed: latest stayed on A
    assert latest_run(root) == c.run_dir.resolve()
    assert os.readlink(root / "latest") == c.run_dir.name  # relative link
    assert run_dirs(root) == sorted([a.run_dir, b.run_dir, c.run_dir])


def test_earlier_runs_are_never_modified(runs: dict[str, Any]) -> None:
    assert runs["a_after_b"] == runs["a_snapshot"]
    assert snapshot(runs["a"].run_dir) == runs["a_snapshot"]


def test_run_names_get_a_suffix_within_the_same_second(tmp_path: Path) -> None:
    now = datetime(2026, 11, 26, 6, 0, 0)
    first = create_run_dir(tmp_path, now)
    first.finalize()
    second = create_run_dir(tmp_path, now)
    assert first.name == "20261126-060000" and second.name == "20261126-060000-2"
    assert second.path.name == ".20261126-060000-2.tmp"
    # someone took the final name meanwhile: finalize picks the next one
    (tmp_path / "20261126-060000-2").mkdir()
    (tmp_path / "20261126-060000-2" / "x").write_text("not ours")
    assert second.finalize().name == "20261126-060000-3"
    assert (tmp_path / "20261126-060000-2" / "x").read_text() == "not ours"


def test_unfinished_builds_of_killed_runs_are_removed(tmp_path: Path) -> None:
    (tmp_path / ".20261126-060000.tmp" / "html").mkdir(parents=True)
    (tmp_path / "20261126-050000").mkdir()
    (tmp_path / ".keep.tmp").mkdir()
    assert remove_unfinished(tmp_path) == [".20261126-060000.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".keep.tmp", "20261126-050000"]


def test_move_latest_replaces_the_link_atomically(tmp_path: Path) -> None:
    for name in ("r1", "r2"):
        (tmp_path / name).mkdir()
    move_latest(tmp_path, "r1")
    move_latest(tmp_path, "r2")
    assert os.readlink(tmp_path / "latest") == "r2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "r1", "r2"]


def test_interrupted_run_leaves_nothing_half_written(tmp_path: Path) -> None:
    class Interrupting(FakeRenderer):
        def html(self, nb: Any) -> str:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(
            [ok_job("01")], tmp_path, formats={"html"}, n_jobs=1, timeout=60, progress=False, renderer=Interrupting()
        )
    assert list(tmp_path.iterdir()) == []  # no run dir, no .tmp dir, no lock, no latest


def test_a_lock_held_by_this_process_is_not_taken_again(tmp_path: Path) -> None:
    with RunLock(tmp_path, job="other"):
        assert lock_held(tmp_path)
        with pytest.raises(LockError, match=r"another run \(pid \d+, job other, started"):
            RunLock(tmp_path).acquire()
    assert not lock_held(tmp_path)


def test_bad_arguments_are_refused_before_anything_happens(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="reserved"):
        run_batch([ok_job("01")], tmp_path, manifest_extra={"reports": []}, progress=False)
    with pytest.raises(ValueError, match="same output_stem"):
        run_batch([ok_job("01"), ok_job("01")], tmp_path, progress=False)
    with pytest.raises(ValueError, match="format"):
        run_batch([ok_job("01")], tmp_path, formats={"docx"}, progress=False)
    with pytest.raises(ValueError, match="no notebook"):
        run_batch([], tmp_path, progress=False)
    with pytest.raises(FileNotFoundError):
        run_batch([NotebookJob("x", tmp_path / "missing.ipynb", {}, "x")], tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []


# -- manifest and portal ---------------------------------------------------------------------------


def test_manifest(runs: dict[str, Any]) -> None:
    a = json.loads((runs["a"].run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert a["status"] == "ok" and a["run_id"] == runs["a"].run_dir.name and a["latest_moved"] is True
    assert a["inputs"] == {"register.xlsx": "ab" * 32} and a["as_of"] == "2026-10-31"
    for key in ("python", "pandas", "papermill", "nbconvert", "cadre_lib"):
        assert a["versions"][key]
    r0 = a["reports"][0]
    assert r0["parameters"] == {"unit_id": "01", "label": "thử nghiệm"}
    assert r0["files"] == {"notebook": "notebooks/unit-01.ipynb", "html": "html/unit-01.html", "pdf": "pdf/unit-01.pdf"}
    assert r0["timings"]["execute_s"] > 0 and r0["status"] == "ok" and r0["error"] is None
    assert len(a["settings"]["notebooks_sha256"][str(OK_NB)]) == 64

    b = json.loads((runs["b"].run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert b["status"] == "failed" and b["latest_moved"] is False and b["sample_data"] is True
    assert b["summary"] == {"reports": 6, "ok": 2, "failed": 4}
    broken = next(r for r in b["reports"] if r["output_stem"] == "broken")
    assert broken["error"]["ename"] == "ValueError" and broken["error"]["cell_index"] == 2
    assert broken["files"]["notebook"] == "notebooks/broken.ipynb"


def test_portal(runs: dict[str, Any]) -> None:
    b_html = (runs["b"].run_dir / "index.html").read_text(encoding="utf-8")
    assert SAMPLE_BAND in b_html
    assert "31/10/2026" in b_html and "Hoàn thành" in b_html and "Lỗi" in b_html
    assert 'href="html/unit-01.html"' in b_html and 'href="pdf/unit-01.pdf"' in b_html
    assert 'href="notebooks/broken.ipynb"' in b_html and "ValueError" in b_html and "ô lệnh thứ 3" in b_html
    a_html = (runs["a"].run_dir / "index.html").read_text(encoding="utf-8")
    assert SAMPLE_BAND not in a_html and "Báo cáo thử nghiệm" in a_html
    for page in (a_html, b_html):
        assert "http://" not in page and "https://" not in page and "//" not in page.replace("://", "")
        assert "<script" not in page and "<link" not in page and "@import" not in page


def test_portal_escapes_and_normalises_text() -> None:
    job = NotebookJob("Ban <Tổ chức>", OK_NB, {}, "x", scope="Toa\u0300n tỉnh")  # decomposed "Toàn"
    page = render_index(
        reports=[ReportResult(job=job, status="ok", html="html/x.html", finished_at="2026-11-01T06:01:00+07:00")],
        run_id="20261101-060000",
        generated_at=datetime(2026, 11, 1, 6, 5),
        as_of=date(2026, 10, 31),
        formats={"html"},
    )
    assert "Ban &lt;Tổ chức&gt;" in page and "Toàn tỉnh" in page and "Toa\u0300n" not in page
    assert "06:01 01/11/2026" in page and "31/10/2026" in page and "PDF" not in page


def test_job_parameters_are_normalised() -> None:
    job = NotebookJob("x", OK_NB, {"unit_id": "01", "as_of": date(2026, 9, 30), "data_dir": Path("data")}, "x")
    assert job.parameters == {"unit_id": "01", "as_of": "2026-09-30", "data_dir": "data"}
    with pytest.raises(ValueError, match="output_stem"):
        NotebookJob("x", OK_NB, {}, "../escape")
    with pytest.raises(TypeError, match="cannot be passed"):
        NotebookJob("x", OK_NB, {"bad": object()}, "x")
