"""Data quality (cadre_lib.indicators.quality) on a small register built to trip each check a known number of
times. Reference date 30/06/2025, terms 2020-2025 and 2025-2030 (the parameters of conftest).

Units: P (tinh, root) > D (tinh), H (huyen) > X1, X2 (xa). Spreadsheet rows: the header is row 1, so the
first data row is row 2.
"""

from __future__ import annotations

import math

import pytest
from conftest import params

from cadre_lib.indicators.quality import assess
from cadre_lib.register.validate import load_register

CADRES = [
    ["k1", "Người Một", "Nam", "2010-01-01", "X1", "", "", ""],  # row 2: 15 years old: under 18
    ["k2", "Người Hai", "Nữ", "1955-01-01", "D", "", "", ""],  # row 3: 70: over 65
    ["k3", "Người Ba", "Nam", "1990-01-01", "H", "", "", ""],
    ["k4", "Người Bốn", "Nữ", "1992-05-05", "H", "", "", ""],
    ["k5", "Người Năm", "Nam", "1985-03-03", "X2", "", "", ""],
    ["k6", "Người Sáu", "Nam", "1980-01-01", "X1", "", "", ""],
]
PLANNING = [
    # one post of H with four people planned: rows 2-5 break the limit of three per post
    ["k3", "Chủ tịch UBND huyện", "H", "2025-2030", "1", "2024-01-01", "", ""],
    ["k4", "Chủ tịch UBND huyện", "H", "2025-2030", "1", "2024-01-01", "", ""],
    ["k5", "Chủ tịch UBND huyện", "H", "2025-2030", "1", "2024-01-01", "", ""],
    ["k6", "Chủ tịch UBND huyện", "H", "2025-2030", "1", "2024-01-01", "", ""],
    # k6 planned for four commune posts in one term: rows 6-9 break the limit of three posts per level
    ["k6", "Bí thư Đảng ủy xã", "X1", "2025-2030", "", "2024-01-01", "", ""],
    ["k6", "Chủ tịch UBND xã", "X1", "2025-2030", "", "2024-01-01", "", ""],
    ["k6", "Phó Bí thư Đảng ủy xã", "X2", "2025-2030", "", "2024-01-01", "", ""],
    ["k6", "Phó Chủ tịch UBND xã", "X2", "2025-2030", "", "2024-01-01", "", ""],
    # not in force on 30/06/2025: removed, not yet added, another term
    ["k2", "Giám đốc Sở", "D", "2020-2025", "1", "2020-01-01", "2024-01-01", "Nghỉ hưu"],
    ["k2", "Giám đốc Sở", "D", "2025-2030", "1", "2025-07-01", "", ""],
    ["k1", "Chủ tịch UBND xã", "X1", "2015-2020", "", "2016-01-01", "", ""],
]
TRAINING = [
    ["k1", "leadership", "Lớp A", "2025-01-01"],  # row 2: completed at 15
    ["k3", "leadership", "", ""],  # not completed: no age to check
    ["k4", "political_theory", "Lớp B", "2024-02-02"],
]
MOVEMENTS = [
    ["k1", "appointment", "2024-06-01", "X1", "", "", ""],  # row 2: appointed at 14
    ["k3", "appointment", "2024-01-01", "H", "", "", ""],
]
EVALUATIONS = [
    ["k3", "2024", "completed", ""],
    ["k6", "2024", "good", "2025-01-10"],
    ["k4", "2023", "excellent", ""],
    # k5 (planned) never evaluated
]
UNIT_REPORTS = [
    ["P", "2025", "2025-03-01", ""],
    ["H", "2025", "", "2025-06-01"],
    ["X1", "2024", "2024-03-01", ""],  # last year's: X1 still lacks a 2025 report
]


@pytest.fixture
def report(make_register):
    path = make_register(cadres=CADRES, planning=PLANNING, training=TRAINING, movements=MOVEMENTS,
                         evaluations=EVALUATIONS, unit_reports=UNIT_REPORTS)
    return assess(load_register(path), params())


def finding(report, check):
    (f,) = [f for f in report.findings if f.check == check]
    return f


@pytest.mark.parametrize("check,table,count,rows", [
    ("age_under_18", "cadres", 1, [2]),
    ("age_over_65", "cadres", 1, [3]),
    ("movement_before_18", "movements", 1, [2]),
    ("training_before_18", "training", 1, [2]),
    ("planned_never_evaluated", "planning", 1, [4]),  # k5, first planned on row 4
    ("unit_report_missing", "units", 3, [3, 5, 6]),  # D, X1, X2 (units.csv rows)
])
def test_each_check(report, check, table, count, rows):
    f = finding(report, check)
    assert (f.table, f.count, f.rows) == (table, count, rows)


def test_findings_are_labelled_and_counted(report):
    assert [f.check for f in report.findings] == [
        "age_under_18", "age_over_65", "movement_before_18", "training_before_18",
        "planned_never_evaluated", "unit_report_missing"]
    # people per post and posts per person are indicators 16-17 now (limits from the rule set in force)
    assert report.issue_count == 1 + 1 + 1 + 1 + 1 + 3
    f = finding(report, "unit_report_missing")
    assert f.label("vi") == "Đơn vị chưa có báo cáo năm 2025" and f.label("en") == "Units without a 2025 report"


def test_row_counts(report):
    assert report.rows == {"units": 5, "cadres": 6, "planning": 11, "training": 3, "movements": 2, "evaluations": 3,
                           "unit_reports": 3, "unit_successors": 0}


def test_completeness(report):
    c = report.completeness.set_index(["table", "column"])
    assert (c.loc[("units", "parent_id"), "filled"], c.loc[("units", "parent_id"), "total"]) == (4, 5)
    assert c.loc[("training", "completed_on"), "filled"] == 2
    assert c.loc[("training", "completed_on"), "share"] == pytest.approx(2 / 3)
    assert c.loc[("cadres", "position"), "share"] == 0
    assert c.loc[("planning", "removed_on"), "filled"] == 1
    assert ("cadres", "is_leader") not in c.index  # booleans: blank means "no", nothing is missing
    assert ("cadres", "birth_date") not in c.index  # required columns are complete by validation


def test_by_unit(report):
    b = report.by_unit.set_index("unit_id")
    assert b.loc[["P", "D", "H", "X1", "X2"], "cadres"].tolist() == [0, 1, 2, 2, 1]
    # evaluated for 2024: k3 (H) and k6 (X1)
    assert b.loc[["D", "H", "X1", "X2"], "share_evaluated_last_year"].tolist() == [0.0, 0.5, 0.5, 0.0]
    assert math.isnan(b.loc["P", "share_evaluated_last_year"])  # no cadre: no share
    # planned on 30/06/2025, by the unit of the planning row: H k3-k6, X1 and X2 k6
    assert b.loc[["P", "D", "H", "X1", "X2"], "planned"].tolist() == [0, 0, 4, 1, 1]
    assert b.loc[["H", "X1", "X2"], "planned_never_evaluated"].tolist() == [1, 0, 0]  # k5
