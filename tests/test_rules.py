"""Rule sets by effective date and the three planning-rule indicators, on a small register worked by hand.

Units: P (tinh, root) > D (tinh), H (huyen) > X1, X2 (xa). Reference date 15/01/2026.
Rule sets of these tests (limits smaller than QĐ 377's so that a handful of rows shows them):
  A "Quy định A" from 28/12/2021: young under 35 at commune level (40 elsewhere, the top-level mapping);
  B "Quy định B" from 08/10/2025: young under 30 at commune level; at most 2 people per post; at most 2 posts
    per person at one level; retirement men 62, women 59y8m; one term of 5 years.
Terms: 2025-2030 starts 01/05/2025 (so a term served in full ends 01/05/2030); 2020-2025 by default 01/01/2020.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import UNITS, params

from cadre_lib.errors import ParameterError
from cadre_lib.indicators.engine import Engine, post_key
from cadre_lib.params import DEFAULT_PARAMS, Params, load_params, parse_age
from cadre_lib.register.validate import load_register

AS_OF = dt.date(2026, 1, 15)
RULE_A: dict[str, Any] = {"name": "Quy định A", "from": "2021-12-28", "young_age_under": {"xa": 35}}
RULE_B: dict[str, Any] = {"name": "Quy định B", "from": "2025-10-08", "young_age_under": {"xa": 30},
                          "max_people_per_post": 2, "max_posts_per_person": 2,
                          "retirement_age": {"nam": 62, "nu": "59y8m"}, "min_terms_to_serve": 1, "term_years": 5}

CADRES = [
    # id, name, gender, birth, unit, position, leader, head
    ["c1", "Nguyễn Văn An", "Nam", "1975-03-10", "X1", "", "", ""],  # retires 10/03/2037
    ["c2", "Trần Thị Bình", "Nữ", "1970-08-31", "X1", "", "", ""],  # 59y8m: 31/04 clamped to 30/04/2030
    ["c3", "Lê Thị Cúc", "Nữ", "1970-09-01", "X1", "", "", ""],  # retires 01/05/2030: serves the term
    ["c4", "Phạm Văn Dũng", "Nam", "1968-05-01", "X1", "", "", ""],  # 62 on 01/05/2030: serves the term
    ["c5", "Hoàng Văn Em", "Nam", "1968-04-30", "X1", "", "", ""],  # retires 30/04/2030: one day short
    ["c6", "Vũ Văn Phúc", "Nam", "1962-12-31", "X2", "", "", ""],  # retires 31/12/2024
    ["c7", "Đặng Văn Giang", "Nam", "1994-02-01", "X2", "", "", ""],  # 31 all along: young under A only
]
PLANNING = [
    # cadre, post, unit, term, key, added, removed, reason                 spreadsheet row
    ["c1", "Chủ tịch UBND xã", "X1", "2025-2030", "1", "2025-01-01", "", ""],  # 2  G1
    ["c2", " chủ tịch  ubnd XÃ ", "X1", "2025-2030", "1", "2025-01-01", "", ""],  # 3  G1 (same post)
    ["c3", "CHỦ TỊCH UBND XÃ", "X1", "2025-2030", "1", "2025-01-01", "", ""],  # 4  G1: 3 people > 2
    ["c4", "Phó Chủ tịch UBND xã", "X1", "2025-2030", "", "2025-01-01", "", ""],  # 5  G2
    ["c5", "Phó Chủ tịch UBND xã", "X1", "2025-2030", "", "2025-01-01", "", ""],  # 6  G2: 2 people
    ["c1", "Bí thư Đảng ủy xã", "X1", "2025-2030", "1", "2025-01-01", "", ""],  # 7  G3
    ["c1", "Phó Bí thư Đảng ủy xã", "X2", "2025-2030", "", "2025-01-01", "", ""],  # 8  G4: c1's 3rd xa post
    ["c2", "Phó Chủ tịch UBND huyện", "H", "2025-2030", "", "2025-01-01", "", ""],  # 9  G5: c2's huyen post
    ["c6", "Chủ tịch UBND xã", "X2", "2025-2030", "1", "2025-01-01", "", ""],  # 10 G6
    ["c6", "Chủ tịch UBND xã", "X1", "2020-2025", "1", "2022-01-01", "", ""],  # 11 G7 (other term)
    ["c6", "Phó chủ tịch UBND xã", "X1", "2025-2030", "", "2025-01-01", "2026-01-15", ""],  # 12 removed on as_of
    ["c7", "Phó Chủ tịch UBND xã", "X2", "2025-2030", "", "2025-01-01", "", ""],  # 13 G8
]
MOVEMENTS = [
    # cadre, kind, date, to, from, post, out_of_level
    ["c7", "appointment", "2025-10-07", "X2", "", "", ""],  # the day before B: under A, 31 < 35 young
    ["c7", "appointment", "2025-10-08", "X2", "", "", ""],  # the day B starts: 31 >= 30 not young
    ["c7", "appointment", "2025-10-09", "X2", "", "", ""],  # the day after: not young
]


def rules_params(**overrides: Any) -> Params:
    base: dict[str, Any] = {"as_of": AS_OF, "period_start": dt.date(2025, 1, 1), "rules": [RULE_A, RULE_B],
                            "term_starts": {"2025-2030": "2025-05-01"}}
    base.update(overrides)
    return params(**base)


@pytest.fixture
def register(make_register):
    return load_register(make_register(units=UNITS, cadres=CADRES, planning=PLANNING, movements=MOVEMENTS))


def record(frame, indicator: str, unit: str = "ALL", level: str = "all") -> tuple[int, int, str]:
    r = frame[(frame.indicator == indicator) & (frame.unit_id == unit) & (frame.level == level)].iloc[0]
    return int(r.numerator), int(r.denominator), str(r.status)


# --- the rule set in force ----------------------------------------------------------------------


def test_rule_set_in_force_by_day() -> None:
    p = rules_params()
    assert p.rule_set(dt.date(2021, 12, 27)) is None
    assert p.rule_set(dt.date(2021, 12, 28)).name == "Quy định A"
    assert p.rule_set(dt.date(2025, 10, 7)).name == "Quy định A"
    assert p.rule_set(dt.date(2025, 10, 8)).name == "Quy định B"
    # young_age_under overrides the top-level mapping key by key
    assert p.young_thresholds(dt.date(2025, 10, 8)) == {"tinh": 40, "huyen": 40, "xa": 30}
    assert p.young_thresholds(dt.date(2020, 1, 1)) == {"tinh": 40, "huyen": 40, "xa": 35}


def test_term_start_default_and_given() -> None:
    p = rules_params()
    assert p.term_start("2025-2030") == dt.date(2025, 5, 1)
    assert p.term_start("2020-2025") == dt.date(2020, 1, 1)


@pytest.mark.parametrize("text, expected", [(62, (62, 0)), ("59y8m", (59, 8)), ("60y", (60, 0)), (" 58y 4m ", (58, 4))])
def test_parse_age(text: Any, expected: tuple[int, int]) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize("bad", ["59y12m", "abc", "0", True, "-3"])
def test_parse_age_refuses(bad: Any) -> None:
    with pytest.raises(ValueError):
        parse_age(bad)


@pytest.mark.parametrize("change, words", [
    ({"rules": [RULE_B, RULE_A]}, "by their 'from' date"),
    ({"rules": [{**RULE_B, "retirement_age": {"nam": "62y13m"}}]}, "not an age"),
    ({"rules": [{**RULE_B, "max_people_per_post": 0}]}, "max_people_per_post"),
    ({"rules": [{**RULE_B, "young_age_under": {"phuong": 30}}]}, "unknown level"),
    ({"rules": [{**RULE_B, "limit": 3}]}, "limit"),
    ({"term_starts": {"2030-2035": "2030-01-01"}}, "term_starts"),
])
def test_bad_rule_sets_are_refused(tmp_path, change: dict[str, Any], words: str) -> None:
    import yaml

    data = yaml.safe_load(open(DEFAULT_PARAMS, encoding="utf-8"))
    data.update(change)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, default_flow_style=False), encoding="utf-8")
    with pytest.raises(ParameterError, match=words):
        load_params(path)


def test_default_parameters_name_qd50_then_qd377() -> None:
    p = load_params(None)
    assert [(r.name, r.from_) for r in p.rules] == [("Quy định số 50-QĐ/TW", dt.date(2021, 12, 28)),
                                                    ("Quy định số 377-QĐ/TW", dt.date(2025, 10, 8))]
    qd377 = p.rules[1]
    assert (qd377.max_people_per_post, qd377.max_posts_per_person) == (3, 3)
    assert qd377.retirement_age == {"nam": (62, 0), "nu": (58, 4)}


# --- young by the rule set of the relevant day ----------------------------------------------------


def test_movements_judged_by_the_rules_of_their_own_day(register) -> None:
    out = Engine(register, rules_params()).compute()
    # 07/10/2025 under A: 31 < 35 young; 08/10 and 09/10 under B: 31 >= 30 not young
    assert record(out, "young_share_appointment")[:2] == (1, 3)
    assert record(out, "young_share_appointment", "X2", "xa")[:2] == (1, 3)


def test_planning_judged_by_the_rules_of_as_of(register) -> None:
    eng = Engine(register, rules_params())
    # every active row's cadre at 07/10/2025 (c1..c7, c6 twice); only c7 (31) is young, under A
    assert record(eng.compute(dt.date(2025, 10, 7)), "young_share_planning")[:2] == (1, 7)
    # the next day B applies: nobody is under 30
    assert record(eng.compute(dt.date(2025, 10, 8)), "young_share_planning")[:2] == (0, 7)


# --- at most N people per post -----------------------------------------------------------------------


def test_post_key_folds_case_and_spaces() -> None:
    assert post_key(" chủ tịch  ubnd XÃ ") == post_key("Chủ tịch UBND xã") == post_key("CHỦ TỊCH UBND XÃ")
    assert post_key("Chủ tịch UBND xã") != post_key("Phó Chủ tịch UBND xã")


def test_posts_over_limit(register) -> None:
    out = Engine(register, rules_params()).compute()
    # groups G1..G8 (row 12 was removed on as_of: G2 keeps 2 people); only G1 has 3 > 2
    assert record(out, "planning_posts_over_limit") == (1, 8, "red")
    assert record(out, "planning_posts_over_limit", "X1")[:2] == (1, 4)  # G1, G2, G3, G7
    assert record(out, "planning_posts_over_limit", "X2")[:2] == (0, 3)  # G4, G6, G8
    assert record(out, "planning_posts_over_limit", "ALL", "xa")[:2] == (1, 7)
    assert record(out, "planning_posts_over_limit", "ALL", "huyen")[:2] == (0, 1)


def test_posts_over_limit_explain_lists_the_post_and_its_people(register) -> None:
    eng = Engine(register, rules_params())
    todo = eng.explain("planning_posts_over_limit", "ALL", missing=True)
    assert len(todo) == 1
    row = todo.iloc[0]
    assert (row.unit_id, row.term, int(row.people)) == ("X1", "2025-2030", 3)
    assert row.planned_people == "Nguyễn Văn An; Trần Thị Bình; Lê Thị Cúc"
    assert row.planning_rows == "2, 3, 4"


# --- at most N posts per person at one level --------------------------------------------------------


def test_people_over_post_limit(register) -> None:
    out = Engine(register, rules_params()).compute()
    # c1 has 3 commune posts in 2025-2030 (G1, G3, G4) > 2; c2 has 1 commune + 1 district post; c6 one
    # post in each term
    assert record(out, "planning_people_over_post_limit") == (1, 7, "red")
    assert record(out, "planning_people_over_post_limit", "X2")[:2] == (1, 3)  # c1, c6, c7 planned in X2
    assert record(out, "planning_people_over_post_limit", "H", "huyen")[:2] == (0, 1)  # c2
    todo = Engine(register, rules_params()).explain("planning_people_over_post_limit", missing=True)
    assert list(todo["cadre_id"]) == ["c1"]


def test_people_over_post_limit_counts_a_post_once(make_register) -> None:
    # the same post typed twice for one person (two rows) is one post
    rows = [["c1", "Chủ tịch UBND xã", "X1", "2025-2030", "", "2025-01-01", "", ""],
            ["c1", "chủ tịch ubnd xã", "X1", "2025-2030", "", "2025-02-01", "", ""],
            ["c1", "Bí thư Đảng ủy xã", "X1", "2025-2030", "", "2025-01-01", "", ""]]
    reg = load_register(make_register(cadres=CADRES, planning=rows))
    out = Engine(reg, rules_params()).compute()
    assert record(out, "planning_people_over_post_limit")[:2] == (0, 1)
    assert record(out, "planning_posts_over_limit")[:2] == (0, 2)


# --- able to serve the term ---------------------------------------------------------------------------


def test_short_of_term(register) -> None:
    out = Engine(register, rules_params()).compute()
    # active rows 2-11 and 13 (11); short: c2's rows 3 and 9 (30/04/2030, the month-end clamp), c5's row 6
    # (30/04/2030), c6's rows 10 and 11 (31/12/2024, before 01/05/2030 and before 01/01/2025). c3 and c4 retire
    # on 01/05/2030, the day the term ends: they serve it.
    assert record(out, "planning_short_of_term") == (5, 11, "red")
    todo = Engine(register, rules_params()).explain("planning_short_of_term", missing=True)
    assert sorted(todo["row"].astype(int)) == [3, 6, 9, 10, 11]


def test_short_of_term_two_terms_to_serve(register) -> None:
    rule = {**RULE_B, "min_terms_to_serve": 2}
    out = Engine(register, rules_params(rules=[RULE_A, rule])).compute()
    # must serve to 01/05/2035 (2025-2030) or 01/01/2030 (2020-2025): everyone but c1 (2037) and c7 is short
    # 2025-2030 rows: 2,7,8 (c1) ok; 3,9 (c2), 4 (c3), 5 (c4), 6 (c5), 10 (c6) short; 13 (c7) ok.
    # 2020-2025 row 11 (c6, 31/12/2024 < 01/01/2030) short.
    assert record(out, "planning_short_of_term")[:2] == (7, 11)


# --- no such rule: no value ------------------------------------------------------------------------------


def test_before_the_rule_set_with_limits_there_is_no_value(register) -> None:
    out = Engine(register, rules_params()).compute(dt.date(2025, 10, 7))
    for ind in ("planning_posts_over_limit", "planning_people_over_post_limit", "planning_short_of_term"):
        assert record(out, ind) == (0, 0, "none")


def test_without_rules_the_v1_indicators_are_unchanged(register) -> None:
    from cadre_lib.indicators.registry import INDICATORS

    new = {"planning_posts_over_limit", "planning_people_over_post_limit", "planning_short_of_term"}
    without = Engine(register, params(as_of=AS_OF, rules=[], term_starts={})).compute()
    # a rule set that repeats the top-level thresholds changes nothing for the 15 v1 indicators
    same = Engine(register, params(as_of=AS_OF, rules=[{"name": "x", "from": "2020-01-01"}])).compute()
    old = [i for i in INDICATORS if i not in new]
    a = without[without.indicator.isin(old)].reset_index(drop=True)
    b = same[same.indicator.isin(old)].reset_index(drop=True)
    assert a.equals(b)
    assert (without[without.indicator.isin(new)]["denominator"] == 0).all()
    assert set(without[without.indicator.isin(new)]["status"]) == {"none"}
    # and with no rules the commune threshold is the top-level 35: c7 (31) is young in X2's appointments
    assert record(without, "young_share_appointment")[:2] == (3, 3)
