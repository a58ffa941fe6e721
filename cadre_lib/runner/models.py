"""The runner's data: what to execute (NotebookJob), what came out of it (ExecutionResult,
ReportResult, RunResult)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, Literal

__all__ = ["ExecError", "ExecutionResult", "NotebookJob", "ReportResult", "RunResult", "Status"]

Status = Literal["ok", "failed"]

_STEM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _normalize_value(key: str, value: Any) -> Any:
    """Make a parameter value something papermill writes as a Python literal, unchanged in meaning.

    Strings stay strings (a unit code ``"01"`` must reach the notebook as ``"01"``, never ``1``);
    paths and dates become strings (ISO for dates) so the notebook and the manifest see the same text.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_normalize_value(key, v) for v in value]
    if isinstance(value, dict):
        return {str(k): _normalize_value(key, v) for k, v in value.items()}
    raise TypeError(
        f"parameter {key!r}: values of type {type(value).__name__} cannot be passed to a notebook "
        "(use str, int, float, bool, None, date, Path, or lists/dicts of those)"
    )


@dataclass(frozen=True)
class NotebookJob:
    """One notebook execution: ``notebook`` run with ``parameters``, written as ``<output_stem>.*``.

    ``name`` is the human title shown in the portal (e.g. "Báo cáo đơn vị Văn Giang"); ``scope`` says
    what it covers (e.g. "Cấp huyện", "Toàn tỉnh") and is shown in the portal's table.
    """

    name: str
    notebook: Path
    parameters: dict[str, Any]
    output_stem: str
    scope: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "notebook", Path(self.notebook))
        if not _STEM_RE.match(self.output_stem):
            raise ValueError(
                f"output_stem {self.output_stem!r} must be letters, digits, '.', '_' or '-' (it becomes a file name)"
            )
        params: dict[str, Any] = {}
        for key, value in dict(self.parameters).items():
            if not isinstance(key, str) or not _IDENT_RE.match(key):
                raise ValueError(f"parameter name {key!r} is not a Python identifier")
            params[key] = _normalize_value(key, value)
        object.__setattr__(self, "parameters", params)


@dataclass(frozen=True)
class ExecError:
    """Why a report failed.

    ``kind`` is ``error`` (a cell raised), ``timeout`` (cell or overall timeout), ``crash`` (the kernel
    or the worker died, the notebook could not be read, ...) or ``render`` (executed fine, rendering
    failed). ``cell_index`` is 0-based in the *source* notebook (the cell papermill injects for the
    parameters is not counted), ``None`` when no cell is to blame.
    """

    kind: Literal["error", "timeout", "crash", "render"]
    ename: str
    evalue: str
    cell_index: int | None = None
    execution_count: int | None = None
    cell_source: str | None = None
    traceback: str = ""

    def summary(self) -> str:
        """One line for people: ``ValueError: bad value (cell 3)``."""
        text = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        if self.cell_index is not None:
            text += f" (cell {self.cell_index})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ename": self.ename,
            "evalue": self.evalue,
            "cell_index": self.cell_index,
            "execution_count": self.execution_count,
            "cell_source": self.cell_source,
            "traceback": self.traceback,
            "summary": self.summary(),
        }


@dataclass
class ExecutionResult:
    """What a worker reports for one job. ``notebook`` is the executed notebook (a dict in nbformat 4)
    when execution succeeded, so the parent can render it without reading the file back."""

    index: int
    job: NotebookJob
    status: Status
    executed_path: Path
    error: ExecError | None = None
    started_at: str = ""  # ISO 8601, local time with offset
    finished_at: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    worker: int = -1
    kernel_pid: int | None = None
    notebook: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class ReportResult:
    """One report of a run: executed and rendered (or not). Paths are relative to the run directory."""

    job: NotebookJob
    status: Status
    error: ExecError | None = None
    notebook: str | None = None  # "notebooks/<stem>.ipynb" (kept for audit, also when failed)
    html: str | None = None  # "html/<stem>.html"
    pdf: str | None = None  # "pdf/<stem>.pdf"
    started_at: str = ""
    finished_at: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.job.name,
            "scope": self.job.scope,
            "notebook_source": str(self.job.notebook),
            "output_stem": self.job.output_stem,
            "parameters": self.job.parameters,
            "status": self.status,
            "error": self.error.to_dict() if self.error else None,
            "files": {"notebook": self.notebook, "html": self.html, "pdf": self.pdf},
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "timings": self.timings,
        }


@dataclass
class RunResult:
    """The outcome of :func:`cadre_lib.runner.run_batch`. ``ok`` only if every report succeeded;
    ``latest_moved`` says whether ``reports/latest`` now points at this run."""

    run_dir: Path
    reports: list[ReportResult]
    latest_moved: bool
    started_at: str
    finished_at: str
    duration_s: float

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.reports if not r.ok]

    @property
    def exit_code(self) -> int:
        """0 when every report succeeded, 1 otherwise (2 is for bad input, :class:`cadre_lib.errors.CadreError`)."""
        return 0 if self.ok else 1

    @property
    def manifest_path(self) -> Path:
        return self.run_dir / "manifest.json"

    @property
    def index_path(self) -> Path:
        return self.run_dir / "index.html"

    def summary(self) -> str:
        n, bad = len(self.reports), len(self.failed)
        text = f"{n - bad}/{n} reports ok in {self.duration_s:.1f} s -> {self.run_dir}"
        if bad:
            text += "; failed: " + ", ".join(
                f"{r.job.output_stem} ({r.error.summary() if r.error else 'failed'})" for r in self.failed
            )
        return text
