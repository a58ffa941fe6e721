"""parameters/schedule.yaml: validation, as_of rules, crontab and systemd output, cron translation."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from cadre_lib.errors import ParameterError, UsageError
from cadre_lib.runner import as_of_for, crontab_lines, get_job, load_schedule, systemd_units
from cadre_lib.runner.cron import parse_cron, to_oncalendar
from cadre_lib.runner.schedule import systemd_unit_files

SCHEDULE = Path(__file__).resolve().parents[1] / "parameters" / "schedule.yaml"
PROJECT = Path("/srv/cadre monitor")  # a space, to check quoting
PYTHON = "/srv/cadre monitor/.venv/bin/python"


@pytest.mark.parametrize(
    ("rule", "today", "expected"),
    [
        ("end_of_previous_quarter", date(2026, 11, 26), date(2026, 9, 30)),
        ("end_of_previous_quarter", date(2026, 10, 1), date(2026, 9, 30)),
        ("end_of_previous_quarter", date(2026, 3, 31), date(2025, 12, 31)),
        ("end_of_previous_quarter", date(2026, 1, 1), date(2025, 12, 31)),
        ("end_of_previous_quarter", date(2026, 7, 1), date(2026, 6, 30)),
        ("end_of_previous_quarter", date(2026, 6, 30), date(2026, 3, 31)),
        ("end_of_previous_month", date(2026, 3, 1), date(2026, 2, 28)),
        ("end_of_previous_month", date(2024, 3, 15), date(2024, 2, 29)),
        ("end_of_previous_month", date(2026, 1, 1), date(2025, 12, 31)),
        ("end_of_previous_month", date(2026, 12, 31), date(2026, 11, 30)),
        ("end_of_previous_year", date(2026, 1, 1), date(2025, 12, 31)),
        ("end_of_previous_year", date(2026, 12, 31), date(2025, 12, 31)),
        ("today", date(2026, 2, 28), date(2026, 2, 28)),
        (date(2024, 12, 31), date(2026, 11, 26), date(2024, 12, 31)),
        ("2024-12-31", date(2026, 11, 26), date(2024, 12, 31)),
    ],
)
def test_as_of_rules(rule: str | date, today: date, expected: date) -> None:
    assert as_of_for(rule, today) == expected


def test_unknown_rule() -> None:
    with pytest.raises(ParameterError, match="unknown as_of rule"):
        as_of_for("end_of_last_week", date(2026, 1, 1))


def test_project_schedule_is_valid() -> None:
    schedule = load_schedule(SCHEDULE)
    names = [j.name for j in schedule.jobs]
    assert {"monthly-overview", "quarterly-all-units", "quarterly-analyst-pack"} <= set(names)
    monthly = get_job(schedule, "monthly-overview")
    assert monthly.cron == "0 6 1 * *" and monthly.audience == "leadership"
    assert monthly.formats == ["html", "pdf"] and monthly.as_of == "end_of_previous_month"
    assert monthly.as_of_date(date(2026, 12, 1)) == date(2026, 11, 30)
    quarterly = get_job(schedule, "quarterly-all-units")
    assert quarterly.units == "all" and quarterly.as_of_date(date(2027, 1, 2)) == date(2026, 12, 31)
    with pytest.raises(UsageError, match="unknown job 'nope'.*monthly-overview"):
        get_job(schedule, "nope")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_JOB = """
  - name: m
    cron: "0 6 1 * *"
    notebooks: [overview]
