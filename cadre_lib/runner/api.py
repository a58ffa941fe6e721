"""``run_batch``: execute notebooks in parallel, render them, and publish a run directory.

::

    config = RunConfig(formats=("html", "pdf"), n_jobs=2, timeout=900, sample_data=True, as_of=date(2026, 10, 31))
    result = run_batch(jobs, Path("reports"), config,
                       manifest_extra={"inputs": {...sha256...}, "parameters": {...}})
    sys.exit(result.exit_code)

The steps, each its own function: :func:`validate` (refuse bad arguments before anything happens),
:func:`execute` (the worker pool), :func:`render` (one executed notebook to HTML / PDF) and
:func:`publish` (manifest, portal, final name, ``latest``). Each successfully executed notebook is
rendered in this process as soon as it arrives (PDF through one renderer for the whole run) while the
workers go on with the next notebooks. A rendering failure is a report failure. ``reports/latest``
moves to the new run only if every report succeeded; earlier runs are never modified.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import shutil
import signal
import socket
import threading
import time
import traceback
from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cadre_lib.core.files import atomic_write, make_dirs, now_iso, sha256_file
from cadre_lib.runner._imports import skip_slow_iri_format_checker
from cadre_lib.runner.config import DEFAULT_PRELOAD, FORMATS, RunConfig, available_modules
from cadre_lib.runner.execute import ExecutionPool, execute_jobs
from cadre_lib.runner.lock import RunLock, lock_held
from cadre_lib.runner.manifest import MANIFEST_VERSION, RESERVED_KEYS, package_versions, write_json
from cadre_lib.runner.models import ExecError, ExecutionResult, NotebookJob, ReportResult, RunResult
from cadre_lib.runner.output import RunDir, create_run_dir, move_latest, remove_unfinished
from cadre_lib.runner.portal import render_index
from cadre_lib.runner.progress import Progress
from cadre_lib.runner.render import Renderer, default_renderer

__all__ = ["DEFAULT_PRELOAD", "FORMATS", "Batch", "execute", "publish", "render", "run_batch", "validate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Batch:
    """A validated batch: the jobs, the resolved configuration, the manifest's extra keys, and the
    sha256 of each notebook as it was when the batch was validated."""

    jobs: list[NotebookJob]
    config: RunConfig
    extra: dict[str, Any]
    notebooks_sha256: dict[str, str]
    portal: dict[str, Any] = field(default_factory=dict)

    @property
    def as_of(self) -> date | None:
        return self.config.as_of or _as_date(self.extra.get("as_of"))


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value[:10])
    return None


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """While a run is going, SIGTERM (``systemctl stop``, ``kill``) unwinds it like Ctrl-C: workers
    and kernels stopped, the unfinished run directory removed, the lock released."""
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def _exit(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


# -- the steps ------------------------------------------------------------------------------------


def validate(jobs: Sequence[NotebookJob], config: RunConfig, manifest_extra: Mapping[str, Any] | None = None) -> Batch:
    """Refuse what cannot make a run (``ValueError``, ``FileNotFoundError`` for a missing notebook),
    before anything is created; the returned batch has the configuration resolved (worker count,
    kernel directory, preloads that are installed)."""
    config.check()
    extra = dict(manifest_extra or {})
    clash = sorted(set(extra) & RESERVED_KEYS)
    if clash:
        raise ValueError(f"manifest_extra uses keys reserved by the runner: {', '.join(clash)}")
    jobs = list(jobs)
    if not jobs:
        raise ValueError("no notebook to run")
    stems = [j.output_stem for j in jobs]
    dupes = sorted({s for s in stems if stems.count(s) > 1})
    if dupes:
        raise ValueError(f"several jobs write the same output_stem: {', '.join(dupes)}")
    missing = [str(j.notebook) for j in jobs if not Path(j.notebook).is_file()]
    if missing:
        raise FileNotFoundError(f"notebook(s) not found: {', '.join(sorted(set(missing)))}")
    resolved = replace(config.resolved(), preload=available_modules(config.preload))
    hashes = {str(p): sha256_file(Path(p)) for p in sorted({str(j.notebook) for j in jobs})}
    return Batch(jobs=jobs, config=resolved, extra=extra, notebooks_sha256=hashes)


def execute(batch: Batch, run: RunDir, pool: ExecutionPool | None = None) -> Generator[ExecutionResult, None, None]:
    """Execute the batch into ``run/notebooks`` (in ``pool`` when given: a warm pool the caller owns);
    results in completion order (close to stop early)."""
    return execute_jobs(batch.jobs, run.path / "notebooks", batch.config, pool=pool)


def render(res: ExecutionResult, run: RunDir, formats: Sequence[str], renderer: Renderer) -> ReportResult:
    """Turn an execution result into a report result, rendering the executed notebook if it ran."""
    import nbformat

    stem = res.job.output_stem
    nb_rel = f"notebooks/{stem}.ipynb"
    report = ReportResult(
        job=res.job,
        status=res.status,
        error=res.error,
        notebook=nb_rel if (run.path / nb_rel).exists() else None,
        started_at=res.started_at,
        finished_at=res.finished_at,
        timings=dict(res.timings),
    )
    if not res.ok:
        return report
    step = "html"
    text: str | None = None
    try:
        nb = nbformat.from_dict(res.notebook)
        if "html" in formats:
            t0 = time.perf_counter()
            text = renderer.html(nb)
            page = text
            atomic_write(run.path / "html" / f"{stem}.html", lambda tmp: tmp.write_text(page, encoding="utf-8"),
                         mode=run.file_mode)
            report.html = f"html/{stem}.html"
            report.timings["html_s"] = round(time.perf_counter() - t0, 3)
        if "pdf" in formats:
            step = "pdf"
            t0 = time.perf_counter()
            pdf_path = run.path / "pdf" / f"{stem}.pdf"
            renderer.pdf(nb, pdf_path, html=text)
            if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
                raise RuntimeError(f"the PDF renderer wrote no file at {pdf_path.name}")
            report.pdf = f"pdf/{stem}.pdf"
            report.timings["pdf_s"] = round(time.perf_counter() - t0, 3)
    except Exception as exc:  # a rendering failure is a report failure, not a crash
        with contextlib.suppress(OSError):
            (run.path / step / f"{stem}.{step}").unlink()
        report.status = "failed"
        report.error = ExecError(
            kind="render",
            ename=type(exc).__name__,
            evalue=f"{step.upper()} rendering failed: {exc}",
            traceback=traceback.format_exc()[-8000:],
        )
    report.finished_at = now_iso()
    return report


def _manifest(
    batch: Batch,
    run: RunDir,
    reports: Sequence[ReportResult],
    *,
    started_at: str,
    finished_at: str,
    duration_s: float,
    latest_moved: bool,
) -> dict[str, Any]:
    n_bad = sum(1 for r in reports if not r.ok)
    data: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run.name,
        "status": "ok" if n_bad == 0 else "failed",
        "started_at": started_at,
        "finished_at": finished_at,
        "duration_s": round(duration_s, 3),
        "sample_data": batch.config.sample_data,
        "latest_moved": latest_moved,
        "summary": {"reports": len(reports), "ok": len(reports) - n_bad, "failed": n_bad},
    }
    data.update(batch.extra)
    data["settings"] = {**batch.config.manifest_settings(), "notebooks_sha256": dict(batch.notebooks_sha256)}
    data["versions"] = package_versions()
    data["host"] = {"hostname": socket.gethostname(), "platform": platform.platform(), "pid": os.getpid()}
    data["reports"] = [r.to_dict() for r in reports]
    return data


def _write_run_files(
    batch: Batch, run: RunDir, reports: Sequence[ReportResult], *, latest_moved: bool, times: tuple[str, str, float]
) -> None:
    """manifest.json and the portal ``index.html`` of the run; ``times``: started at, finished at, duration."""
    config = batch.config
    started_at, finished_at, duration_s = times
    manifest = _manifest(
        batch, run, reports, started_at=started_at, finished_at=finished_at, duration_s=duration_s,
        latest_moved=latest_moved,
    )
    write_json(run.path / "manifest.json", manifest, mode=run.file_mode)
    page = render_index(
        reports=reports,
        run_id=run.name,
        generated_at=datetime.now(),
        as_of=batch.as_of,
        title=config.title,
        sample_data=config.sample_data,
        formats=set(config.formats),
        version=package_versions().get("cadre_lib"),
        scorecard=batch.portal.get("scorecard"),
    )
    atomic_write(run.path / "index.html", lambda tmp: tmp.write_text(page, encoding="utf-8"), mode=run.file_mode)


def publish(
    batch: Batch, run: RunDir, reports: Sequence[ReportResult], *, started_at: str, t_start: float
) -> RunResult:
    """Write the manifest and the portal, give the run directory its final name, and point
    ``latest`` at it if every report succeeded (a failure to move ``latest`` is logged and recorded
    in the manifest, not raised). Until the run has its final name, a failure removes it."""
    all_ok = len(reports) == len(batch.jobs) and all(r.ok for r in reports)
    finished_at = now_iso()
    times = (started_at, finished_at, time.perf_counter() - t_start)
    try:
        planned_name = run.name
        _write_run_files(batch, run, reports, latest_moved=all_ok, times=times)
        final = run.finalize()
        if run.name != planned_name:  # another run took the name meanwhile: fix the run id
            _write_run_files(batch, run, reports, latest_moved=all_ok, times=times)
    except BaseException:
        run.discard()
        raise
    latest_moved = False
    if all_ok:
        try:
            move_latest(run.root, run.name)
            latest_moved = True
        except OSError as exc:
            log.error("could not move %s/latest to %s: %s", run.root, run.name, exc)
            _write_run_files(batch, run, reports, latest_moved=False, times=times)
    return RunResult(
        run_dir=final,
        reports=list(reports),
        latest_moved=latest_moved,
        started_at=started_at,
        finished_at=finished_at,
        duration_s=round(time.perf_counter() - t_start, 3),
    )


def _copy_extra_files(run: RunDir, extra_files: Mapping[str, Path | str | bytes]) -> None:
    for name, content in extra_files.items():
        def write(tmp: Path, content: Path | str | bytes = content) -> None:
            if isinstance(content, bytes):
                tmp.write_bytes(content)
            elif isinstance(content, Path):
                shutil.copyfile(content, tmp)
            else:
                tmp.write_text(content, encoding="utf-8")

        atomic_write(run.path / name, write, mode=run.file_mode)


# -- the whole run --------------------------------------------------------------------------------


def run_batch(
    jobs: Sequence[NotebookJob],
    out_root: Path,
    config: RunConfig | None = None,
    *,
    manifest_extra: Mapping[str, Any] | None = None,
    extra_files: Mapping[str, Path | str | bytes] | None = None,
    renderer: Renderer | None = None,
    portal_extra: Mapping[str, Any] | None = None,
    pool: ExecutionPool | None = None,
    **settings: Any,
) -> RunResult:
    """Execute ``jobs``, render them and publish ``out_root/<YYYYmmdd-HHMMSS>[-N]/``, as ``config``
    says (:class:`RunConfig`; ``settings`` are RunConfig fields overriding it, so
    ``run_batch(jobs, out, n_jobs=2)`` is ``run_batch(jobs, out, RunConfig(n_jobs=2))``).

    - ``manifest_extra`` goes into manifest.json as is (e.g. ``inputs`` with sha256, ``parameters``,
      ``as_of``, ``job``); its keys must not clash with the runner's own (:data:`RESERVED_KEYS`).
    - ``extra_files`` (name -> path, text or bytes) are copied into the run directory (e.g.
      ``{"indicators.json": path}``).
    - ``renderer``: HTML and PDF rendering (default: :func:`cadre_lib.runner.render.default_renderer`).
    - ``portal_extra``: plain data shown on the portal page; ``{"scorecard": {...}}`` puts a table of results
      above the list of reports (see :func:`cadre_lib.runner.portal.render_index`), its rows linking to the
      reports by output stem. The runner does not interpret the values.
    - ``pool``: an :meth:`ExecutionPool.warm` pool the caller entered earlier (its workers and kernels
      started while the caller prepared the inputs); the caller closes it. Its own settings apply to
      the execution.
    - Takes ``out_root``'s run lock unless ``config.lock`` is false or this process already holds it
      (raises :class:`cadre_lib.errors.LockError` if another run holds it). With the lock held (taken
      here or by the caller), the ``.…tmp`` build folders of runs that were killed are removed first.

    Returns a :class:`RunResult`; ``result.ok`` is false (and ``latest`` not moved) if any report
    failed. Exceptions are for problems of the run itself (bad arguments, lock, disk).
    """
    skip_slow_iri_format_checker()
    batch = validate(jobs, (config or RunConfig()).with_settings(**settings), manifest_extra)
    if portal_extra:
        batch = replace(batch, portal=dict(portal_extra))
    cfg = batch.config
    out_root = make_dirs(Path(out_root), cfg.dir_mode)  # only if missing, before the lock file is made in it
    lock_cm: contextlib.AbstractContextManager[Any]
    if cfg.lock and not lock_held(out_root):
        lock_cm = RunLock(out_root, job=cfg.job_name)
    else:
        lock_cm = contextlib.nullcontext()

    with lock_cm, _sigterm_as_exit():
        if isinstance(lock_cm, RunLock) or lock_held(out_root):  # ours, or held by our caller (the report job)
            for name in remove_unfinished(out_root):
                log.warning("removed %s/%s, left by a run that was killed while building", out_root, name)
        t_start = time.perf_counter()
        started_at = now_iso()
        run = create_run_dir(out_root, dir_mode=cfg.dir_mode, file_mode=cfg.file_mode)
        try:
            _copy_extra_files(run, extra_files or {})
            reports: list[ReportResult | None] = [None] * len(batch.jobs)
            active = renderer if renderer is not None else default_renderer(cfg.formats)
            results = execute(batch, run, pool)
            with (
                contextlib.closing(results),  # workers and kernels stopped before the run is published
                active as rend,
                Progress(len(batch.jobs), enabled=cfg.progress, force=cfg.force_progress) as bar,
            ):
                for res in results:
                    report = render(res, run, cfg.formats, rend)
                    reports[res.index] = report
                    if not report.ok:
                        log.warning(
                            "report %s failed: %s",
                            report.job.output_stem,
                            report.error.summary() if report.error else "?",
                        )
                    bar.update(report.ok)
        except BaseException:
            run.discard()
            raise
        return publish(batch, run, [r for r in reports if r is not None], started_at=started_at, t_start=t_start)
