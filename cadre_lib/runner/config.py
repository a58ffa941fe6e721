"""``RunConfig``: every setting of a batch run, in one place.

The CLI (or any caller) builds one :class:`RunConfig`; it travels unchanged to :func:`run_batch`,
the execution pool, each worker process (it is picklable) and, as ``settings``, into manifest.json.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from cadre_lib.core.files import GROUP_DIR_MODE, GROUP_FILE_MODE, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE

__all__ = ["DEFAULT_PRELOAD", "DEFAULT_TITLE", "FORMATS", "RunConfig", "available_modules", "default_jobs"]

#: Output formats a run can render.
FORMATS = ("html", "pdf")
#: Imported once by the kernel zygote, so each kernel starts with them loaded. Callers add their own
#: modules (the report job adds ``cadre_lib.report.preload``).
DEFAULT_PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot")
#: Title of the portal page of a run.
DEFAULT_TITLE = "Báo cáo theo dõi công tác cán bộ trẻ"


def default_jobs() -> int:
    """Default number of workers: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def available_modules(modules: Iterable[str]) -> tuple[str, ...]:
    """The names of ``modules`` whose top-level package is installed (the others cannot be preloaded)."""
    out = []
    for name in modules:
        with contextlib.suppress(ImportError, ValueError):
            if importlib.util.find_spec(name.split(".")[0]) is not None:
                out.append(name)
    return tuple(out)