"""


def test_extra_keys_are_refused_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "jobs:\n  - name: m\n    cron: '0 6 1 * *'\n    notebooks: [overview]\n    audiance: x\n")
    with pytest.raises(ParameterError, match=r"unknown key 'audiance' in jobs\[0\] \(m\)"):
        load_schedule(path)
    path = write(tmp_path, "jobs:" + GOOD_JOB + "timezon: UTC\n")
    with pytest.raises(ParameterError, match="unknown key 'timezon' in top level"):
        load_schedule(path)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    units: [01, '02']\n", "unit codes must be quoted strings"),
        ("    units: everyone\n", "'everyone' is not a unit selector"),
        ("    formats: [html, docx]\n", r"formats\[1\]"),
        ("    as_of: end_of_last_month\n", "unknown as_of rule 'end_of_last_month'"),
        ("    audience: public\n", "audience"),
    ],
)
def test_invalid_values(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        load_schedule(write(tmp_path, "jobs:" + GOOD_JOB + extra))


def test_invalid_cron_and_duplicate_names(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="hour: 25 is outside 0-23"):
        load_schedule(write(tmp_path, "jobs:\n  - name: m\n    cron: '0 25 * * *'\n    notebooks: [overview]\n"))
    with pytest.raises(ParameterError, match="job names must be unique: m"):
        load_schedule(write(tmp_path, "jobs:" + GOOD_JOB + GOOD_JOB))
    with pytest.raises(ParameterError, match="not valid YAML"):
        load_schedule(write(tmp_path, "jobs: [\n"))
    with pytest.raises(ParameterError, match="not found"):
        load_schedule(tmp_path / "missing.yaml")


def test_fixed_date_and_unit_list(tmp_path: Path) -> None:
    schedule = load_schedule(write(tmp_path, "jobs:" + GOOD_JOB + "    units: ['01', 'VG']\n    as_of: 2024-12-31\n"))
    job = schedule.jobs[0]
    assert job.units == ["01", "VG"] and job.as_of == date(2024, 12, 31)
    assert job.as_of_date(date(2026, 1, 1)) == date(2024, 12, 31)


def test_crontab_lines() -> None:
    schedule = load_schedule(SCHEDULE)
    text = crontab_lines(schedule, PROJECT, PYTHON)
    entries = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(entries) == len(schedule.jobs)
    for job, line in zip(schedule.jobs, entries, strict=True):
        assert line.startswith(job.cron + " ")
        assert f"-m cadre_lib run --job {job.name} >> reports/cron.log 2>&1" in line
        assert "cd '/srv/cadre monitor' && " in line and "'/srv/cadre monitor/.venv/bin/python' -m" in line


def test_systemd_units() -> None:
    schedule = load_schedule(SCHEDULE)
    text = systemd_units(schedule, PROJECT, PYTHON)
    for job in schedule.jobs:
        assert f"# ---- cadre-monitor-{job.name}.service ----" in text
        assert f"# ---- cadre-monitor-{job.name}.timer ----" in text
        assert f'ExecStart="/srv/cadre monitor/.venv/bin/python" -m cadre_lib run --job {job.name}' in text
    assert "OnCalendar=*-*-01 06:00:00 Asia/Ho_Chi_Minh" in text
    assert "OnCalendar=*-01,04,07,10-02 05:00:00 Asia/Ho_Chi_Minh" in text
    assert text.count("\nPersistent=true\n") == len(schedule.jobs)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_unit_files_verify(tmp_path: Path) -> None:
    schedule = load_schedule(SCHEDULE)
    files = systemd_unit_files(schedule, tmp_path, "/bin/true")
    assert len(files) == 2 * len(schedule.jobs)
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    (tmp_path / "reports").mkdir()
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in files if n.endswith(".timer"))],
        capture_output=True,
        text=True,
    )
    if "Failed to initialize manager" in result.stderr:
        pytest.skip("systemd-analyze verify cannot run here")
    problems = [line for line in result.stderr.splitlines() if "cadre-monitor" in line]
    assert not problems, result.stderr


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("0 6 1 * *", ["*-*-01 06:00:00"]),
        ("0 5 2 1,4,7,10 *", ["*-01,04,07,10-02 05:00:00"]),
        ("*/15 8-17 * * mon-fri", ["Mon,Tue,Wed,Thu,Fri *-*-* 08..17:00/15:00"]),
        ("30 2 * * 0", ["Sun *-*-* 02:30:00"]),
        ("30 2 * * 7", ["Sun *-*-* 02:30:00"]),
        ("0 0 1,15 * 5", ["*-*-01,15 00:00:00", "Fri *-*-* 00:00:00"]),  # cron ORs the day fields
        ("0 6 */2 * mon", ["Mon *-*-01/2 06:00:00"]),  # ... but ANDs them when one starts with *
        ("0 9-17/2 * * *", ["*-*-* 09,11,13,15,17:00:00"]),
        ("0 0 1 */3 *", ["*-01/3-01 00:00:00"]),
        ("@monthly", ["*-*-01 00:00:00"]),
        ("@daily", ["*-*-* 00:00:00"]),
    ],
)
def test_cron_to_oncalendar(cron: str, expected: list[str]) -> None:
    assert to_oncalendar(cron) == expected


@pytest.mark.parametrize(
    "cron", ["0 6 1 *", "60 * * * *", "* * 0 * *", "0 6 1 13 *", "0 6 * * 8", "0 6 L * *", "@reboot", "5-1 * * * *"]
)
def test_invalid_cron(cron: str) -> None:
    with pytest.raises(ValueError):
        parse_cron(cron)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_oncalendar_values_are_accepted_by_systemd() -> None:
    schedule = load_schedule(SCHEDULE)
    specs = [s for job in schedule.jobs for s in to_oncalendar(job.cron, schedule.timezone)]
    specs += to_oncalendar("*/15 8-17 * * mon-fri") + to_oncalendar("0 0 1,15 * 5")
    result = subprocess.run(["systemd-analyze", "calendar", *specs], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
