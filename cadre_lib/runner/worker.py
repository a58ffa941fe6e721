"""A worker process: executes notebooks one at a time with papermill, each in a fresh kernel.

The parent (:mod:`cadre_lib.runner.execute`) talks to workers with plain tuples over multiprocessing
queues:

parent -> worker: ``("run", index, job, executed_path, start_spare_after)`` or ``("stop",)``
worker -> parent: ``("ready", wid, pid)``, ``("kernels", wid, [pid, ...])``, ``("started", wid, index)``,
``("done", wid, ExecutionResult)``, ``("fatal", wid, message)``
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import re
import signal
import time
import traceback
from pathlib import Path
from typing import Any

from cadre_lib.core.files import now_iso
from cadre_lib.runner.config import RunConfig
from cadre_lib.runner.models import ExecError, ExecutionResult, NotebookJob

__all__ = ["execute_one", "worker_main"]

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MAX_TRACEBACK = 8000
_MAX_SOURCE = 500


def _plain(lines: Any) -> str:
    if isinstance(lines, list | tuple):
        text = "\n".join(str(x) for x in lines)
    else:
        text = str(lines or "")
    text = _ANSI_RE.sub("", text)
    if len(text) > _MAX_TRACEBACK:
        text = "…" + text[-_MAX_TRACEBACK:]
    return text


def _source_index(nb: Any, executed_index: int | None) -> int | None:
    """Index in the source notebook of the cell at ``executed_index`` of the parameterized notebook
    (papermill inserts one ``injected-parameters`` cell after the ``parameters`` cell)."""
    if executed_index is None or nb is None:
        return executed_index
    # papermill may have inserted its error-marker cells since: they do not count at all
    cells = [c for c in nb.get("cells", []) if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    injected = sum(1 for c in cells[:executed_index] if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return executed_index - injected


def _cell_excerpt(nb: Any, executed_index: int | None) -> tuple[str | None, int | None]:
    if nb is None or executed_index is None:
        return None, None
    cells = nb.get("cells", [])
    if not 0 <= executed_index < len(cells):
        return None, None
    cell = cells[executed_index]
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(source)
    return source[:_MAX_SOURCE], cell.get("execution_count")


class _Tracker:
    """nbclient hooks: keep the notebook being executed and the index of the running cell."""

    def __init__(self) -> None:
        self.nb: Any = None
        self.cell_index: int | None = None

    def on_notebook_start(self, notebook: Any, **_: Any) -> None:
        self.nb = notebook

    def on_cell_start(self, cell: Any, cell_index: int, **_: Any) -> None:
        self.cell_index = cell_index


def _write_partial(nb: Any, path: Path) -> None:
    """Keep what ran of a notebook that did not finish (for audit), without nbformat validation."""
    if nb is None:
        return
    import nbformat

    with contextlib.suppress(Exception):
        path.write_text(nbformat.writes(nb), encoding="utf-8")
        return
    with contextlib.suppress(Exception):
        path.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")


def execute_one(
    job: NotebookJob, executed_path: Path, km: Any, config: RunConfig
) -> tuple[ExecError | None, dict[str, Any] | None]:
    """Run ``job`` in the (started, unused) kernel managed by ``km``; write the executed notebook to
    ``executed_path`` whatever happens. Returns ``(error, executed notebook)``; exactly one is None."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    tracker = _Tracker()
    overall = float(config.timeout)
    per_cell = float(config.per_cell_timeout)
    deadline = time.monotonic() + overall
    budget_hit = {"overall": False}

    def timeout_func(cell: Any) -> int:
        remaining = deadline - time.monotonic()
        if remaining < per_cell:
            budget_hit["overall"] = True
        else:
            budget_hit["overall"] = False
        return max(1, int(min(per_cell, remaining) + 0.999))

    try:
        nb = pm.execute_notebook(
            str(job.notebook),
            str(executed_path),
            parameters=dict(job.parameters),
            kernel_name=config.kernel_name,
            km=km,
            progress_bar=False,
            log_output=False,
            # Saving after every cell validates and rewrites the whole notebook each time: slow.
            # The executed notebook is written once at the end (or by us on failure).
            request_save_on_cell_execute=False,
            start_timeout=config.start_timeout,
            timeout_func=timeout_func,
            on_notebook_start=tracker.on_notebook_start,
            on_cell_start=tracker.on_cell_start,
        )
        return None, dict(nb)
    except PapermillExecutionError as exc:
        # papermill has already written the notebook, with its error markers.
        return (
            ExecError(
                kind="error",
                ename=str(exc.ename),
                evalue=_plain(exc.evalue),
                cell_index=_source_index(tracker.nb, exc.cell_index),
                execution_count=exc.exec_count,
                cell_source=(exc.source or "")[:_MAX_SOURCE],
                traceback=_plain(exc.traceback),
            ),
            None,
        )
    except CellTimeoutError as exc:
        _write_partial(tracker.nb, executed_path)
        source, count = _cell_excerpt(tracker.nb, tracker.cell_index)
        if budget_hit["overall"]:
            evalue = f"the notebook exceeded the overall timeout of {overall:g} s"
        else:
            evalue = f"a cell exceeded the cell timeout of {per_cell:g} s"
        return (
            ExecError(
                kind="timeout",
                ename="Timeout",
                evalue=evalue,
                cell_index=_source_index(tracker.nb, tracker.cell_index),
                execution_count=count,
                cell_source=source,
                traceback=_plain(str(exc)),
            ),
            None,
        )
    except DeadKernelError as exc:
        _write_partial(tracker.nb, executed_path)
        source, count = _cell_excerpt(tracker.nb, tracker.cell_index)
        return (
            ExecError(
                kind="crash",
                ename="DeadKernelError",
                evalue=f"the kernel died while running the notebook ({exc})",
                cell_index=_source_index(tracker.nb, tracker.cell_index),
                execution_count=count,
                cell_source=source,
            ),
            None,
        )
    except Exception as exc:  # any failure is recorded, the batch goes on
        _write_partial(tracker.nb, executed_path)
        source, count = _cell_excerpt(tracker.nb, tracker.cell_index)
        return (
            ExecError(
                kind="crash",
                ename=type(exc).__name__,
                evalue=_plain(str(exc)),
                cell_index=_source_index(tracker.nb, tracker.cell_index),
                execution_count=count,
                cell_source=source,
                traceback=_plain(traceback.format_exc()),
            ),
            None,
        )


