"""Every indicator on a small register whose expected values are worked out by hand below.

Reference date 30/06/2025, movement window 01/01/2024..30/06/2025, young = under 40 (tinh, huyen),
under 35 (xa). Units: P (tinh, root) > D (tinh), H (huyen) > X1, X2 (xa).
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import UNITS, params

from cadre_lib.indicators.engine import Engine, age_at
from cadre_lib.register.validate import load_register

CADRES = [
    # id, name, gender, birth, unit, position, leader, head
    ["c1", "Nguyễn Văn An", "Nam", "1985-06-30", "X1", "", "1", "0"],  # 40 on as_of: not young anywhere
    ["c2", "Trần Thị Bình", "Nữ", "01/07/1985", "H", "", "x", "x"],  # 39: young at tinh/huyen, not at xa
    ["c3", "Lê Thị Cúc", "nu", "30/06/1991", "X1", "", "", ""],  # 34 on as_of (birthday): young at xa
    ["c4", "Phạm Văn Dũng", "M", "1990-06-30", "X2", "", "có", "có"],  # 35 on as_of: not young at xa
    ["c5", "Hoàng Văn Em", "male", "1995-01-01", "D", "", "0", "0"],  # 30
    ["c6", "Vũ Thị Phượng", "F", "1970-01-01", "D", "", "yes", "yes"],  # 55
]
PLANNING = [
    # cadre, post, unit, term, key, added, removed, reason               spreadsheet row
    ["c1", "Chủ tịch UBND huyện", "H", "2025-2030", "có", "2024-01-01", "", ""],  # 2 active
    ["c2", "Bí thư Huyện ủy", "H", "2025-2030", "1", "2025-06-30", "", ""],  # 3 active (added on as_of)
    ["c2", "Phó Chủ tịch UBND xã", "X1", "2025-2030", "", "2024-03-01", "", ""],  # 4 active, 2nd level
    ["c3", "Bí thư Đảng ủy xã", "X1", "2020-2025", "x", "2023-01-01", "2025-06-30", "Chuyển công tác"],  # 5 removed
    ["c3", "Phó Bí thư Đảng ủy xã", "X2", "2025-2030", "0", "2024-05-01", "", ""],  # 6 active
    ["c4", "Chủ tịch UBND xã", "X2", "2025-2030", "true", "2024-05-01", "", ""],  # 7 active
    ["c5", "Giám đốc Sở", "D", "2025-2030", "yes", "2025-07-01", "", ""],  # 8 not yet
    ["c6", "Giám đốc Sở", "D", "2015-2020", "yes", "2015-01-01", "", ""],  # 9 other term
    ["c5", "Phó Giám đốc Sở", "D", "2020-2025", "yes", "2022-01-01", "2025-07-01", ""],  # 10 active
]
TRAINING = [
    ["c2", "Kỹ năng lãnh đạo, quản lý", "Lớp bồi dưỡng", "30/06/2025"],  # on as_of: counts
    ["c5", "leadership", "", "2025-07-01"],  # after as_of
    ["c5", "LLCT", "Trung cấp LLCT", "2024-01-01"],  # not leadership
    ["c1", "leadership", "", "2024-01-01"],
    ["c4", "leadership", "", ""],  # not completed
]
MOVEMENTS = [
    ["c3", "Bổ nhiệm", "2024-01-01", "X1", "", "", "1"],  # window start, young at xa (32), out of level
    ["c4", "appointment", "30/06/2025", "H", "X2", "", "0"],  # window end, 35 at huyen: young
    ["c1", "appointment", "2023-12-31", "X1", "", "", ""],  # before window
    ["c2", "appointment", "2025-07-01", "H", "", "", ""],  # after window
    ["c6", "appointment", "2024-06-01", "D", "", "", ""],  # 54: not young
    ["c5", "Luân chuyển", "2024-02-01", "X2", "D", "", ""],  # 29 at xa: young
    ["c4", "rotation", "2024-02-01", "X1", "X2", "", ""],  # 33 at the event (35 at as_of): young
    ["c1", "Điều động", "2024-03-01", "D", "X1", "", ""],  # 38 at tinh: young
]
EVALUATIONS = [
    ["c1", "2023", "Không hoàn thành nhiệm vụ", ""],  # dated 31/12/2023
    ["c1", "2024", "HTTNV", "2025-01-10"],
    ["c2", "2024", "KHTNV", "2025-01-05"],
    ["c2", "2025", "HTXSNV", "2025-12-20"],  # after as_of: ignored
    ["c3", "2024", "excellent", ""],  # dated 31/12/2024
    ["c3", "2026", "not_completed", ""],  # after as_of
    ["c5", "2020", "completed", ""],
    ["c5", "2023", "completed", ""],
    ["c5", "2024", "not_completed", "2024-12-20"],
]
UNIT_REPORTS = [
    ["P", "2025", "2025-03-01", "2025-06-30"],
    ["D", "2025", "2025-07-01", "2025-01-15"],
    ["H", "2024", "2024-05-01", "2024-12-31"],
    ["H", "2025", "", ""],
    ["X1", "2025", "30/06/2025", "2025-07-01"],
]


@pytest.fixture
def engine(make_register):
    path = make_register(cadres=CADRES, planning=PLANNING, training=TRAINING, movements=MOVEMENTS,
                         evaluations=EVALUATIONS, unit_reports=UNIT_REPORTS)
    return Engine(load_register(path), params())


@pytest.fixture
def table(engine):
    return engine.compute()


def nd(table, indicator, unit="ALL", level="all"):
    r = table[(table.indicator == indicator) & (table.unit_id == unit) & (table.level == level)]
    assert len(r) == 1, (indicator, unit, level)
    return int(r.numerator.iloc[0]), int(r.denominator.iloc[0])


def test_age_birthday_counts():
    import pandas as pd

    births = pd.Series(pd.to_datetime(["1985-06-30", "1985-07-01", "2000-02-29", "2000-02-29"]))
    assert list(age_at(births, dt.date(2025, 6, 30))[:2]) == [40, 39]
    assert list(age_at(births[2:], dt.date(2025, 2, 28))) == [24, 24]
    assert list(age_at(births[2:], dt.date(2025, 3, 1))) == [25, 25]


@pytest.mark.parametrize("unit,level,expected", [
    ("ALL", "all", (3, 5)), ("P", "all", (3, 5)), ("ALL", "tinh", (1, 1)), ("ALL", "huyen", (1, 2)),
    ("ALL", "xa", (1, 3)),  # c2 is young by her district row only, so not at commune level
    ("H", "all", (2, 4)), ("X1", "all", (0, 1)), ("X2", "all", (1, 2)), ("D", "all", (1, 1)), ("D", "xa", (0, 0)),
])
def test_young_share_planning(table, unit, level, expected):
    assert nd(table, "young_share_planning", unit, level) == expected


def test_female_share_planning(table):
    assert nd(table, "female_share_planning") == (2, 5)
    assert nd(table, "female_share_planning", "H") == (2, 4)
    assert nd(table, "female_share_planning", "X1") == (1, 1)
    assert nd(table, "female_share_planning", "ALL", "xa") == (2, 3)


def test_young_share_key_planning(table):
    assert nd(table, "young_share_key_planning") == (2, 4)
    assert nd(table, "young_share_key_planning", "ALL", "huyen") == (1, 2)
    assert nd(table, "young_share_key_planning", "ALL", "xa") == (0, 1)
    assert nd(table, "young_share_key_planning", "ALL", "tinh") == (1, 1)


def test_leadership_training_coverage(table, engine):
    assert nd(table, "leadership_training_coverage") == (1, 2)
    assert nd(table, "leadership_training_coverage", "H") == (1, 1)
    assert nd(table, "leadership_training_coverage", "D") == (0, 1)
    row = table[(table.indicator == "leadership_training_coverage") & (table.unit_id == "X2") & (table.level == "all")]
    assert row.value.isna().all() and (row.status == "none").all()
    todo = engine.explain("leadership_training_coverage", "ALL", missing=True)
    assert list(todo.cadre_id) == ["c5"]


def test_movements(table):
    assert nd(table, "young_share_appointment") == (2, 3)
    assert nd(table, "young_share_appointment", "ALL", "xa") == (1, 1)
    assert nd(table, "young_share_appointment", "ALL", "huyen") == (1, 1)
    assert nd(table, "young_share_appointment", "ALL", "tinh") == (0, 1)
    assert nd(table, "young_share_appointment", "H") == (2, 2)
    assert nd(table, "young_share_rotation") == (2, 2)
    assert nd(table, "young_share_rotation", "X1") == (1, 1)
    assert nd(table, "young_share_mobilization") == (1, 1)
    assert nd(table, "young_share_mobilization", "H") == (0, 0)
    assert nd(table, "young_share_nomination") == (0, 0)
    assert nd(table, "out_of_level_appointments") == (1, 3)
    assert nd(table, "out_of_level_appointments", "H") == (1, 2)


def test_leaders_and_heads(table):
    assert nd(table, "young_share_leaders") == (1, 4)
    assert nd(table, "young_share_leaders", "H") == (1, 3)
    assert nd(table, "young_share_leaders", "ALL", "xa") == (0, 2)
    assert nd(table, "young_share_heads") == (1, 3)


def test_unit_reports(table):
    assert nd(table, "rotation_plan_coverage") == (2, 5)
    assert nd(table, "rotation_plan_coverage", "ALL", "tinh") == (1, 2)
    assert nd(table, "rotation_plan_coverage", "ALL", "huyen") == (0, 1)
    assert nd(table, "rotation_plan_coverage", "ALL", "xa") == (1, 2)
    assert nd(table, "rotation_plan_coverage", "H") == (1, 3)
    assert nd(table, "planning_review_on_time") == (2, 5)
    assert nd(table, "planning_review_on_time", "ALL", "tinh") == (2, 2)
    assert nd(table, "planning_review_on_time", "H") == (0, 3)


def test_review_deadline_before_as_of(make_register):
    path = make_register(cadres=CADRES, planning=PLANNING, unit_reports=UNIT_REPORTS)
    t = Engine(load_register(path), params(review_deadline=dt.date(2025, 1, 10))).compute()
    assert nd(t, "planning_review_on_time") == (0, 5)


def test_out_of_standard_and_evaluation(table):
    assert nd(table, "planning_out_of_standard") == (2, 5)  # c2 and c5, last rated not_completed
    assert nd(table, "planning_out_of_standard", "H") == (1, 4)
    assert nd(table, "planning_out_of_standard", "D") == (1, 1)
    assert nd(table, "evaluated_before_planning") == (2, 6)
    assert nd(table, "evaluated_before_planning", "H") == (2, 5)
    assert nd(table, "evaluated_before_planning", "ALL", "huyen") == (2, 2)


def test_status_and_targets(table):
    def rec(ind, unit="ALL", level="all"):
        r = table[(table.indicator == ind) & (table.unit_id == unit) & (table.level == level)].iloc[0]
        return r.value, r.target, r.status

    assert rec("young_share_planning") == (pytest.approx(0.6), 0.15, "green")
    assert rec("leadership_training_coverage") == (0.5, 1.0, "red")
    assert rec("planning_out_of_standard") == (0.4, 0.0, "red")  # lower is better
    assert rec("planning_out_of_standard", "X2")[2] == "green"  # 0/2
    assert rec("planning_review_on_time", "ALL", "tinh")[2] == "green"


def test_amber_and_exact_boundaries(make_register):
    # 9 of 10 young at province level; target 1.0, amber at 0.9: exactly on the amber boundary
    cadres = [[f"k{i}", "Nguyễn Văn A", "nam", "1995-01-01" if i < 9 else "1960-01-01", "D", "", "", ""]
              for i in range(10)]
    planning = [[f"k{i}", "Phó Giám đốc", "D", "2025-2030", "1", "2024-01-01", "", ""] for i in range(10)]
    path = make_register(cadres=cadres, planning=planning)
    p = params(targets={"young_share_planning": {"all": 1.0, "xa": 0.5}, "female_share_planning": {"tinh": 0.0}})
    t = Engine(load_register(path), p).compute()
    r = t[(t.indicator == "young_share_planning") & (t.unit_id == "ALL")].set_index("level")
    assert r.loc["all", "status"] == "amber"  # 0.9 >= 1.0 * 0.9 exactly
    assert r.loc["xa", "target"] == 0.5 and r.loc["xa", "status"] == "none"  # level override, no data
    f = t[(t.indicator == "female_share_planning") & (t.unit_id == "ALL")].set_index("level")
    assert pd_isna(f.loc["all", "target"]) and f.loc["tinh", "status"] == "green"
    # 3/20 = 15% exactly meets a 15% target
    cadres = [[f"k{i}", "Nguyễn Văn A", "nam", "1995-01-01" if i < 3 else "1960-01-01", "D", "", "", ""]
              for i in range(20)]
    planning = [[f"k{i}", "Phó Giám đốc", "D", "2025-2030", "1", "2024-01-01", "", ""] for i in range(20)]
    t = Engine(load_register(make_register(cadres=cadres, planning=planning)), params()).compute()
    assert t[(t.indicator == "young_share_planning") & (t.unit_id == "ALL") & (t.level == "all")].status.iloc[0] \
        == "green"


def pd_isna(v):
    import pandas as pd

    return pd.isna(v)


def test_every_record_present(table):
    # 15 indicators x (ALL + 5 units) x (all + 3 levels)
    assert len(table) == 18 * 6 * 4  # 18 indicators x (5 units + ALL) x (all + 3 levels)
    assert not table.duplicated(["indicator", "unit_id", "level"]).any()


def test_explain_matches_numbers(engine, table):
    for ind in table.indicator.unique():
        for unit in ["ALL", "H", "X1", "D"]:
            for level in ["all", "xa", "huyen"]:
                ex = engine.explain(ind, unit, level)
                assert (int(ex.in_numerator.sum()), len(ex)) == nd(table, ind, unit, level), (ind, unit, level)


def test_explain_people_have_names_and_posts(engine):
    ex = engine.explain("young_share_planning", "H")
    assert list(ex.cadre_id) == ["c2", "c1", "c3", "c4"] or set(ex.cadre_id) == {"c1", "c2", "c3", "c4"}
    c2 = ex.set_index("cadre_id").loc["c2"]
    assert c2.full_name == "Trần Thị Bình" and bool(c2.in_numerator)
    assert "Bí thư Huyện ủy" in c2.planned_posts and "Phó Chủ tịch UBND xã" in c2.planned_posts
    missing = engine.explain("evaluated_before_planning", "ALL", missing=True)
    assert sorted(missing.row) == [4, 6, 7, 10]
    oos = engine.explain("planning_out_of_standard", "ALL", missing=True)  # lower is better: the numerator
    assert sorted(oos.cadre_id) == ["c2", "c5"]


def test_as_of_override_changes_window(make_register):
    path = make_register(cadres=CADRES, planning=PLANNING, movements=MOVEMENTS)
    e = Engine(load_register(path), params())
    t = e.compute(dt.date(2025, 7, 1))
    assert nd(t, "young_share_appointment") == (2, 4)  # adds c2 appointed 01/07/2025, her 40th birthday: not young


def test_units_fixture_is_the_documented_tree():
    assert [u[0] for u in UNITS] == ["P", "D", "H", "X1", "X2"]


def test_explain_columns_are_unique(engine):
    for ind in ("young_share_leaders", "young_share_appointment", "young_share_planning", "rotation_plan_coverage"):
        ex = engine.explain(ind)
        assert not ex.columns.duplicated().any(), (ind, list(ex.columns))
    leaders = engine.explain("young_share_leaders")
    assert {"full_name", "age", "unit_name", "in_numerator"} <= set(leaders.columns)
