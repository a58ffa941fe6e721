"""Data contract v2 and boundaries dates on a small register whose expected values are worked out by hand.

Units (before 01/7/2025 three levels, after two):
  P  Tỉnh (tinh, root, always)           D  Sở Nội vụ (tinh, P, always)
  H  Huyện (huyen, P, to 30/06/2025, ends without successor)
  K  Thị xã (huyen, P, to 30/06/2025, successor W)
  A1, A2, A3  Xã (xa, H, to 30/06/2025): merged into N        S  Xã (xa, H, to 30/06/2025): split between
  N (not primary) and M (primary)
  N, M, W  (xa, P, from 01/7/2025)
Young: under 40 at tinh and huyen, under 35 at xa. Movement window from 01/01/2024.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import params, write_register

from cadre_lib.cli import main
from cadre_lib.errors import RegisterError, UsageError
from cadre_lib.indicators.engine import Engine
from cadre_lib.indicators.quality import assess
from cadre_lib.register.validate import load_register

V2_UNITS_HEADER = ["unit_id", "name", "level", "parent_id", "valid_from", "valid_to"]
UNITS = [
    ["P", "Tỉnh Mẫu", "tinh", "", "", ""],  # row 2
    ["D", "Sở Nội vụ", "tinh", "P", "", ""],  # 3
    ["H", "Huyện Cũ", "huyen", "P", "", "2025-06-30"],  # 4
    ["K", "Thị xã Cũ", "huyen", "P", "", "30/06/2025"],  # 5
    ["A1", "Xã An", "xa", "H", "", "2025-06-30"],  # 6
    ["A2", "Xã Bình", "xa", "H", "", "2025-06-30"],  # 7
    ["A3", "Xã Châu", "xa", "H", "", "2025-06-30"],  # 8
    ["S", "Xã Sông", "xa", "H", "", "2025-06-30"],  # 9
    ["N", "Xã Mới", "xa", "P", "2025-07-01", ""],  # 10
    ["M", "Xã Minh", "xa", "P", "01/07/2025", ""],  # 11
    ["W", "Phường Tây", "xa", "P", "2025-07-01", ""],  # 12
]
SUCCESSORS = [
    ["A1", "N", ""], ["A2", "N", ""], ["A3", "N", "yes"],  # one successor: the primary, marked or not
    ["S", "N", "không"], ["S", "M", "có"],  # split: M is primary
    ["K", "W", ""],
]
CADRES = [
    ["c1", "Nguyễn Văn An", "nam", "1990-01-01", "N", "", "", ""],  # 35 in 2025: young at tinh/huyen, not at xa
    ["c2", "Trần Thị Bình", "nu", "1995-01-01", "M", "", "", ""],  # 30: young everywhere
    ["c3", "Lê Văn Cường", "nam", "1970-01-01", "D", "", "1", ""],  # 55
    ["c4", "Phạm Văn Dũng", "nam", "1992-07-01", "A1", "", "1", ""],  # 32/33: young at xa; still on an old unit
    ["c5", "Hoàng Văn Em", "nam", "1988-01-01", "H", "", "1", "1"],  # 37; on a district that ended
    ["c6", "Vũ Thị Phượng", "nu", "1980-01-01", "N", "", "", ""],  # 45
]
PLANNING = [
    # cadre, post, unit, term, key, added, removed                                 row
    ["c1", "Chủ tịch UBND huyện", "H", "2025-2030", "1", "2024-01-01", "2025-07-01", ""],  # 2 lapses: last day 30/06
    ["c4", "Bí thư Đảng ủy xã", "A1", "2025-2030", "1", "2024-03-01", "", ""],  # 3 carried over -> N
    ["c2", "Chủ tịch UBND xã", "A2", "2025-2030", "1", "2024-03-01", "", ""],  # 4 carried over -> N
    ["c6", "Phó Chủ tịch UBND xã", "S", "2025-2030", "", "2024-05-01", "", ""],  # 5 split commune -> M
    ["c1", "Bí thư Đảng ủy xã", "N", "2025-2030", "1", "2025-07-01", "", ""],  # 6 first new day
    ["c3", "Giám đốc Sở", "D", "2025-2030", "1", "2023-01-01", "", ""],  # 7
    ["c5", "Phó Chủ tịch UBND huyện", "H", "2025-2030", "", "2024-01-01", "", ""],  # 8 never removed: unplaced
    ["c2", "Phó Bí thư Đảng ủy xã", "A3", "2025-2030", "", "2025-07-15", "", ""],  # 9 old unit after the reform
]
MOVEMENTS = [
    ["c5", "appointment", "2025-06-30", "A1", "", "", ""],  # 2 last old day; 37 at xa: not young
    ["c2", "appointment", "2025-07-01", "N", "", "", ""],  # 3 first new day; 30: young
    ["c1", "appointment", "2025-03-01", "K", "", "", ""],  # 4 35 at huyen (K): young; re-based to W (xa)
    ["c4", "appointment", "2025-08-01", "A3", "", "", ""],  # 5 old unit after the reform; young at xa
    ["c3", "appointment", "2024-06-01", "H", "", "", ""],  # 6 54: not young; unplaced after the reform
]
UNIT_REPORTS = [
    ["P", "2024", "2024-01-15", ""], ["D", "2024", "", ""], ["H", "2024", "2024-02-01", ""],
    ["A1", "2024", "2024-03-01", ""], ["A2", "2024", "", ""], ["S", "2024", "2024-05-01", ""],
    ["P", "2026", "2026-01-10", ""], ["D", "2026", "2026-03-01", ""], ["N", "2026", "2026-02-01", ""],
    ["M", "2026", "", ""],
]
OLD, NEW, TODAY = dt.date(2025, 6, 30), dt.date(2025, 7, 1), dt.date(2026, 9, 30)


def v2_register(folder, **over):
    tables = {"units": UNITS, "unit_successors": SUCCESSORS, "cadres": CADRES, "planning": PLANNING,
              "movements": MOVEMENTS, "unit_reports": UNIT_REPORTS, **over}
    return write_register(folder, tables, {"units": V2_UNITS_HEADER})


@pytest.fixture
def reg(tmp_path):
    return load_register(v2_register(tmp_path / "reg"))


def engine(reg, as_of: dt.date) -> Engine:
    return Engine(reg, params(as_of=as_of))


def rec(table: pd.DataFrame, indicator: str, unit: str, level: str = "all") -> tuple[int, int]:
    r = table[(table.indicator == indicator) & (table.unit_id == unit) & (table.level == level)]
    assert len(r) == 1, (indicator, unit, level, len(r))
    return int(r.numerator.iloc[0]), int(r.denominator.iloc[0])


# ------------------------------------------------------------------------------------ boundaries
def test_last_old_day_on_its_own_boundaries(reg):
    t = engine(reg, OLD).compute()
    assert set(t.unit_id) == {"ALL", "P", "D", "H", "K", "A1", "A2", "A3", "S"}  # N, M, W do not exist yet
    assert set(t.level) == {"all", "tinh", "huyen", "xa"}
    # active on 30/06: rows 2, 3, 4, 5, 7, 8 -> c1 (H, 35 < 40), c4, c2 young; c6, c3 not; c5 (H, 37) young
    assert rec(t, "young_share_planning", "ALL") == (4, 6)
    assert rec(t, "young_share_planning", "H") == (4, 5)  # c1, c4, c2, c6, c5
    assert rec(t, "young_share_planning", "H", "huyen") == (2, 2)  # rows 2 and 8
    assert rec(t, "young_share_planning", "H", "xa") == (2, 3)  # c4, c2 of c4, c2, c6


def test_history_on_todays_boundaries(reg):
    t = engine(reg, OLD).compute(boundaries=TODAY)
    assert set(t.unit_id) == {"ALL", "P", "D", "N", "M", "W"}
    assert set(t.level) == {"all", "tinh", "xa"}  # no district level after the reform
    assert rec(t, "young_share_planning", "ALL") == (4, 6)  # the province total does not depend on R
    assert rec(t, "young_share_planning", "N") == (2, 2)  # A1 (c4) and A2 (c2), merged into N
    assert rec(t, "young_share_planning", "M") == (0, 1)  # S (c6), split: primary successor M
    assert rec(t, "young_share_planning", "P") == (2, 4)  # rows 2 and 8 (district H) are unplaced: ALL only
    assert rec(t, "young_share_planning", "ALL", "tinh") == (0, 1)
    assert rec(t, "young_share_planning", "ALL", "xa") == (2, 3)


def test_first_new_day(reg):
    t = engine(reg, NEW).compute()
    assert set(t.level) == {"all", "tinh", "xa"}
    # row 2 removed on 01/07 is gone; row 6 added on 01/07 counts; c1 on N (xa) is 35: not young
    assert rec(t, "young_share_planning", "ALL") == (3, 6)  # c4, c2, c5 (row 8, by H's threshold) of 6 people
    assert rec(t, "young_share_planning", "N") == (2, 3)  # c4 (A1), c2 (A2), c1 (N)
    assert rec(t, "young_share_key_planning", "N") == (2, 3)


def test_youth_by_own_unit_and_movements(reg):
    p = params(as_of=TODAY, period_start=dt.date(2024, 1, 1))
    t = Engine(reg, p).compute()
    assert rec(t, "young_share_appointment", "ALL") == (3, 5)  # rows 3, 4, 5
    assert rec(t, "young_share_appointment", "N") == (2, 3)  # rows 2 (A1), 3, 5 (A3)
    assert rec(t, "young_share_appointment", "W", "xa") == (1, 1)  # row 4: young by K's district threshold
    assert rec(t, "young_share_appointment", "P") == (3, 4)  # row 6 (H) unplaced
    assert rec(t, "young_share_appointment", "ALL", "xa") == (3, 4)
    t = Engine(reg, p).compute(boundaries=OLD)
    assert rec(t, "young_share_appointment", "ALL") == (3, 5)
    assert rec(t, "young_share_appointment", "H") == (1, 3)  # rows 2 (A1), 5 (A3), 6 (H)
    assert rec(t, "young_share_appointment", "K") == (1, 1)
    assert rec(t, "young_share_appointment", "P") == (2, 4)  # row 3 (N, not yet valid on 30/06) is unplaced


def test_unit_indicators_count_units_valid_on_as_of(reg):
    e = engine(reg, dt.date(2024, 12, 31))
    t = e.compute(boundaries=TODAY)
    # valid on 31/12/2024: P, D, H, K, A1, A2, A3, S; with a 2024 plan: P, H, A1, S
    assert rec(t, "rotation_plan_coverage", "ALL") == (4, 8)
    assert rec(t, "rotation_plan_coverage", "N") == (1, 3)  # A1, A2, A3
    assert rec(t, "rotation_plan_coverage", "M") == (1, 1)  # S
    assert rec(t, "rotation_plan_coverage", "W") == (0, 1)  # K
    assert rec(t, "rotation_plan_coverage", "P") == (3, 7)  # all but H (no successor)
    assert rec(t, "rotation_plan_coverage", "ALL", "tinh") == (1, 2)
    assert rec(t, "rotation_plan_coverage", "ALL", "xa") == (2, 5)
    t = engine(reg, TODAY).compute()
    assert rec(t, "rotation_plan_coverage", "ALL") == (3, 5)  # P, D, N of P, D, N, M, W
    assert rec(t, "planning_review_on_time", "ALL") == (0, 5)


def test_all_all_is_the_same_for_every_boundaries_date(reg):
    e = engine(reg, NEW)
    base = e.compute()
    for r in (dt.date(2020, 1, 1), OLD, NEW, TODAY):
        t = e.compute(boundaries=r)
        a = t[(t.unit_id == "ALL") & (t.level == "all")].reset_index(drop=True)
        b = base[(base.unit_id == "ALL") & (base.level == "all")].reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------------------------ explain
def test_explain_across_the_reform(reg):
    e = engine(reg, OLD)
    x = e.explain("young_share_planning", "N", boundaries=TODAY)
    assert list(x.cadre_id) == ["c4", "c2"] or set(x.cadre_id) == {"c2", "c4"}
    by = x.set_index("cadre_id")
    assert by.loc["c4", "planning_unit_ids"] == "A1" and by.loc["c4", "placed_unit_ids"] == "N"
    assert by.loc["c2", "planning_unit_ids"] == "A2" and by.loc["c2", "placed_unit_ids"] == "N"
    assert "Xã An → Xã Mới" in by.loc["c4", "planned_posts"]
    every = e.explain("young_share_planning", "ALL", boundaries=TODAY).set_index("cadre_id")
    assert every.loc["c5", "placed_unit_ids"] == ""  # district row: unplaced
    assert "(không xếp được)" in every.loc["c5", "planned_posts"]
    mv = Engine(reg, params(as_of=TODAY, period_start=dt.date(2024, 1, 1))).explain("young_share_appointment", "W")
    assert list(mv.to_unit_id) == ["K"] and list(mv.placed_unit_id) == ["W"] and list(mv.in_numerator) == [True]


def test_explain_unit_not_valid_on_r_names_its_successor(reg):
    e = engine(reg, OLD)
    with pytest.raises(UsageError, match=r"'A1' \(Xã An\) is not valid on 30/09/2026.*successor 'N' \(Xã Mới\)"):
        e.explain("young_share_planning", "A1", boundaries=TODAY)
    with pytest.raises(UsageError, match=r"'S'.*successor 'M'"):
        e.explain("young_share_planning", "S", boundaries=TODAY)
    with pytest.raises(UsageError, match=r"'H'.*no successor valid"):
        e.explain("young_share_planning", "H", boundaries=TODAY)
    with pytest.raises(UsageError, match=r"no unit of level 'huyen' is valid on 30/09/2026"):
        e.explain("young_share_planning", "ALL", "huyen", boundaries=TODAY)
    with pytest.raises(UsageError, match=r"'N'.*not valid on 30/06/2025.*no successor"):
        e.explain("young_share_planning", "N")


def test_cli_boundaries(tmp_path, capsys):
    path = v2_register(tmp_path / "reg")
    out = tmp_path / "ind.json"
    assert main(["indicators", "--data", str(path), "--as-of", "2025-06-30", "--boundaries", "30/09/2026",
                 "--out", str(out)]) == 0
    recs = json.loads(out.read_text(encoding="utf-8"))
    recs = recs["records"] if isinstance(recs, dict) else recs
    n = next(r for r in recs if r["indicator"] == "young_share_planning" and r["unit_id"] == "N"
             and r["level"] == "all")
    assert (n["numerator"], n["denominator"]) == (2, 2)
    assert not any(r["unit_id"] in ("H", "A1") for r in recs)
    capsys.readouterr()
    assert main(["explain", "--data", str(path), "--as-of", "2025-06-30", "--indicator", "young_share_planning",
                 "--unit", "A1", "--boundaries", "2026-09-30"]) == 2
    err = capsys.readouterr().err
    assert "not valid on 30/09/2026" in err and "'N'" in err and "Traceback" not in err
    assert main(["indicators", "--data", str(path), "--boundaries", "31/02/2026"]) == 2
    assert "--boundaries" in capsys.readouterr().err


# ------------------------------------------------------------------------------------ warnings, quality
def test_warnings_and_quality(reg):
    w = "\n".join(reg.warnings)
    assert "planning.csv, row 9, column 'unit_id': names a unit on a date outside its validity" in w
    assert "movements.csv, row 5, column 'to_unit_id': names a unit on a date outside its validity" in w
    q = assess(reg, params(as_of=TODAY, period_start=dt.date(2024, 1, 1)))
    f = {x.check: x for x in q.findings}
    assert (f["unplaced_planning"].count, f["unplaced_planning"].rows) == (1, [8])
    assert (f["unplaced_movements"].count, f["unplaced_movements"].rows) == (1, [6])
    assert (f["unplaced_cadres"].count, f["unplaced_cadres"].rows) == (1, [6])  # c5 on H
    assert (f["cadre_unit_not_valid"].count, f["cadre_unit_not_valid"].rows) == (2, [5, 6])  # c4 (A1), c5 (H)
    assert (f["planning_unit_outside_validity"].count, f["planning_unit_outside_validity"].rows) == (1, [9])
    assert (f["movement_unit_outside_validity"].count, f["movement_unit_outside_validity"].rows) == (1, [5])
    assert f["unit_report_missing"].count == 1  # W (valid on as_of) has no 2026 row; old units are not asked
    assert set(q.by_unit.unit_id) == {"P", "D", "N", "M", "W"}


def test_successor_not_valid_the_next_day_is_a_warning(tmp_path):
    units = [*UNITS[:10], ["W", "Phường Tây", "xa", "P", "2025-08-01", ""]]
    r = load_register(v2_register(tmp_path / "r", units=units))
    assert any("unit_successors.csv, row 7, column 'successor_id': the successor is not valid on 01/07/2025" in w
               for w in r.warnings)


# ------------------------------------------------------------------------------------ refusals
def refused(tmp_path, **over) -> list[str]:
    with pytest.raises(RegisterError) as exc:
        load_register(v2_register(tmp_path / "bad", **over))
    return [str(p) for p in exc.value.problems]


def test_every_refusal_at_once(tmp_path):
    units = [
        *UNITS[:4],
        ["A1", "Xã An", "xa", "H", "", "2025-07-31"],  # 6 outlives its parent H
        ["A2", "Xã Bình", "xa", "H", "2025-01-01", "2024-12-31"],  # 7 valid_to before valid_from
        ["A3", "Xã Châu", "xa", "H", "2021-13-01", "2025-06-30"],  # 8 unreadable date
        ["S", "Xã Sông", "xa", "H", "", "2025-06-30"],  # 9
        ["N", "Xã Mới", "xa", "H", "2025-07-01", ""],  # 10 starts after its parent H ends (outlives it)
        ["M", "Xã Minh", "xa", "P", "2025-07-01", ""],  # 11
        ["W", "Phường Tây", "xa", "K", "2020-01-01", "2025-06-30"],  # 12
    ]
    successors = [
        ["A1", "N", ""],  # 2
        ["S", "N", ""], ["S", "M", ""],  # 3, 4 two successors, none primary
        ["K", "W", ""], ["W", "K", ""],  # 5, 6 a cycle
        ["M", "N", ""],  # 7 M never ends
        ["A3", "Z9", ""],  # 8 unknown successor
        ["Q", "N", ""],  # 9 unknown unit
    ]
    probs = refused(tmp_path, units=units, unit_successors=successors)
    expected = [
        "units.csv, row 6, column 'valid_to': the unit outlives its parent H (valid until 30/06/2025)",
        "units.csv, row 7, column 'valid_to': valid_to is before valid_from (01/01/2025)",
        "units.csv, row 8, column 'valid_from': not a date",
        "units.csv, row 10, column 'valid_to': the unit outlives its parent H",
        "unit_successors.csv, row 3, column 'unit_id': the unit has 2 successors (rows 3, 4) and 0 marked primary",
        "unit_successors.csv, row 5, column 'successor_id': cycle of successors",
        "unit_successors.csv, row 6, column 'successor_id': cycle of successors",
        "unit_successors.csv, row 7, column 'unit_id': a successor is given for a unit that never ends",
        "unit_successors.csv, row 8, column 'successor_id': unknown successor (not in units) (value: 'Z9')",
        "unit_successors.csv, row 9, column 'unit_id': unknown unit (not in units) (value: 'Q')",
    ]
    for e in expected:
        assert any(p.startswith(e) for p in probs), (e, probs)
    assert "(value: '31/07/2025')" in probs[0] and "(value: '31/12/2024')" in probs[1]


def test_refusal_starts_before_parent_and_two_primaries(tmp_path):
    units = [*UNITS[:3], ["K", "Thị xã Cũ", "huyen", "P", "2022-01-01", "2025-06-30"],
             *UNITS[4:8], ["N", "Xã Mới", "xa", "K", "2021-01-01", "2025-06-30"], *UNITS[9:]]
    successors = [["S", "N", "yes"], ["S", "M", "yes"], ["A1", "M", ""]]
    probs = refused(tmp_path, units=units, unit_successors=successors)
    assert any(p.startswith("units.csv, row 10, column 'valid_from': the unit starts before its parent K (valid "
                            "01/01/2022–30/06/2025)") for p in probs), probs
    assert any(p.startswith("unit_successors.csv, row 2, column 'unit_id': the unit has 2 successors (rows 2, 3) "
                            "and 2 marked primary") for p in probs), probs


def test_self_successor_is_a_cycle(tmp_path):
    probs = refused(tmp_path, unit_successors=[["A1", "A1", ""]])
    assert probs == ["unit_successors.csv, row 2, column 'successor_id': cycle of successors: following successors "
                     "leads back to this unit (value: 'A1')"]


def test_cli_refusal_exit_2_without_traceback(tmp_path, capsys):
    path = v2_register(tmp_path / "r", unit_successors=[["A1", "N", ""], ["M", "N", ""]])
    assert main(["validate", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unit_successors.csv, row 3, column 'unit_id': a successor is given for a unit that never ends" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------------------------ v1 unchanged
def test_v1_register_ignores_boundaries(make_register):
    from test_indicators import CADRES as C
    from test_indicators import MOVEMENTS as MV
    from test_indicators import PLANNING as PL
    from test_indicators import UNIT_REPORTS as UR

    reg = load_register(make_register(cadres=C, planning=PL, movements=MV, unit_reports=UR))
    e = Engine(reg, params())
    base = e.compute()
    for r in (dt.date(1990, 1, 1), dt.date(2030, 1, 1)):
        pd.testing.assert_frame_equal(e.compute(boundaries=r), base)
    assert "placed_unit_id" not in e.explain("young_share_appointment", "H").columns