def _quiet_logs() -> None:
    # papermill warns about every unknown parameter and logs kernel starts; the manifest is our log.
    # nbclient logs timeouts through papermill's logger at ERROR level: also recorded, so silence.
    for name in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def worker_main(wid: int, config: RunConfig, zygote: str | None, tasks: Any, results: Any, start_spare: bool) -> None:
    """Entry point of a worker process (spawned). ``config`` is the pool's resolved configuration;
    ``zygote`` the socket of the kernel zygote (None: kernels start normally)."""
    from cadre_lib.runner._imports import skip_slow_iri_format_checker

    skip_slow_iri_format_checker()
    from cadre_lib.runner.kernels import KernelFactory

    # Ctrl-C reaches the whole process group: let the parent decide, and die cleanly on SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def _term(signum: int, frame: Any) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, _term)
    _quiet_logs()

    factory = KernelFactory(
        kernel_name=config.kernel_name,
        cwd=config.cwd,
        preload=config.preload,
        tag=f"w{wid}",
        zygote=zygote,
    )
    spare = None
    live: list[Any] = []
    dying: list[Any] = []  # killed kernels' process handles, reaped with poll()

    def discard(km: Any) -> None:
        proc = km.discard()
        live.remove(km)
        if proc is not None:
            dying.append(proc)
        dying[:] = [p for p in dying if p.poll() is None]
        report_kernels()

    def report_kernels() -> None:
        results.put(("kernels", wid, [k.pid for k in live if k.pid]))

    def start_kernel() -> Any:
        km = factory.start()
        live.append(km)
        report_kernels()
        return km

    parent = os.getppid()
    try:
        # Import papermill/nbclient now, while the first kernel boots, not on the first job.
        import papermill  # noqa: F401

        if start_spare:
            spare = start_kernel()
        results.put(("ready", wid, os.getpid()))
        while True:
            try:
                msg = tasks.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent:  # the run died without stopping us
                    break
                continue
            if msg[0] == "stop":
                break
            _, index, job, executed_path, start_spare_after = msg
            results.put(("started", wid, index))
            t0 = time.perf_counter()
            started_at = now_iso()
            km, spare = (spare if spare is not None else start_kernel()), None
            if start_spare_after:
                spare = start_kernel()
            t1 = time.perf_counter()
            error, nb = execute_one(job, Path(executed_path), km, config)
            t2 = time.perf_counter()
            kernel_pid = km.pid
            discard(km)
            t3 = time.perf_counter()
            results.put(
                (
                    "done",
                    wid,
                    ExecutionResult(
                        index=index,
                        job=job,
                        status="ok" if error is None else "failed",
                        executed_path=Path(executed_path),
                        error=error,
                        started_at=started_at,
                        finished_at=now_iso(),
                        timings={
                            "kernel_s": round(t1 - t0, 3),
                            "execute_s": round(t2 - t1, 3),
                            "shutdown_s": round(t3 - t2, 3),
                        },
                        worker=wid,
                        kernel_pid=kernel_pid,
                        notebook=nb,
                    ),
                )
            )
    except BaseException as exc:  # tell the parent, then clean up
        if not isinstance(exc, SystemExit | KeyboardInterrupt):
            with contextlib.suppress(Exception):
                results.put(("fatal", wid, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
    finally:
        with contextlib.suppress(Exception):  # interrupted mid-cell: nbclient's tasks die silently
            import asyncio

            asyncio.get_event_loop().set_exception_handler(lambda loop, context: None)
        if os.getppid() != parent:
            results.cancel_join_thread()  # nobody reads the results any more: do not block at exit
        for km in list(live):
            discard(km)
        deadline = time.monotonic() + 5
        while dying and time.monotonic() < deadline:
            dying[:] = [p for p in dying if p.poll() is None]
            time.sleep(0.02)
        factory.close()
