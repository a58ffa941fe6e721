"""``run_batch``: execute notebooks in parallel, render them, and publish a run directory.

::

    result = run_batch(jobs, Path("reports"), formats={"html", "pdf"}, n_jobs=2, timeout=900,
                       manifest_extra={"inputs": {...sha256...}, "parameters": {...}},
                       sample_data=True, progress=True, as_of=date(2026, 10, 31))
    sys.exit(result.exit_code)

Each successfully executed notebook is rendered in this process as soon as it arrives (HTML via
``to_html``, PDF through one renderer for the whole run) while the workers go on with the next
notebooks. A rendering failure is a report failure. ``reports/latest`` moves to the new run only if
every report succeeded; earlier runs are never modified.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import platform
import shutil
import signal
import socket
import threading
import time
import traceback
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cadre_lib.runner._imports import skip_slow_iri_format_checker
from cadre_lib.runner.execute import default_jobs, execute_jobs
from cadre_lib.runner.lock import RunLock, lock_held
from cadre_lib.runner.manifest import MANIFEST_VERSION, RESERVED_KEYS, file_sha256, package_versions, write_json
from cadre_lib.runner.models import ExecError, ExecutionResult, NotebookJob, ReportResult, RunResult
from cadre_lib.runner.output import RunDir, create_run_dir, move_latest, remove_unfinished
from cadre_lib.runner.portal import DEFAULT_TITLE, render_index
from cadre_lib.runner.progress import Progress
from cadre_lib.runner.render import Renderer, default_renderer

__all__ = ["DEFAULT_PRELOAD", "FORMATS", "run_batch"]

log = logging.getLogger(__name__)

FORMATS = frozenset({"html", "pdf"})
# Imported once by the kernel zygote, so each report's kernel starts with them loaded.
DEFAULT_PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot")


def _available(modules: Sequence[str]) -> tuple[str, ...]:
    out = []
    for name in modules:
        with contextlib.suppress(ImportError, ValueError):
            if importlib.util.find_spec(name.split(".")[0]) is not None:
                out.append(name)
    return tuple(out)


def _now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


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


def _render(res: ExecutionResult, run: RunDir, formats: set[str], renderer: Renderer) -> ReportResult:
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
    if not res.ok or res.notebook is None:
        if report.status == "ok":  # defensive: ok without a notebook cannot be rendered
            report.status = "failed"
        return report
    nb = nbformat.from_dict(res.notebook)
    step = "html"
    text: str | None = None
    try:
        if "html" in formats:
            t0 = time.perf_counter()
            text = renderer.html(nb)
            (run.path / "html" / f"{stem}.html").write_text(text, encoding="utf-8")
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
    except Exception as exc:  # noqa: BLE001 - a rendering failure is a report failure, not a crash
        with contextlib.suppress(OSError):
            (run.path / step / f"{stem}.{step}").unlink()
        report.status = "failed"
        report.error = ExecError(
            kind="render",
            ename=type(exc).__name__,
            evalue=f"{step.upper()} rendering failed: {exc}",
            traceback=traceback.format_exc()[-8000:],
        )
    report.finished_at = _now_iso()
    return report


def _manifest(
    *,
    run: RunDir,
    reports: Sequence[ReportResult],
    started_at: str,
    finished_at: str,
    duration_s: float,
    latest_moved: bool,
    sample_data: bool,
    settings: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    n_bad = sum(1 for r in reports if not r.ok)
    data: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run.name,
        "status": "ok" if n_bad == 0 else "failed",
        "started_at": started_at,
        "finished_at": finished_at,
        "duration_s": round(duration_s, 3),
        "sample_data": sample_data,
        "latest_moved": latest_moved,
        "summary": {"reports": len(reports), "ok": len(reports) - n_bad, "failed": n_bad},
    }
    data.update(extra)
    data["settings"] = dict(settings)
    data["versions"] = package_versions()
    data["host"] = {"hostname": socket.gethostname(), "platform": platform.platform(), "pid": os.getpid()}
    data["reports"] = [r.to_dict() for r in reports]
    return data


def run_batch(
    jobs: Sequence[NotebookJob],
    out_root: Path,
    formats: set[str] | frozenset[str] = FORMATS,
    n_jobs: int | None = None,
    timeout: int = 900,
    manifest_extra: Mapping[str, Any] | None = None,
    sample_data: bool = False,
    progress: bool = True,
    renderer: Renderer | None = None,
    *,
    title: str = DEFAULT_TITLE,
    as_of: date | None = None,
    cell_timeout: int | None = None,
    cwd: Path | None = None,
    kernel_name: str = "python3",
    preload: Sequence[str] = DEFAULT_PRELOAD,
    fork_kernels: bool = True,
    force_progress: bool = False,
    lock: bool = True,
    job_name: str | None = None,
    extra_files: Mapping[str, Path | str | bytes] | None = None,
) -> RunResult:
    """Execute ``jobs``, render them in ``formats`` and publish ``out_root/<YYYYmmdd-HHMMSS>[-N]/``.

    - ``n_jobs`` workers (default: CPU count), one fresh kernel per notebook (forked from a zygote
      that preloaded ``preload`` when ``fork_kernels``), kernels running in ``cwd`` (default: the
      current directory). ``timeout`` seconds per notebook, ``cell_timeout`` per cell (default: same).
    - ``manifest_extra`` goes into manifest.json as is (e.g. ``inputs`` with sha256, ``parameters``,
      ``as_of``, ``job``); its keys must not clash with the runner's own (:data:`RESERVED_KEYS`).
    - ``extra_files`` (name -> path, text or bytes) are copied into the run directory (e.g.
      ``{"indicators.json": path}``).
    - ``sample_data`` puts the "DỮ LIỆU MẪU" band on the portal. ``as_of`` (or
      ``manifest_extra["as_of"]``) is shown on it.
    - Progress bar on stderr when it is a terminal and ``progress``, or when ``force_progress``.
    - Takes ``out_root``'s run lock unless ``lock`` is false or this process already holds it
      (raises :class:`cadre_lib.errors.LockError` if another run holds it).

    Returns a :class:`RunResult`; ``result.ok`` is false (and ``latest`` not moved) if any report
    failed. Exceptions are for problems of the run itself (bad arguments, lock, disk).
    """
    skip_slow_iri_format_checker()
    formats = set(formats)
    unknown = formats - FORMATS
    if unknown:
        raise ValueError(f"unknown output format(s): {', '.join(sorted(unknown))} (known: html, pdf)")
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
    as_of = as_of or _as_date(extra.get("as_of"))
    out_root = Path(out_root)
    workers = n_jobs if n_jobs and n_jobs > 0 else default_jobs()
    preload = _available(preload)

    lock_cm: contextlib.AbstractContextManager[Any]
    if lock and not lock_held(out_root):
        lock_cm = RunLock(out_root, job=job_name)
    else:
        lock_cm = contextlib.nullcontext()

    with lock_cm, _sigterm_as_exit():
        if isinstance(lock_cm, RunLock):
            for name in remove_unfinished(out_root):
                log.warning("removed %s/%s, left by a run that was killed while building", out_root, name)
        t_start = time.perf_counter()
        started_at = _now_iso()
        run = create_run_dir(out_root)
        try:
            for name, content in (extra_files or {}).items():
                dest = run.path / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    dest.write_bytes(content)
                elif isinstance(content, Path):
                    shutil.copyfile(content, dest)
                else:
                    dest.write_text(content, encoding="utf-8")
            notebook_hashes = {str(p): file_sha256(Path(p)) for p in sorted({str(j.notebook) for j in jobs})}
            reports: list[ReportResult | None] = [None] * len(jobs)
            active = renderer if renderer is not None else default_renderer(formats)
            results = execute_jobs(
                jobs,
                run.path / "notebooks",
                n_jobs=workers,
                timeout=timeout,
                cell_timeout=cell_timeout,
                kernel_name=kernel_name,
                cwd=cwd,
                preload=preload,
                fork_kernels=fork_kernels,
            )
            with (
                contextlib.closing(results),  # workers and kernels stopped before the run is published
                active as rend,
                Progress(len(jobs), enabled=progress, force=force_progress) as bar,
            ):
                for res in results:
                    report = _render(res, run, formats, rend)
                    reports[res.index] = report
                    if not report.ok:
                        log.warning(
                            "report %s failed: %s",
                            report.job.output_stem,
                            report.error.summary() if report.error else "?",
                        )
                    bar.update(report.ok)
            done = [r for r in reports if r is not None]
            all_ok = len(done) == len(jobs) and all(r.ok for r in done)
            settings = {
                "formats": sorted(formats),
                "n_jobs": workers,
                "timeout_s": timeout,
                "cell_timeout_s": cell_timeout or timeout,
                "kernel_name": kernel_name,
                "kernel_cwd": str(Path(cwd).resolve()) if cwd else os.getcwd(),
                "fork_kernels": fork_kernels,
                "preload": list(preload),
                "notebooks_sha256": notebook_hashes,
            }
            finished_at = _now_iso()
            duration = time.perf_counter() - t_start

            def publish(latest_moved: bool) -> None:
                write_json(
                    run.path / "manifest.json",
                    _manifest(
                        run=run,
                        reports=done,
                        started_at=started_at,
                        finished_at=finished_at,
                        duration_s=duration,
                        latest_moved=latest_moved,
                        sample_data=sample_data,
                        settings=settings,
                        extra=extra,
                    ),
                )
                (run.path / "index.html").write_text(
                    render_index(
                        reports=done,
                        run_id=run.name,
                        generated_at=datetime.now(),
                        as_of=as_of,
                        title=title,
                        sample_data=sample_data,
                        formats=formats,
                        version=package_versions().get("cadre_lib"),
                    ),
                    encoding="utf-8",
                )

            planned_name = run.name
            publish(latest_moved=all_ok)
            final = run.finalize()
            if run.name != planned_name:  # another run took the name meanwhile: fix the run id
                publish(latest_moved=all_ok)
        except BaseException:
            run.discard()
            raise

        latest_moved = False
        if all_ok:
            try:
                move_latest(out_root, run.name)
                latest_moved = True
            except OSError as exc:
                log.error("could not move %s/latest to %s: %s", out_root, run.name, exc)
                publish(latest_moved=False)
        return RunResult(
            run_dir=final,
            reports=done,
            latest_moved=latest_moved,
            started_at=started_at,
            finished_at=finished_at,
            duration_s=round(time.perf_counter() - t_start, 3),
        )
