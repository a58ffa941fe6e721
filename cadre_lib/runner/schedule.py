"""``parameters/schedule.yaml``: scheduled report runs, and their crontab / systemd timer set-up.

Each job names the notebooks to run, for which units, for whom, in which formats, when (cron), and
the reference date rule. ``python -m cadre_lib run --job NAME`` runs one job, with ``as_of`` derived
from the rule on the day it runs (:func:`as_of_for`); ``python -m cadre_lib schedule`` prints
:func:`crontab_lines` and :func:`systemd_units`.
"""

from __future__ import annotations

import shlex
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cadre_lib.core.schema import error_lines
from cadre_lib.core.scope import LEADERSHIP, UNIT_SELECTORS, Audience, UnitSelector
from cadre_lib.errors import ParameterError, UsageError
from cadre_lib.runner.cron import parse_cron, to_oncalendar

__all__ = [
    "AS_OF_RULES",
    "AsOfRule",
    "Schedule",
    "ScheduleJob",
    "as_of_for",
    "crontab_lines",
    "get_job",
    "load_schedule",
    "systemd_unit_files",
    "systemd_units",
    "unit_name",
]

AsOfRule = Literal["end_of_previous_month", "end_of_previous_quarter", "end_of_previous_year", "today"]
AS_OF_RULES: tuple[str, ...] = get_args(AsOfRule)
_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class ScheduleJob(BaseModel):
    """One scheduled run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=_NAME_PATTERN, max_length=64)]
    description: str = ""
    cron: str
    notebooks: Annotated[list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]], Field(min_length=1)]
    units: UnitSelector | list[str] = "default"
    audience: Audience = LEADERSHIP
    formats: Annotated[list[Literal["html", "pdf"]], Field(min_length=1)] = ["html", "pdf"]
    as_of: AsOfRule | date = "end_of_previous_month"

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        parse_cron(value)  # ValueError -> validation error with the reason
        return value.strip()

    @field_validator("units", mode="before")
    @classmethod
    def _unit_codes_are_text(cls, value: Any) -> Any:
        if isinstance(value, list):
            bad = [v for v in value if not isinstance(v, str)]
            if bad:
                raise ValueError(f"unit codes must be quoted strings in YAML (e.g. '01', not 01): got {bad!r}")
            if not value:
                raise ValueError("the list of units is empty (use 'none' for no unit report)")
        elif isinstance(value, str) and value not in UNIT_SELECTORS:
            raise ValueError(f"{value!r} is not a unit selector ({', '.join(UNIT_SELECTORS)}) nor a list of unit codes")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _known_rule(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in AS_OF_RULES:
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"unknown as_of rule {value!r} (known: {', '.join(AS_OF_RULES)}, or a date YYYY-MM-DD)"
                ) from None
        return value

    @field_validator("formats")
    @classmethod
    def _unique_formats(cls, value: list[str]) -> list[str]:
        return sorted(set(value), key=value.index)

    def as_of_date(self, today: date | None = None) -> date:
        return as_of_for(self.as_of, today or date.today())


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    timezone: str | None = "Asia/Ho_Chi_Minh"
    jobs: list[ScheduleJob] = []

    @model_validator(mode="after")
    def _unique_names(self) -> Schedule:
        names = [j.name for j in self.jobs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"job names must be unique: {', '.join(dupes)}")
        return self


def as_of_for(rule: str | date, today: date) -> date:
    """The reference date a rule gives on ``today``.

    >>> as_of_for("end_of_previous_quarter", date(2026, 11, 26))
    datetime.date(2026, 9, 30)
    >>> as_of_for("end_of_previous_quarter", date(2026, 3, 31))
    datetime.date(2025, 12, 31)
    """
    if isinstance(rule, date):
        return rule
    if rule == "today":
        return today
    if rule == "end_of_previous_month":
        return today.replace(day=1) - timedelta(days=1)
    if rule == "end_of_previous_quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        return today.replace(month=first_month, day=1) - timedelta(days=1)
    if rule == "end_of_previous_year":
        return date(today.year - 1, 12, 31)
    try:
        return date.fromisoformat(rule)
    except ValueError:
        raise ParameterError(
            f"unknown as_of rule {rule!r} (known: {', '.join(AS_OF_RULES)}, or a date YYYY-MM-DD)"
        ) from None


def load_schedule(path: Path) -> Schedule:
    """Read and validate a schedule file; :class:`ParameterError` naming every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParameterError(f"{path}: schedule file not found") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected a mapping with a 'jobs' list at the top level")
    try:
        return Schedule.model_validate(data)
    except ValidationError as exc:
        problems = error_lines(exc, data)
        head = f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}:"
        raise ParameterError("\n".join([head, *(f"  - {p}" for p in problems)])) from None


