"""Refusals: every problem is listed at once with table, spreadsheet row, column and value."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from conftest import HEADERS, UNITS, write_register

from cadre_lib.errors import RegisterError
from cadre_lib.register.validate import load_register

GOOD_CADRES = [["c1", "Nguyễn Văn An", "Nam", "1990-01-01", "X1", "", "", ""]]
GOOD_PLANNING = [["c1", "Bí thư", "X1", "2025-2030", "1", "2024-01-01", "", ""]]


def problems(path):
    with pytest.raises(RegisterError) as info:
        load_register(path, today=dt.date(2026, 11, 26))
    return info.value.problems


def find(probs, table, row, column):
    hits = [p for p in probs if p.table == table and p.row == row and p.column == column]
    assert hits, f"no problem at {table} row {row} column {column}: {[str(p) for p in probs]}"
    return hits[0]


def test_all_problems_listed_at_once(make_register):
    cadres = [
        ["c1", "Nguyễn Văn An", "Nam", "31/02/1990", "X1", "", "", ""],  # row 2: bad date
        ["c2", "Trần Thị Bình", "nữ", "1990-01-01", "ZZ", "", "maybe", ""],  # row 3: unknown unit, bad bool
        ["c1", "Lê Văn Cường", "khác", "2030-01-01", "X1", "", "", ""],  # row 4: duplicate, bad gender, future
    ]
    planning = [
        ["c9", "Bí thư", "X1", "2025-2030", "1", "2024-01-01", "2023-01-01", ""],  # unknown cadre, removed < added
        ["c2", "Bí thư", "X1", "2025-2030", "1", "", "", ""],  # missing added_on
    ]
    evaluations = [["c2", "năm 2024", "HTXSNV", ""], ["c2", "2023", "Giỏi", ""], ["c2", "2023", "HTNV", ""]]
    path = make_register(cadres=cadres, planning=planning, evaluations=evaluations)
    probs = problems(path)
    assert "not a date" in find(probs, "cadres", 2, "birth_date").message
    assert find(probs, "cadres", 2, "birth_date").value == "31/02/1990"
    assert find(probs, "cadres", 3, "unit_id").value == "ZZ"
    assert "yes/no" in find(probs, "cadres", 3, "is_leader").message
    assert "gender" in find(probs, "cadres", 4, "gender").message
    assert "duplicate" in find(probs, "cadres", 4, "cadre_id").message
    assert "future" in find(probs, "cadres", 4, "birth_date").message
    assert "unknown cadre" in find(probs, "planning", 2, "cadre_id").message
    assert "before added_on" in find(probs, "planning", 2, "removed_on").message
    assert "required" in find(probs, "planning", 3, "added_on").message
    assert "whole number" in find(probs, "evaluations", 2, "year").message
    assert "rating" in find(probs, "evaluations", 3, "rating").message
    assert "duplicate" in find(probs, "evaluations", 4, "year").message
    text = str(problems(path)[0])
    assert "cadres.csv" in text and "row 2" in text and "birth_date" in text


def test_missing_tables_and_columns(tmp_path):
    no_birth = [[v for i, v in enumerate(r) if i != 3] for r in GOOD_CADRES]
    path = write_register(tmp_path / "r", {"units": UNITS, "cadres": no_birth},
                          headers={"cadres": [h for h in HEADERS["cadres"] if h != "birth_date"]})
    probs = problems(path)
    assert any(p.table == "planning" and "missing" in p.message for p in probs)
    assert any(p.table == "cadres" and p.column == "birth_date" and "missing" in p.message for p in probs)


def test_parent_cycle_and_unknown_parent(make_register):
    units = [["P", "Tỉnh", "tinh", ""], ["A", "A", "huyen", "B"], ["B", "B", "huyen", "A"],
             ["C", "C", "xa", "Q"], ["E", "E", "Thành phố", "P"]]
    probs = problems(make_register(units=units, cadres=GOOD_CADRES[:0], planning=[]))
    assert "cycle" in find(probs, "units", 3, "parent_id").message
    assert "cycle" in find(probs, "units", 4, "parent_id").message
    assert find(probs, "units", 5, "parent_id").value == "Q"
    assert "level" in find(probs, "units", 6, "level").message


def test_empty_and_non_utf8_files(tmp_path):
    path = write_register(tmp_path / "r", {"units": UNITS, "cadres": GOOD_CADRES, "planning": GOOD_PLANNING})
    (path / "training.csv").write_bytes(b"")
    (path / "cadres.csv").write_bytes("cadre_id,full_name\nc1,Nguyễn Văn An\n".encode("cp1258", errors="replace")
                                      .replace(b"An", b"\xc3\x28"))
    probs = problems(path)
    assert any(p.table == "training" and "empty" in p.message for p in probs)
    enc = [p for p in probs if p.table == "cadres"]
    assert enc and "UTF-8" in enc[0].message and "Save As" in enc[0].message


def test_utf16_and_bom_and_semicolons_are_read(tmp_path):
    path = write_register(tmp_path / "r", {"units": UNITS, "cadres": GOOD_CADRES, "planning": GOOD_PLANNING})
    text = (path / "units.csv").read_text(encoding="utf-8")
    (path / "units.csv").write_text(text, encoding="utf-16")
    text = (path / "cadres.csv").read_text(encoding="utf-8").replace(",", ";")
    (path / "cadres.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    reg = load_register(path)
    assert reg.units.loc[0, "name"] == "Tỉnh Mẫu" and reg.cadres.loc[0, "full_name"] == "Nguyễn Văn An"


def test_vietnamese_headers_labels_and_extra_columns(tmp_path):
    headers = {
        "units": ["Mã đơn vị", "Tên đơn vị", "Cấp", "Đơn vị cấp trên"],
        "cadres": ["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Mã đơn vị", "Ghi chú", "Lãnh đạo",
                   "Người đứng đầu"],
    }
    units = [["P", "Tỉnh Mẫu", "Cấp tỉnh", ""], ["H", "Huyện A", "Cấp Huyện", "P"], ["X1", "Xã B", "XÃ", "H"]]
    cadres = [["c1", "Nguyễn Văn An", "NỮ", "05/03/1990", "X1", "ghi chú", "Có", "không"]]
    path = write_register(tmp_path / "r", {"units": units, "cadres": cadres, "planning": GOOD_PLANNING},
                          headers=headers)
    reg = load_register(path)
    assert list(reg.units.level) == ["tinh", "huyen", "xa"]
    c = reg.cadres.iloc[0]
    assert c.gender == "nu" and c.birth_date.date() == dt.date(1990, 3, 5) and c.is_leader and not c.is_head
    assert any("Ghi chú" in w for w in reg.warnings)


def test_nfc_normalisation(tmp_path):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    cadres = [["c1", nfd, "Nam", "1990-01-01", "X1", "", "", ""]]
    path = write_register(tmp_path / "r", {"units": UNITS, "cadres": cadres, "planning": GOOD_PLANNING})
    assert load_register(path).cadres.loc[0, "full_name"] == "Nguyễn Văn An"


def _workbook(path, tables, date_cells=False):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        ws.append(HEADERS[name])
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def test_excel_row_numbers_and_date_cells(tmp_path):
    cadres = [["c1", "Nguyễn Văn An", "Nam", dt.datetime(1990, 1, 1), "X1", None, 1, 0],
              [None] * 8,  # a blank row keeps the numbering
              ["c2", "Trần Thị Bình", "Nữ", "không phải ngày", "X1", None, True, None]]
    path = _workbook(tmp_path / "register.xlsx", {"units": UNITS, "cadres": cadres, "planning": GOOD_PLANNING})
    probs = problems(path)
    p = find(probs, "cadres", 4, "birth_date")
    assert "register.xlsx[cadres]" in str(p)
    cadres[2][3] = "02/01/1991"
    reg = load_register(_workbook(tmp_path / "ok.xlsx", {"units": UNITS, "cadres": cadres, "planning": GOOD_PLANNING}))
    assert list(reg.cadres.birth_date.dt.strftime("%Y-%m-%d")) == ["1990-01-01", "1991-01-02"]
    assert list(reg.cadres._row) == [2, 4]
    assert list(reg.cadres.is_leader) == [True, True]


def test_irregular_csv_falls_back_and_keeps_row_numbers(tmp_path):
    """Quoted newlines, a ragged row and repeated headers go through the careful reader."""
    path = write_register(tmp_path / "r", {"units": UNITS, "cadres": GOOD_CADRES, "planning": GOOD_PLANNING})
    (path / "cadres.csv").write_text(
        "cadre_id,full_name,gender,birth_date,unit_id,position,is_leader,is_head\n"
        'c1,"Nguyễn Văn An",Nam,1990-01-01,X1,"Phó Chủ tịch, UBND",1,0\n'
        "c2,Trần Thị Bình,Nữ,1990-13-01,X1,,,\n", encoding="utf-8")
    probs = problems(path)
    assert find(probs, "cadres", 3, "birth_date").value == "1990-13-01"
    (path / "cadres.csv").write_text(
        "cadre_id,full_name,gender,birth_date,unit_id,position,is_leader,is_head\n"
        "c1,Nguyễn Văn An,Nam,1990-01-01,X1,,1,0,extra\n", encoding="utf-8")
    probs = problems(path)
    assert [(p.table, p.row) for p in probs] == [("cadres", 2)]
    assert "9 cells but the header has 8 columns" in probs[0].message
    (path / "cadres.csv").write_text(
        "cadre_id,full_name,gender,birth_date,unit_id,position,is_leader,is_head\n"
        'c1,"Nguyễn Văn An",Nam,1990-01-01,X1,"Chủ tịch\nUBND xã",1,0\n', encoding="utf-8")
    reg = load_register(path)
    assert reg.cadres.loc[0, "position"] == "Chủ tịch\nUBND xã"
