"""Execute many notebooks in parallel, each in a fresh kernel, through papermill's Python API.

A pool of N worker processes (spawned: no inherited threads or event loops). Each worker executes one
notebook at a time and, while it runs, boots the kernel for its next notebook ("spare"), so kernel
start-up is hidden behind execution. The parent hands jobs out one at a time (no queue behind a slow
notebook) and tells a worker to boot a spare only when there is still work for it, so no kernel is
started for nothing at the end of a batch.

The pool can also be started before its jobs are known (:meth:`ExecutionPool.warm`, then
:meth:`ExecutionPool.submit`): the workers and the kernel zygote import while the caller prepares the
inputs the notebooks share (the report job builds its context meanwhile).

Failures are results, not exceptions: a notebook that raises, times out, or kills its kernel is
reported with its error and the batch goes on. If a worker process itself dies or hangs past the
timeout (plus a grace period), the parent kills it with its kernels, reports the job as failed and
starts a replacement.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import shutil
import tempfile
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cadre_lib.runner.config import RunConfig, available_modules, default_jobs
from cadre_lib.runner.kernels import kill_pid
from cadre_lib.runner.models import ExecError, ExecutionResult, NotebookJob
from cadre_lib.runner.worker import worker_main
from cadre_lib.runner.zygote import Zygote

__all__ = ["ExecutionPool", "default_jobs", "execute_jobs"]

_GRACE_S = 30.0  # beyond the notebook timeout, before a silent worker is killed
_READY_TIMEOUT_S = 120.0


def _short_tmp() -> str | None:
    return "/tmp" if os.path.isdir("/tmp") else None  # unix socket paths are limited to ~107 bytes


@dataclass
class _Worker:
    wid: int
    process: Any
    tasks: Any
    kernel_pids: list[int] = field(default_factory=list)
    ready: bool = False
    busy: tuple[int, float] | None = None  # (job index, monotonic start)
    has_spare: bool = False


class ExecutionPool:
    """Run ``jobs``; ``executed_dir / f"{job.output_stem}.ipynb"`` receives each executed notebook.

    Use as a context manager and iterate :meth:`results` (in completion order)::

        with ExecutionPool(jobs, out, RunConfig(n_jobs=2, timeout=600)) as pool:
            for result in pool.results():
                ...

    Leaving the block (normally, on error or on Ctrl-C) stops the workers and kills their kernels.
    """

    def __init__(self, jobs: Sequence[NotebookJob] | None, executed_dir: Path | None, config: RunConfig) -> None:
        self.jobs: list[NotebookJob] = []
        self.executed_dir = Path(executed_dir) if executed_dir is not None else None
        self.config = config.resolved()
        self.prestart = config.prestart
        self._zygote: Zygote | None = None
        self._zygote_path: str | None = None  # the zygote's socket, handed to the workers
        self._zygote_dir: Path | None = None
        requested = self.config.n_jobs or default_jobs()
        # warm (jobs not known yet): as many workers as asked for; else no more than there are jobs
        self.n_workers = requested if jobs is None else max(1, min(requested, len(jobs))) if jobs else 0
        self._ctx = mp.get_context("spawn")
        self._results: Any = None
        self._workers: dict[int, _Worker] = {}
        self._next_wid = 0
        self._pending: list[int] = []  # not yet handed out
        self._done = 0
        self._submitted = False
        if jobs is not None:
            self.submit(jobs, executed_dir)

    @classmethod
    def warm(cls, config: RunConfig) -> ExecutionPool:
        """A pool to enter now and :meth:`submit` jobs to later: its workers, their first kernels and the
        zygote start at once."""
        return cls(None, None, replace(config, preload=available_modules(config.preload)))

    def submit(self, jobs: Sequence[NotebookJob], executed_dir: Path | None) -> None:
        """Give the pool its jobs (once); ``executed_dir / f"{job.output_stem}.ipynb"`` receives each
        executed notebook."""
        if self._submitted:
            raise RuntimeError("the pool already has its jobs")
        stems = [j.output_stem for j in jobs]
        duplicates = sorted({s for s in stems if stems.count(s) > 1})
        if duplicates:
            raise ValueError(f"several jobs write the same output_stem: {', '.join(duplicates)}")
        if executed_dir is None:
            raise ValueError("submit: executed_dir is required")
        self._submitted = True
        self.jobs = list(jobs)
        self.executed_dir = Path(executed_dir)
        self.executed_dir.mkdir(parents=True, exist_ok=True)
        self._pending = list(range(len(self.jobs)))
        if self._results is not None:  # already running: hand the jobs out to the workers that are ready
            self._dispatch_all()

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> ExecutionPool:
        try:
            if self.config.fork_kernels and self.n_workers:
                # Started first: it imports while the workers import papermill.
                self._zygote_dir = Path(tempfile.mkdtemp(prefix="cadre-z-", dir=_short_tmp()))
                self._zygote = Zygote(
                    self._zygote_dir / "zygote.sock", preload=self.config.preload, cwd=self.config.cwd
                )
                self._zygote.start()
                self._zygote_path = self._zygote.path
            self._results = self._ctx.Queue()
            for i in range(self.n_workers):
                self._spawn(start_spare=self.prestart and (not self._submitted or i < len(self._pending)))
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # interrupted (error, Ctrl-C, generator closed early): do not wait for running notebooks
        self.close(graceful=exc_type is None)

    def _spawn(self, start_spare: bool) -> _Worker:
        wid = self._next_wid
        self._next_wid += 1
        tasks = self._ctx.Queue()
        process = self._ctx.Process(
            target=worker_main,
            args=(wid, self.config, self._zygote_path, tasks, self._results, start_spare),
            name=f"cadre-runner-{wid}",
            daemon=True,
        )
        process.start()
        worker = _Worker(wid=wid, process=process, tasks=tasks, has_spare=start_spare)
        self._workers[wid] = worker
        return worker

    def close(self, graceful: bool = True) -> None:
        """Stop every worker and kill any kernel they left behind: ``graceful`` asks idle workers to
        stop (then forces them after 10 s); otherwise workers are terminated at once (SIGTERM: they
        still kill their kernels)."""
        workers = list(self._workers.values())
        for w in workers:
            if not w.process.is_alive():
                continue
            if graceful:
                try:
                    w.tasks.put(("stop",))
                except Exception:
                    w.process.terminate()
            else:
                w.process.terminate()
        deadline = time.monotonic() + (10 if graceful else 5)
        for w in workers:
            w.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                w.process.terminate()
                w.process.join(timeout=5)
            if w.process.is_alive():
                w.process.kill()
                w.process.join(timeout=5)
            for pid in w.kernel_pids:
                kill_pid(pid)
        self._workers.clear()
        if self._zygote is not None:
            self._zygote.stop()
            self._zygote = None
        if self._zygote_dir is not None:
            shutil.rmtree(self._zygote_dir, ignore_errors=True)
            self._zygote_dir = None
        if self._results is not None:
            self._results.close()
            self._results.cancel_join_thread()
            self._results = None

    # -- scheduling ------------------------------------------------------------------------------
    def _dispatch(self, w: _Worker) -> None:
        if not self._pending or w.busy is not None or not w.ready:
            return
        index = self._pending.pop(0)
        job = self.jobs[index]
        assert self.executed_dir is not None  # set by submit, before any job is pending
        # Boot a spare only if someone will need it: at most one spare per remaining job.
        others_with_spare = sum(1 for o in self._workers.values() if o is not w and o.has_spare)
        spare_after = self.prestart and others_with_spare < len(self._pending)
        w.has_spare = spare_after
        w.busy = (index, time.monotonic())
        executed = self.executed_dir / f"{job.output_stem}.ipynb"
        w.tasks.put(("run", index, job, str(executed), spare_after))

    def _dispatch_all(self) -> None:
        for w in list(self._workers.values()):
            self._dispatch(w)

    def _failed(self, index: int, wid: int, error: ExecError) -> ExecutionResult:
        job = self.jobs[index]
        assert self.executed_dir is not None
        return ExecutionResult(
            index=index,
            job=job,
            status="failed",
            executed_path=self.executed_dir / f"{job.output_stem}.ipynb",
            error=error,
            worker=wid,
        )

    def _replace(self, w: _Worker) -> None:
        """Kill worker ``w`` (and its kernels); start another one if work remains."""
        if w.process.is_alive():
            w.process.kill()
        w.process.join(timeout=5)
        for pid in w.kernel_pids:
            kill_pid(pid)
        del self._workers[w.wid]
        if self._pending:
            self._spawn(start_spare=False)

    def _check_workers(self) -> list[ExecutionResult]:
        """Detect dead or hung workers; their current job becomes a failed result."""
        out: list[ExecutionResult] = []
        hard_limit = self.config.timeout + self.config.start_timeout + _GRACE_S
        for w in list(self._workers.values()):
            dead = not w.process.is_alive()
            hung = w.busy is not None and time.monotonic() - w.busy[1] > hard_limit
            if not (dead or hung):
                continue
            if w.busy is not None:
                index = w.busy[0]
                if dead:
                    err = ExecError(
                        kind="crash",
                        ename="WorkerDied",
                        evalue=f"the worker process exited with code {w.process.exitcode}",
                    )
                else:
                    err = ExecError(
                        kind="timeout",
                        ename="Timeout",
                        evalue=f"no answer from the worker after {hard_limit:g} s; it was killed",
                    )
                out.append(self._failed(index, w.wid, err))
            self._replace(w)  # a worker that died while starting had no job: nothing to report
        if not self._workers and self._pending:
            # every worker is gone and none could be started: fail what is left
            while self._pending:
                index = self._pending.pop(0)
                out.append(
                    self._failed(index, -1, ExecError(kind="crash", ename="WorkerDied", evalue="no worker left"))
                )
        return out

    def results(self) -> Iterator[ExecutionResult]:
        """Yield one :class:`ExecutionResult` per job, as they complete."""
        if not self._submitted:
            raise RuntimeError("submit the jobs before asking for results")
        total = len(self.jobs)
        started = time.monotonic()
        while self._done < total:
            try:
                msg = self._results.get(timeout=0.5)
            except queue.Empty:
                msg = None
            if msg is None:
                for failed in self._check_workers():
                    self._done += 1
                    yield failed
                self._dispatch_all()
                if not any(w.ready for w in self._workers.values()):
                    if time.monotonic() - started > _READY_TIMEOUT_S:
                        raise RuntimeError("no runner worker became ready in time")
                continue
            kind, wid = msg[0], msg[1]
            w = self._workers.get(wid)
            if w is None:  # a worker we already replaced
                continue
            if kind == "ready":
                w.ready = True
                self._dispatch(w)
            elif kind == "kernels":
                w.kernel_pids = list(msg[2])
            elif kind == "started":
                pass
            elif kind == "done":
                result: ExecutionResult = msg[2]
                w.busy = None
                self._dispatch(w)  # hand out the next job before the caller renders this one
                self._done += 1
                yield result
            elif kind == "fatal":
                index = w.busy[0] if w.busy else None
                self._replace(w)
                if index is not None:
                    self._done += 1
                    yield self._failed(
                        index, wid, ExecError(kind="crash", ename="WorkerError", evalue=str(msg[2])[:2000])
                    )
                self._dispatch_all()


def execute_jobs(
    jobs: Sequence[NotebookJob], executed_dir: Path, config: RunConfig | None = None, *,
    pool: ExecutionPool | None = None, **settings: Any
) -> Generator[ExecutionResult, None, None]:
    """Execute ``jobs`` as ``config`` says (``settings``: :class:`RunConfig` fields overriding it) and
    yield results as they complete; ``executed_dir / f"{job.output_stem}.ipynb"`` receives each
    executed notebook. With ``pool`` (a warm pool the caller has entered and will close), the jobs go to
    that pool and ``config`` is not used."""
    if pool is not None:
        pool.submit(jobs, executed_dir)
        yield from pool.results()
        return
    config = (config or RunConfig()).with_settings(**settings)
    with ExecutionPool(jobs, executed_dir, config) as pool:
        yield from pool.results()
