"""The command line: exit codes, messages without traceback, output formats, CSV vs XLSX equality."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import HEADERS
from test_indicators import CADRES, EVALUATIONS, MOVEMENTS, PLANNING, TRAINING, UNIT_REPORTS

from cadre_lib.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def register(make_register):
    return make_register(cadres=CADRES, planning=PLANNING, training=TRAINING, movements=MOVEMENTS,
                         evaluations=EVALUATIONS, unit_reports=UNIT_REPORTS)


@pytest.fixture
def params_file(tmp_path):
    text = (ROOT / "parameters" / "default.yaml").read_text(encoding="utf-8")
    # the dates of the hand-computed register, whatever the defaults are
    text = re.sub(r"(?m)^as_of: .*$", "as_of: 2025-06-30", text)
    text = re.sub(r"(?m)^period_start: .*$", "period_start: 2024-01-01", text)
    p = tmp_path / "p.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cadre_lib", *args], capture_output=True, text=True, cwd=ROOT)


def test_indicators_json_to_stdout(register, params_file):
    r = run("indicators", "--data", str(register), "--params", str(params_file))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    rec = next(d for d in data if d["indicator"] == "young_share_planning" and d["unit_id"] == "ALL"
               and d["level"] == "all")
    assert rec == {"indicator": "young_share_planning", "unit_id": "ALL", "level": "all", "numerator": 3,
                   "denominator": 5, "value": 0.6, "target": 0.15, "status": "green"}
    none = next(d for d in data if d["indicator"] == "young_share_nomination" and d["unit_id"] == "ALL"
                and d["level"] == "all")
    assert none["value"] is None and none["status"] == "none"


def test_csv_and_workbook_give_identical_output(register, params_file, tmp_path, capsys):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in [n for n in HEADERS if (register / f"{n}.csv").exists()]:
        frame = pd.read_csv(register / f"{name}.csv", dtype=str, keep_default_na=False)
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([int(v) if v.isdigit() and len(v) < 3 else v for v in row])
    book = tmp_path / "register.xlsx"
    wb.save(book)
    assert main(["indicators", "--data", str(register), "--params", str(params_file)]) == 0
    from_csv = capsys.readouterr().out
    assert main(["indicators", "--data", str(book), "--params", str(params_file)]) == 0
    from_xlsx = capsys.readouterr().out
    assert from_csv == from_xlsx and len(json.loads(from_csv)) == 18 * 6 * 4


def test_formats_and_as_of(register, params_file, tmp_path):
    out = tmp_path / "ind.xlsx"
    assert main(["indicators", "--data", str(register), "--params", str(params_file), "--out", str(out)]) == 0
    frame = pd.read_excel(out, engine="openpyxl")
    assert list(frame.columns) == ["indicator", "unit_id", "level", "numerator", "denominator", "value", "target",
                                   "status"]
    csv_out = tmp_path / "ind.csv"
    assert main(["indicators", "--data", str(register), "--params", str(params_file), "--as-of", "01/07/2025",
                 "--out", str(csv_out)]) == 0
    c = pd.read_csv(csv_out)
    r = c[(c.indicator == "young_share_appointment") & (c.unit_id == "ALL") & (c.level == "all")].iloc[0]
    assert (r.numerator, r.denominator) == (2, 4)


def test_explain_missing_csv(register, params_file, tmp_path):
    out = tmp_path / "todo.csv"
    assert main(["explain", "--data", str(register), "--params", str(params_file), "--indicator",
                 "leadership_training_coverage", "--unit", "ALL", "--missing", "--out", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.cadre_id) == ["c5"] and frame.full_name[0] == "Hoàng Văn Em"


def test_bad_register_exit_2_without_traceback(make_register, params_file):
    path = make_register(cadres=[["c1", "A", "Nam", "1990-13-01", "X1", "", "", ""]], planning=[])
    r = run("validate", "--data", str(path), "--params", str(params_file))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "cadres.csv, row 2, column 'birth_date'" in r.stderr and "1990-13-01" in r.stderr


@pytest.mark.parametrize("text,needle", [
    ("as_of: 2025-06-30\nyoung_age_under: {tinh: 40, huyen: 40, xa: 35}\ncolour: red\n", "colour: unknown key"),
    ("as_of: 2025-06-30\nyoung_age_under: {tinh: 40, huyen: 40}\n", "young_age_under must cover every level"),
    ("as_of: 2025-06-31\nyoung_age_under: {tinh: 40, huyen: 40, xa: 35}\n", "as_of"),
    ("as_of: 2025-06-30\nyoung_age_under: {tinh: 40, huyen: 40, xa: 35}\namber_ratio: lots\n", "amber_ratio"),
    ("as_of: 2025-06-30\nyoung_age_under: {tinh: 40, huyen: 40, xa: 35}\ntargets: {young_share: {all: 0.1}}\n",
     "unknown indicator 'young_share'"),
])
def test_bad_parameters_exit_2(register, tmp_path, text, needle):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    r = run("validate", "--data", str(register), "--params", str(p))
    assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_unknown_unit_and_indicator(register, params_file):
    r = run("explain", "--data", str(register), "--params", str(params_file), "--indicator", "nope")
    assert r.returncode == 2 and "unknown indicator" in r.stderr
    r = run("explain", "--data", str(register), "--params", str(params_file), "--indicator",
            "young_share_planning", "--unit", "NOPE")
    assert r.returncode == 2 and "unknown unit 'NOPE'" in r.stderr
    r = run("indicators", "--data", str(register), "--params", str(params_file), "--as-of", "yesterday")
    assert r.returncode == 2 and "--as-of" in r.stderr


def test_validate_summary(register, params_file):
    r = run("validate", "--data", str(register), "--params", str(params_file))
    assert r.returncode == 0 and "valid" in r.stdout and "cadres" in r.stdout