@dataclass(frozen=True)
class RunConfig:
    """How a batch runs. Every field has a default; ``RunConfig(n_jobs=2, timeout=600)``.

    Execution (read by the pool and the workers)

    ``n_jobs: int | None = None``
        Worker processes, each executing one notebook at a time in a fresh kernel; ``None`` (or less
        than 1): the CPUs this process may use (:func:`default_jobs`). Never more than the number of jobs.
    ``timeout: float = 900``
        Seconds per notebook, all its cells together (kernel start excluded). A worker silent for
        ``timeout + start_timeout + 30`` s is killed and its notebook reported as timed out.
    ``cell_timeout: float | None = None``
        Seconds per cell; ``None``: ``timeout``.
    ``start_timeout: float = 60``
        Seconds a kernel may take to start.
    ``kernel_name: str = "python3"``
        Jupyter kernel spec of every notebook.
    ``cwd: Path | None = None``
        Working directory of the kernels (and of the zygote); ``None``: the current directory.
    ``preload: tuple[str, ...] = DEFAULT_PRELOAD``
        Modules every kernel has imported before the notebook's first cell (no name bound in the
        notebook). :func:`run_batch` drops those not installed.
    ``fork_kernels: bool = True``
        Fork each kernel from a zygote process that imported ``preload`` once (see
        :mod:`cadre_lib.runner.zygote`); otherwise each kernel imports them while it boots.
    ``prestart: bool = True``
        A worker boots its next kernel while the current notebook runs (only when work remains).

    Output (read by :func:`run_batch`)

    ``formats: tuple[str, ...] = ("html", "pdf")``
        What each executed notebook is rendered to (any of :data:`FORMATS`, at least one).
    ``title: str = DEFAULT_TITLE``
        Title of the portal page ``index.html``.
    ``sample_data: bool = False``
        The portal carries the "DỮ LIỆU MẪU" band (reports built from sample data).
    ``as_of: date | None = None``
        Reference date shown on the portal; ``None``: ``manifest_extra["as_of"]`` if given.
    ``group_readable: bool = False``
        Run folders ``0750`` and their files ``0640`` (readable by the group of the files) instead of
        ``0700`` / ``0600`` (owner only); whatever the umask either way (:attr:`dir_mode`, :attr:`file_mode`).

    Run (read by :func:`run_batch`)

    ``lock: bool = True``
        Take the output folder's run lock (:class:`cadre_lib.runner.lock.RunLock`), unless this process
        already holds it.
    ``job_name: str | None = None``
        Name of the scheduled job, written in the lock file (and by the report job in the manifest).
    ``progress: bool = True``
        Progress bar on stderr when stderr is a terminal.
    ``force_progress: bool = False``
        Progress bar on stderr even when it is not a terminal (e.g. a CI log).

    ``manifest.json["settings"]`` records :meth:`manifest_settings` of the resolved configuration.
    """

    n_jobs: int | None = None
    timeout: float = 900
    cell_timeout: float | None = None
    start_timeout: float = 60.0
    kernel_name: str = "python3"
    cwd: Path | None = None
    preload: tuple[str, ...] = DEFAULT_PRELOAD
    fork_kernels: bool = True
    prestart: bool = True
    formats: tuple[str, ...] = FORMATS
    title: str = DEFAULT_TITLE
    sample_data: bool = False
    as_of: date | None = None
    group_readable: bool = False
    lock: bool = True
    job_name: str | None = None
    progress: bool = True
    force_progress: bool = False

    def __post_init__(self) -> None:
        # sequences given as lists or sets (formats in the caller's order, without repeats)
        object.__setattr__(self, "preload", tuple(self.preload))
        formats = self.formats
        if isinstance(formats, set | frozenset):
            formats = tuple(f for f in FORMATS if f in formats) + tuple(sorted(set(formats) - set(FORMATS)))
        object.__setattr__(self, "formats", tuple(dict.fromkeys(formats)))
        if self.cwd is not None:
            object.__setattr__(self, "cwd", Path(self.cwd))

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(f.name for f in fields(cls))

    def with_settings(self, **settings: Any) -> RunConfig:
        """A copy with ``settings`` (field names of this class) changed; ``TypeError`` for other names."""
        unknown = sorted(set(settings) - self.field_names())
        if unknown:
            raise TypeError(f"unknown run setting(s): {', '.join(unknown)}")
        return replace(self, **settings) if settings else self

    def check(self) -> None:
        """``ValueError`` if the settings cannot make a run."""
        unknown = sorted(set(self.formats) - set(FORMATS))
        if unknown:
            raise ValueError(f"unknown output format(s): {', '.join(unknown)} (known: {', '.join(FORMATS)})")
        if not self.formats:
            raise ValueError(f"no output format (known: {', '.join(FORMATS)})")
        if self.timeout <= 0 or (self.cell_timeout is not None and self.cell_timeout <= 0):
            raise ValueError("timeouts must be positive")

    def resolved(self) -> RunConfig:
        """The same settings made concrete: ``n_jobs`` a number, ``cwd`` an absolute path."""
        return replace(
            self,
            n_jobs=self.n_jobs if self.n_jobs and self.n_jobs > 0 else default_jobs(),
            cwd=Path(self.cwd).resolve() if self.cwd is not None else Path.cwd(),
        )

    @property
    def dir_mode(self) -> int:
        """Mode of every folder of a run."""
        return GROUP_DIR_MODE if self.group_readable else PRIVATE_DIR_MODE

    @property
    def file_mode(self) -> int:
        """Mode of every file of a run."""
        return GROUP_FILE_MODE if self.group_readable else PRIVATE_FILE_MODE

    @property
    def per_cell_timeout(self) -> float:
        return self.cell_timeout or self.timeout

    def manifest_settings(self) -> dict[str, Any]:
        """What manifest.json records under ``settings`` (call on the :meth:`resolved` configuration)."""
        return {
            "formats": sorted(self.formats),
            "n_jobs": self.n_jobs,
            "timeout_s": self.timeout,
            "cell_timeout_s": self.per_cell_timeout,
            "kernel_name": self.kernel_name,
            "kernel_cwd": str(self.cwd) if self.cwd is not None else os.getcwd(),
            "fork_kernels": self.fork_kernels,
            "preload": list(self.preload),
            "modes": {"folders": f"{self.dir_mode:04o}", "files": f"{self.file_mode:04o}"},
        }
