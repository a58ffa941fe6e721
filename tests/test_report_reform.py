"""The report layer across the 01/7/2025 reform, on a small register whose expected values are worked out by hand:
the report context on as_of's boundaries (units, levels, the default selection, old unit ids), the trend re-based on
today's units, where the trend charts mark the change, "changes since the previous run" followed through successors,
and the explorer's unit picker by date with its boundaries toggle.

Units:
  P  Tỉnh Mẫu (tinh, root, always)       D  Sở Nội vụ (tinh, P, always)
  H  Huyện Cũ (huyen, P, to 30/06/2025, ends without successor)
  A1 Xã An, A2 Xã Bình, A3 Xã Châu (xa, H, to 30/06/2025): merged into N
  S  Xã Sông (xa, H, to 30/06/2025): split between N (not primary) and M (primary)
  N  Xã Mới, M Xã Minh (xa, P, from 01/7/2025)
Reference date 30/09/2025 and period_start 01/10/2024, so the quarter ends are 31/12/2024,
31/03/2025, 30/06/2025 and 30/09/2025. Young: under 40 at tinh and huyen, under 35 at xa (QĐ 50 and the later rule
set keep those thresholds in the default parameters up to 2025).

Cadres (age at the quarter ends):
  c1 born 01/01/1995 (29-30, young at xa)        c2 born 01/01/1996 (28-29, young)
  c3 born 01/01/1980 (44-45, not young)          c4 born 01/06/1985 (39 until 31/05/2025, 40 from 01/06/2025)
  c5 born 01/01/1970 (not young)                 c6 born 01/01/1992 (33, young at xa)
  c7 born 01/01/1990, still typed on H after the reform (data quality), no planning
Planning rows (all 2025-2030):
  r1 c1 on A1 from 01/01/2024, open               r2 c2 on A2 from 01/11/2024, removed 01/05/2025
  r3 c3 on A3 from 01/06/2024, open               r4 c4 on H (a district post) from 01/01/2024, removed 01/07/2025
  r5 c5 on S from 01/01/2024, open                r6 c6 on N from 01/07/2025, open
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import params, write_register

from cadre_lib.core.scope import UNIT_SELECTORS
from cadre_lib.errors import UsageError
from cadre_lib.explorer.model import ExplorerModel, Selection
from cadre_lib.register.validate import load_register
from cadre_lib.report import tables
from cadre_lib.report.context import ReportContext, build_context

V2_UNITS = ["unit_id", "name", "level", "parent_id", "valid_from", "valid_to"]
UNITS = [
    ["P", "Tỉnh Mẫu", "tinh", "", "", ""],
    ["D", "Sở Nội vụ", "tinh", "P", "", ""],
    ["H", "Huyện Cũ", "huyen", "P", "", "2025-06-30"],
    ["A1", "Xã An", "xa", "H", "", "2025-06-30"],
    ["A2", "Xã Bình", "xa", "H", "", "2025-06-30"],
    ["A3", "Xã Châu", "xa", "H", "", "2025-06-30"],
    ["S", "Xã Sông", "xa", "H", "", "2025-06-30"],
    ["N", "Xã Mới", "xa", "P", "2025-07-01", ""],
    ["M", "Xã Minh", "xa", "P", "2025-07-01", ""],
]
SUCCESSORS = [["A1", "N", ""], ["A2", "N", ""], ["A3", "N", ""], ["S", "N", "no"], ["S", "M", "yes"]]
CADRES = [
    ["c1", "Nguyễn Văn An", "nam", "1995-01-01", "N", "", "", ""],
    ["c2", "Trần Thị Bình", "nu", "1996-01-01", "N", "", "", ""],
    ["c3", "Lê Văn Cường", "nam", "1980-01-01", "N", "", "", ""],
    ["c4", "Phạm Văn Dũng", "nam", "1985-06-01", "D", "", "", ""],
    ["c5", "Hoàng Văn Em", "nam", "1970-01-01", "M", "", "", ""],
    ["c6", "Vũ Thị Phượng", "nu", "1992-01-01", "N", "", "", ""],
    ["c7", "Đỗ Văn Giang", "nam", "1990-01-01", "H", "", "", ""],  # row 8: still on the ended district (no planning)
]
PLANNING = [
    ["c1", "Bí thư Đảng ủy xã", "A1", "2025-2030", "1", "2024-01-01", "", ""],
    ["c2", "Chủ tịch UBND xã", "A2", "2025-2030", "1", "2024-11-01", "2025-05-01", ""],
    ["c3", "Phó Bí thư Đảng ủy xã", "A3", "2025-2030", "", "2024-06-01", "", ""],
    ["c4", "Phó Chủ tịch UBND huyện", "H", "2025-2030", "", "2024-01-01", "2025-07-01", ""],
    ["c5", "Chủ tịch UBND xã", "S", "2025-2030", "", "2024-01-01", "", ""],
    ["c6", "Phó Chủ tịch UBND xã", "N", "2025-2030", "", "2025-07-01", "", ""],
]
AS_OF, PERIOD = dt.date(2025, 9, 30), dt.date(2024, 10, 1)
Q4, Q1, Q2, Q3 = (pd.Timestamp(d) for d in ("2024-12-31", "2025-03-31", "2025-06-30", "2025-09-30"))
REFORM = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def register(tmp_path_factory) -> Path:
    return write_register(tmp_path_factory.mktemp("reform"), {
        "units": UNITS, "unit_successors": SUCCESSORS, "cadres": CADRES, "planning": PLANNING},
        headers={"units": V2_UNITS})


def ctx_at(register: Path, as_of: dt.date = AS_OF, previous: Path | None = None) -> ReportContext:
    return build_context(register, register=load_register(register), params=params(as_of=as_of, period_start=PERIOD),
                         previous_dir=previous)


@pytest.fixture(scope="module")
def ctx(register) -> ReportContext:
    return ctx_at(register)


def trend(ctx: ReportContext, unit: str, level: str = "all", indicator: str = "young_share_planning"
          ) -> dict[pd.Timestamp, tuple[int, int]]:
    t = ctx.trends
    t = t[(t.indicator == indicator) & (t.unit_id == unit) & (t.level == level)]
    return {d: (int(n), int(k)) for d, n, k in zip(t.date, t.numerator, t.denominator, strict=True)}


# --- the context on as_of's boundaries ------------------------------------------------------------------------


def test_units_and_levels_of_as_of(ctx):
    assert list(ctx.units.unit_id) == ["P", "D", "N", "M"]  # the units valid on 30/09/2025
    assert ctx.report_levels == ["tinh", "xa"]  # no district level after the reform
    assert sorted(set(ctx.indicators.unit_id)) == ["ALL", "D", "M", "N", "P"]
    assert set(ctx.indicators.level) == {"all", "tinh", "xa"}
    assert ctx.unit_name("A1") == "Xã An"  # old units keep their names (notes, changes since the previous run)


def test_default_selection_and_selectors(ctx, register):
    assert ctx.report_units() == ["D"]  # the departments; no district level left
    assert ctx.report_units("") == ["D"]
    assert ctx.report_units("districts") == []  # a level that no unit has on as_of: empty, not a crash
    assert ctx.report_units("communes") == ["N", "M"]
    assert ctx.report_units("all") == ["P", "D", "N", "M"]
    assert ctx.report_units("none") == []
    assert ctx.report_units("N,D") == ["N", "D"]
    assert set(UNIT_SELECTORS) == {"default", "all", "none", "departments", "districts", "communes"}
    before = ctx_at(register, dt.date(2025, 6, 30))  # the last old day: three levels
    assert before.report_levels == ["tinh", "huyen", "xa"]
    assert before.report_units() == ["D", "H"]
    assert before.report_units("districts") == ["H"]
    assert before.report_units("communes") == ["A1", "A2", "A3", "S"]


def test_old_unit_ids_are_refused_naming_the_successor(ctx):
    with pytest.raises(UsageError) as err:
        ctx.report_units("A1,H,NOPE")
    text = str(err.value)
    assert "unit 'A1' (Xã An) is not valid on 30/09/2025" in text and "its successor 'N' (Xã Mới)" in text
    assert "unit 'H' (Huyện Cũ) is not valid on 30/09/2025" in text and "no successor valid that day" in text
    assert "unknown unit(s) NOPE" in text
    with pytest.raises(UsageError, match="its successor 'M' \\(Xã Minh\\)"):  # split: the primary successor
        ctx.report_units(["S"])


# --- the trend re-based on today's units ------------------------------------------------------------------------


def test_trend_of_the_merged_commune_is_its_predecessors_history(ctx):
    # N on the boundaries of 30/09/2025. Before 01/7/2025 its rows are those of A1, A2, A3 (S goes to M, the primary):
    #   31/12/2024: r1 (c1 29, young), r2 (c2 28, young), r3 (c3 44, not young) -> 2/3
    #   31/03/2025: the same rows -> 2/3
    #   30/06/2025: r2 removed on 01/05/2025 -> r1, r3 -> 1/2
    #   30/09/2025: r1, r3 and r6 (c6 33, young) on N itself -> 2/3
    assert trend(ctx, "N") == {Q4: (2, 3), Q1: (2, 3), Q2: (1, 2), Q3: (2, 3)}
    # M: r5 (c5 54) from S, at every point -> 0/1
    assert trend(ctx, "M") == {Q4: (0, 1), Q1: (0, 1), Q2: (0, 1), Q3: (0, 1)}
    # the district post r4 (c4, young by the district threshold while 39) is unplaced: it counts in ALL only
    #   31/12/2024 and 31/03/2025: c1, c2, c3, c4, c5; young c1, c2, c4 -> 3/5;  at xa: c1, c2, c3, c5 -> 2/4
    #   30/06/2025: c1, c3, c4 (40 since 01/06/2025), c5; young c1 -> 1/4;       at xa: c1, c3, c5 -> 1/3
    #   30/09/2025: r4 removed on 01/07/2025: c1, c3, c5, c6; young c1, c6 -> 2/4; at xa: the same -> 2/4
    assert trend(ctx, "ALL") == {Q4: (3, 5), Q1: (3, 5), Q2: (1, 4), Q3: (2, 4)}
    assert trend(ctx, "ALL", "xa") == {Q4: (2, 4), Q1: (2, 4), Q2: (1, 3), Q3: (2, 4)}
    assert trend(ctx, "P") == {Q4: (2, 4), Q1: (2, 4), Q2: (1, 3), Q3: (2, 4)}  # the root: without r4
    assert set(ctx.trends.unit_id) == {"ALL", "P", "D", "N", "M"}  # no old unit in the trend


def test_trend_point_equals_the_sum_of_the_predecessors_on_their_own_boundaries(register):
    # On the boundaries of 31/12/2024 the old communes are scopes: A1 1/1 (c1), A2 1/1 (c2), A3 0/1 (c3); their sum
    # 2/3 is N's trend point of that day above (no person is planned in two of them)
    old = ctx_at(register, dt.date(2024, 12, 31))
    records = [old.record("young_share_planning", u) for u in ("A1", "A2", "A3")]
    own = {r.unit_id: (int(r.numerator), int(r.denominator)) for r in records}
    assert own == {"A1": (1, 1), "A2": (1, 1), "A3": (0, 1)}
    assert tuple(map(sum, zip(*own.values(), strict=True))) == (2, 3)


def test_unit_changes_for_the_trend_charts(ctx, register):
    assert ctx.unit_changes["ALL"] == [REFORM]
    assert ctx.unit_changes["N"] == [REFORM] and ctx.unit_changes["M"] == [REFORM]
    assert ctx.unit_changes["P"] == [REFORM]
    assert "D" not in ctx.unit_changes  # the department's units never changed
    assert ctx_at(register, dt.date(2025, 6, 30)).unit_changes == {}  # no change inside 31/12/2024..30/06/2025


def test_data_quality_section_on_as_of_boundaries(ctx):
    html = str(tables.boundary_quality(ctx, detailed=True))
    assert "tính theo các đơn vị tồn tại vào ngày 30/09/2025" in html
    cells = re.findall(r"<td(?: class='[^']*')?>(.*?)</td>", html)
    rows = [cells[i:i + 4] for i in range(0, len(cells), 4)]
    by_check = {r[0].split(" (")[0].split(" vào ngày")[0]: (r[1], r[2], r[3]) for r in rows}
    # c7 (cadres.csv row 8) is on H, which ended without successor: unplaced, and on a unit not valid on as_of
    assert by_check["Cán bộ thuộc đơn vị đã kết thúc, không có đơn vị kế thừa"] == ("cadres", "1", "8")
    assert by_check["Cán bộ còn ghi đơn vị đã kết thúc hoặc chưa thành lập"] == ("cadres", "1", "8")
    # no active planning row (r4 lapsed on 01/7/2025) nor any movement is unplaced; every row names a valid unit
    assert by_check["Dòng quy hoạch đang hiệu lực thuộc đơn vị không có đơn vị kế thừa"] == ("planning", "0", "–")
    assert by_check["Dòng quy hoạch ghi đơn vị ngoài thời gian tồn tại của đơn vị"] == ("planning", "0", "–")
    assert len(rows) == 6
    assert "Dòng (tối đa 10)" not in str(tables.boundary_quality(ctx))  # leadership: counts only


# --- changes since the previous run, through successors ----------------------------------------------------------


def previous_run(folder: Path, as_of: str, records: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "indicators.json").write_text(json.dumps(records), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"parameters": {"as_of": as_of}}), encoding="utf-8")
    return folder


def rec(unit: str, num: int, den: int, level: str = "all", status: str = "green") -> dict[str, Any]:
    return {"indicator": "young_share_planning", "unit_id": unit, "level": level, "numerator": num,
            "denominator": den, "value": num / den, "target": 0.15, "status": status}


@pytest.fixture
def with_previous(register, tmp_path):
    # A previous run as of 31/03/2025, on that day's units. Its published figures are made up on purpose (they differ
    # from what the register gives for 31/03/2025), so that a published figure and a re-counted one tell apart.
    prev = previous_run(tmp_path / "prev", "2025-03-31", [
        rec("ALL", 1, 2), rec("ALL", 1, 1, "xa"), rec("P", 1, 4), rec("D", 1, 1), rec("A1", 1, 3), rec("S", 1, 1)])
    return ctx_at(register, previous=prev)


def test_previous_records_through_successors(with_previous):
    c = with_previous

    def prev(unit: str, level: str = "all") -> tuple[tuple[int, int] | None, str | None]:
        r, source = c.previous_record("young_share_planning", unit, level)
        return (None if r is None else (int(r.numerator), int(r.denominator))), source

    assert prev("ALL") == ((1, 2), "ALL")  # the province total never depends on the boundaries: as published
    assert prev("D") == ((1, 1), "D")  # the department's units did not change: as published
    assert prev("M") == ((1, 1), "S")  # M continues S only (S's primary successor): S's published record
    assert prev("ALL", "xa") == ((1, 1), "ALL")  # the same communes' rows then and now (old ones, now N and M)
    # N gathers A1, A2, A3: the previous date re-counted on today's boundaries (r1, r2, r3 on 31/03/2025) -> 2/3
    assert prev("N") == ((2, 3), None)
    # P lost the district post r4 (unplaced today): re-counted, r1, r2, r3, r5 -> young c1, c2 -> 2/4
    assert prev("P") == ((2, 4), None)


def test_changes_table_names_the_source(with_previous):
    def row(html: str) -> str:
        start = html.index("Tỷ lệ cán bộ trẻ trong quy hoạch</td>")
        return re.sub(r" class='[^']*'", "", html[start:html.index("</tr>", start)])

    m = str(tables.changes(with_previous, "M"))
    assert "số liệu đã báo cáo của Xã Sông (nay là Xã Minh)" in m
    # S's published 1/1 against M's 0/1 today (status Đạt -> Chưa đạt against the 15% target)
    assert "<td>100,0%</td><td>0,0%</td><td>−100,0 điểm phần trăm</td><td>Đạt → Chưa đạt</td>" in row(m)
    n = str(tables.changes(with_previous, "N"))
    assert "được tính lại từ cơ sở dữ liệu theo địa giới hiện nay" in n
    assert "<td>66,7%</td><td>66,7%</td>" in row(n)  # 2/3 then (re-counted) and 2/3 now
    d = str(tables.changes(with_previous, "D"))
    assert "tính lại" not in d and "nay là" not in d


def test_previous_run_on_the_same_boundaries_is_compared_by_unit(register, tmp_path):
    prev = previous_run(tmp_path / "same", "2025-08-31", [rec("N", 1, 5)])
    c = ctx_at(register, previous=prev)
    assert c.previous_sources is None  # no unit started or ended between 31/08 and 30/09/2025
    r, source = c.previous_record("young_share_planning", "N")
    assert source == "N" and (int(r.numerator), int(r.denominator)) == (1, 5)


# --- the explorer's picker by date ---------------------------------------------------------------------------


@pytest.fixture
def model(register, tmp_path) -> ExplorerModel:
    pfile = tmp_path / "params.yaml"
    pfile.write_text(yaml.safe_dump(json.loads(params(as_of=AS_OF, period_start=PERIOD).model_dump_json()),
                                    allow_unicode=True), encoding="utf-8")
    m = ExplorerModel()
    assert m.load(register, pfile) is None
    return m


def test_explorer_picker_lists_the_units_of_the_date(model):
    old, new = dt.date(2025, 6, 30), REFORM
    assert [v for _, v in model.unit_choices("xa", day=old)] == ["A1", "A2", "A3", "S"]
    assert [t for t, _ in model.unit_choices("xa", day=old)][0] == "Xã An — Huyện Cũ"
    assert [v for _, v in model.unit_choices("xa", day=new)] == ["N", "M"]
    assert model.unit_choices("huyen", day=new) == []
    assert model.unit_levels(old) == ["tinh", "huyen", "xa"] and model.unit_levels(new) == ["tinh", "xa"]
    assert model.children("ALL", old) == ["D", "H"] and model.children("ALL", new) == ["D", "N", "M"]
    assert model.latest_boundaries() == REFORM


def test_explorer_boundaries_toggle(model):
    q1 = dt.date(2025, 3, 31)

    def result(unit: str, latest: bool) -> Any:
        note = model.select(Selection(unit, "all", q1, "young_share_planning", latest=latest))
        if note is not None:
            return note.text
        r = model.scorecard_frame.set_index("indicator").loc["young_share_planning"]
        return int(r.numerator), int(r.denominator)

    assert result("A1", latest=False) == (1, 1)  # the day's own units
    assert result("N", latest=True) == (2, 3)  # today's N on 31/03/2025: r1, r2, r3 as in the report trend
    assert model.boundaries_date() == REFORM
    assert [d for d in model.trend_frame().date] == [Q4, Q1]
    assert [(int(n), int(k)) for n, k in zip(model.trend_frame().numerator, model.trend_frame().denominator,
                                             strict=True)] == [(2, 3), (2, 3)]
    text = result("A1", latest=True)
    assert "Xã An (mã “A1”) không có trong địa giới ngày 01/07/2025" in text and "Xã Mới (mã “N”)" in text
    text = result("N", latest=False)
    assert "chưa thành lập vào ngày 31/03/2025" in text


def test_explorer_reuses_computations_within_one_set_of_units(model):
    # every day from 01/07/2025 on has the units of 01/07/2025; before it, those of 30/06/2025
    assert model.epoch(dt.date(2024, 1, 1)) == dt.date(2025, 6, 30) == model.epoch(dt.date(2025, 6, 30))
    assert model.epoch(REFORM) == REFORM == model.epoch(dt.date(2026, 9, 30))
    start = model.compute_calls
    assert model.select(Selection("N", "all", AS_OF)) is None  # one full computation (as_of 30/09/2025)
    model.trend_frame()  # + the three earlier quarter ends, on the units of 30/09/2025
    assert model.compute_calls == start + 4
    assert model.select(Selection("N", "all", dt.date(2025, 8, 31))) is None  # a new date: one full computation
    assert [(int(n), int(k)) for n, k in zip(model.trend_frame().numerator, model.trend_frame().denominator,
                                             strict=True)] == [(2, 3), (2, 3), (1, 2), (2, 3)]  # r1, r3, r6 on 31/08
    assert model.compute_calls == start + 5  # the earlier quarter ends were counted on the same units: reused


def test_report_trend_lines_mark_the_change_and_say_todays_boundaries(ctx):
    """What the notebooks draw (inline SVG): the same mark and note as the matplotlib panel."""
    from cadre_lib.report import charts

    html = charts.trend_lines(ctx, "N", ["young_share_planning"]).text
    assert "(theo địa giới hiện nay)" in html
    assert "sắp xếp đơn vị 01/07/2025" in html and "stroke-dasharray='1 2'" in html
    assert "sắp xếp đơn vị" not in charts.trend_lines(ctx, "D", ["young_share_planning"]).text
