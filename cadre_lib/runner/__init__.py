"""Unattended batch execution of parameterized notebooks (papermill), rendering, run directories,
the leadership portal, locking and scheduling. Every setting of a run is a field of :class:`RunConfig`.

Generic: nothing here imports the register, the indicators or the reports (only :mod:`cadre_lib.core`,
:mod:`cadre_lib.errors` and, for rendering, :mod:`cadre_lib.render`).

Public names are imported lazily (``from cadre_lib.runner import run_batch`` loads only what it
needs). Importing this package also keeps jsonschema from importing its slow IRI checker (see
:func:`cadre_lib.runner._imports.skip_slow_iri_format_checker`): ~2 s saved in every process that
imports nbformat, papermill or nbconvert afterwards.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cadre_lib.runner._imports import skip_slow_iri_format_checker

skip_slow_iri_format_checker()

if TYPE_CHECKING:
    from cadre_lib.runner.api import run_batch
    from cadre_lib.runner.config import DEFAULT_PRELOAD, FORMATS, RunConfig, default_jobs
    from cadre_lib.runner.execute import ExecutionPool, execute_jobs
    from cadre_lib.runner.lock import RunLock, lock_held
    from cadre_lib.runner.models import ExecError, ExecutionResult, NotebookJob, ReportResult, RunResult
    from cadre_lib.runner.output import latest_run, run_dirs
    from cadre_lib.runner.render import CadreRenderer, NbconvertRenderer, Renderer
    from cadre_lib.runner.schedule import (
        Schedule,
        ScheduleJob,
        as_of_for,
        crontab_lines,
        get_job,
        load_schedule,
        systemd_units,
    )

_EXPORTS = {
    "DEFAULT_PRELOAD": "config",
    "FORMATS": "config",
    "RunConfig": "config",
    "default_jobs": "config",
    "run_batch": "api",
    "execute_jobs": "execute",
    "ExecutionPool": "execute",
    "RunLock": "lock",
    "lock_held": "lock",
    "ExecError": "models",
    "ExecutionResult": "models",
    "NotebookJob": "models",
    "ReportResult": "models",
    "RunResult": "models",
    "latest_run": "output",
    "run_dirs": "output",
    "CadreRenderer": "render",
    "NbconvertRenderer": "render",
    "Renderer": "render",
    "Schedule": "schedule",
    "ScheduleJob": "schedule",
    "as_of_for": "schedule",
    "crontab_lines": "schedule",
    "get_job": "schedule",
    "load_schedule": "schedule",
    "systemd_units": "schedule",
}

__all__ = [
    "CadreRenderer",
    "DEFAULT_PRELOAD",
    "ExecError",
    "ExecutionResult",
    "FORMATS",
    "NbconvertRenderer",
    "NotebookJob",
    "Renderer",
    "ReportResult",
    "RunConfig",
    "RunLock",
    "RunResult",
    "Schedule",
    "ScheduleJob",
    "as_of_for",
    "crontab_lines",
    "default_jobs",
    "ExecutionPool",
    "execute_jobs",
    "get_job",
    "latest_run",
    "load_schedule",
    "lock_held",
    "run_batch",
    "run_dirs",
    "systemd_units",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cadre_lib.runner' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"cadre_lib.runner.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