def get_job(schedule: Schedule, name: str) -> ScheduleJob:
    for job in schedule.jobs:
        if job.name == name:
            return job
    known = ", ".join(j.name for j in schedule.jobs) or "none"
    raise UsageError(f"unknown job {name!r} (jobs in the schedule: {known})")


def _cron_quote(text: str) -> str:
    return shlex.quote(text).replace("%", "\\%")  # crontab turns a bare % into a newline


def _run_command(job: ScheduleJob, python: str) -> list[str]:
    return [python, "-m", "cadre_lib", "run", "--job", job.name]


def crontab_lines(schedule: Schedule, project_dir: Path, python: str) -> str:
    """Crontab lines, one per job: ``cd <dir> && <python> -m cadre_lib run --job NAME >>
    reports/cron.log 2>&1`` (the run's lock keeps jobs from overlapping)."""
    project = _cron_quote(str(project_dir))
    py = _cron_quote(str(python))
    lines = [
        "# cadre-monitor scheduled reports (generated by `python -m cadre_lib schedule`).",
        "# Install: `crontab -e` and paste, or save to a file and `crontab FILE` (replaces your crontab).",
        "# Output and errors go to reports/cron.log; a run that finds another one going exits with an",
        "# error there instead of overlapping.",
    ]
    if schedule.timezone:
        lines.append(
            f"# Times are in the system time zone; this schedule is written for {schedule.timezone}"
            f" (check: timedatectl)."
        )
    for job in schedule.jobs:
        rule = job.as_of.isoformat() if isinstance(job.as_of, date) else job.as_of
        what = f" — {job.description}" if job.description else ""
        lines.append("")
        lines.append(f"# {job.name}{what} (as_of: {rule}; {', '.join(job.formats)})")
        cmd = " ".join(_cron_quote(a) for a in _run_command(job, "PYTHON")[1:])
        lines.append(f"{job.cron} cd {project} && mkdir -p reports && {py} {cmd} >> reports/cron.log 2>&1")
    return "\n".join(lines) + "\n"


def _systemd_quote(text: str) -> str:
    if text and all(c.isalnum() or c in "/._-+=:@," for c in text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit_name(job: ScheduleJob) -> str:
    return f"cadre-monitor-{job.name}"


def systemd_unit_files(schedule: Schedule, project_dir: Path, python: str) -> dict[str, str]:
    """File name -> content: a ``.service`` and a ``.timer`` (systemd user units) per job.
    ``OnCalendar=`` is translated from the cron expression exactly (two lines when cron's
    day-of-month/day-of-week OR rule applies), in the schedule's time zone."""
    project = str(Path(project_dir))
    log_file = f"{project}/reports/cron.log"
    files: dict[str, str] = {}
    for job in schedule.jobs:
        name = unit_name(job)
        exec_start = " ".join(_systemd_quote(a) for a in _run_command(job, str(python)))
        service = [
            "[Unit]",
            f"Description=cadre-monitor: {job.description or job.name}",
            "",
            "[Service]",
            "Type=oneshot",
            f"WorkingDirectory={_systemd_quote(project)}",
            f"ExecStartPre=/bin/mkdir -p {_systemd_quote(project + '/reports')}",
            f"ExecStart={exec_start}",
            f"StandardOutput=append:{log_file}",
            f"StandardError=append:{log_file}",
            "Nice=10",
        ]
        timer = [
            "[Unit]",
            f"Description=Schedule of cadre-monitor job {job.name} (cron: {job.cron})",
            "",
            "[Timer]",
            *(f"OnCalendar={spec}" for spec in to_oncalendar(job.cron, schedule.timezone)),
            "Persistent=true",
            f"Unit={name}.service",
            "",
            "[Install]",
            "WantedBy=timers.target",
        ]
        files[f"{name}.service"] = "\n".join(service) + "\n"
        files[f"{name}.timer"] = "\n".join(timer) + "\n"
    return files


def systemd_units(schedule: Schedule, project_dir: Path, python: str) -> str:
    """:func:`systemd_unit_files` as one text, with install instructions and a ``# ---- NAME ----``
    line before each file."""
    out = [
        "# cadre-monitor scheduled reports as systemd user timers (alternative to crontab).",
        "# Save each file below under ~/.config/systemd/user/, then:",
        "#   systemctl --user daemon-reload",
        "#   systemctl --user enable --now " + " ".join(f"{unit_name(j)}.timer" for j in schedule.jobs),
        "#   loginctl enable-linger $USER    # run even when nobody is logged in",
        "# Check with: systemctl --user list-timers 'cadre-monitor-*'",
        "# A timer with Persistent=true catches up, at the next boot, on a run missed while the",
        "# machine was off.",
    ]
    for file_name, content in systemd_unit_files(schedule, project_dir, python).items():
        out += ["", f"# ---- {file_name} ----", content.rstrip("\n")]
    return "\n".join(out) + "\n"
