"""The report sections on a small hand-made context (no register, no engine): every record below is set by hand,
so the expected tables and sentences are worked out from these literals.

Units: P (tinh, root) > H "Huyện Văn Giang" (huyen) > X1 "Xã Xuân Quan", X2 "Xã Phụng Công" (xa).
Reference date 30/06/2025 (the parameters of conftest), targets of parameters/default.yaml, amber at 90%.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pandas as pd
import pytest
from conftest import params

from cadre_lib.core.files import PROJECT_ROOT
from cadre_lib.core.scope import SAMPLE_BAND
from cadre_lib.errors import UsageError
from cadre_lib.indicators.quality import QualityReport
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.report import charts, html, prose, sections, tables
from cadre_lib.report.common import check_unit, level_label, scope_levels, subtree
from cadre_lib.report.context import ReportContext

AS_OF = dt.date(2025, 6, 30)
UNITS = pd.DataFrame({"unit_id": ["P", "H", "X1", "X2"],
                      "name": ["Tỉnh Mẫu", "Huyện Văn Giang", "Xã Xuân Quan", "Xã Phụng Công"],
                      "level": ["tinh", "huyen", "xa", "xa"], "parent_id": [None, "P", "H", "H"]})
SCOPES = ["ALL", "P", "H", "X1", "X2"]
LEVELS = ["all", "tinh", "huyen", "xa"]
COLUMNS = ["indicator", "unit_id", "level", "numerator", "denominator", "value", "target", "status"]


def rec(indicator: str, unit: str, level: str, num: int, den: int, target: float | None, status: str
        ) -> dict[str, Any]:
    return {"indicator": indicator, "unit_id": unit, "level": level, "numerator": num, "denominator": den,
            "value": num / den if den else None, "target": target, "status": status}


def frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Every indicator x scope x level, empty (0/0, no status) unless given in ``records``."""
    given = {(r["indicator"], r["unit_id"], r["level"]): r for r in records}
    rows = [given.get((i, u, lv), rec(i, u, lv, 0, 0, None, "none")) for i in INDICATORS for u in SCOPES
            for lv in LEVELS]
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["value"] = pd.array(out["value"], dtype="Float64")
    out["target"] = pd.array(out["target"], dtype="Float64")
    return out


def context(records: list[dict[str, Any]] = (), trends: list[dict[str, Any]] = (), previous: pd.DataFrame | None = None,
            is_sample: bool = False, **overrides: Any) -> ReportContext:
    trend = pd.DataFrame(list(trends), columns=["date", *COLUMNS])
    trend["date"] = pd.to_datetime(trend["date"])
    quality = QualityReport(rows={}, sources={}, warnings=[], completeness=pd.DataFrame(),
                            by_unit=pd.DataFrame(), findings=[])
    provenance = {"generated_at": "2025-07-01T08:30:00+07:00", "files": {}, "parameters_file": "p.yaml",
                  "toolkit_version": "0"}
    return ReportContext(params=params(**overrides), indicators=frame(list(records)), trends=trend, units=UNITS,
                         quality=quality, provenance=provenance, is_sample=is_sample, previous=previous)


def cells(fragment: Any) -> list[tuple[str, str]]:
    """(class, text) of every body cell, in order."""
    return re.findall(r"<td(?: class='([^']*)')?>(.*?)</td>", str(fragment))


def rows_of(fragment: Any, width: int) -> list[list[tuple[str, str]]]:
    c = cells(fragment)
    assert len(c) % width == 0
    return [c[i:i + width] for i in range(0, len(c), width)]


# --- scope helpers ----------------------------------------------------------------------------------


def test_scope_levels_and_subtree():
    ctx = context()
    assert scope_levels(ctx, "ALL") == ["tinh", "huyen", "xa"]
    assert scope_levels(ctx, "H") == ["huyen", "xa"]
    assert scope_levels(ctx, "X2") == ["xa"]
    assert sorted(subtree(ctx, "H").unit_id) == ["H", "X1", "X2"]
    assert level_label(ctx, "all") == "Tất cả các cấp" and level_label(ctx, "xa") == "cấp xã"


def test_check_unit():
    ctx = context()
    assert check_unit(ctx, " H ") == "H"
    with pytest.raises(UsageError, match="NOPE"):
        check_unit(ctx, "NOPE")


# --- deadlines --------------------------------------------------------------------------------------

END_2024 = "2024-12-31"


def deadline_rows(ctx: ReportContext) -> list[list[tuple[str, str]]]:
    return rows_of(tables.deadlines(ctx, "ALL"), 4)


def test_deadline_statuses():
    ctx = context(
        records=[rec("planning_review_on_time", "ALL", "all", 1, 4, 1.0, "red"),
                 rec("rotation_plan_coverage", "ALL", "all", 0, 0, 1.0, "none")],
        trends=[{"date": END_2024, **rec("planning_review_on_time", "ALL", "all", 3, 3, 1.0, "green")},
                {"date": END_2024, **rec("leadership_training_coverage", "ALL", "all", 1, 2, 1.0, "red")}])
    rows = deadline_rows(ctx)
    assert len(rows) == 4
    # 2024 planning review: 3/3 done
    assert rows[0][1:] == [("", "31/12/2024"), ("num", "100,0% (3/3)"), ("st-green", "Đã hoàn thành")]
    # 2024 training: 1 of 2, the year is over
    assert rows[1][1:] == [("", "31/12/2024"), ("num", "50,0% (1/2)"), ("st-red", "Quá hạn")]
    # yearly review, due 31/12/2025: 1 July .. 31 December = 31 + 31 + 30 + 31 + 30 + 31 = 184 days left
    assert rows[2][0][1] == "Rà soát, bổ sung quy hoạch hằng năm (năm 2025)"
    assert rows[2][1:] == [("", "31/12/2025"), ("num", "25,0% (1/4)"), ("st-amber", "Còn 184 ngày")]
    # rotation plans: no unit to count
    assert rows[3][1:] == [("", "31/12/2025"), ("num", "–"), ("", "Không có số liệu")]


@pytest.mark.parametrize("deadline,word,cls", [
    (AS_OF, "Còn 0 ngày", "st-amber"),  # due today: not late yet
    (AS_OF - dt.timedelta(days=1), "Quá hạn", "st-red"),  # due yesterday
    (AS_OF + dt.timedelta(days=1), "Còn 1 ngày", "st-amber"),
])
def test_deadline_due_day_boundary(deadline, word, cls):
    ctx = context(records=[rec("planning_review_on_time", "ALL", "all", 2, 3, 1.0, "red")], review_deadline=deadline)
    yearly = [r for r in deadline_rows(ctx) if r[0][1].startswith("Rà soát, bổ sung quy hoạch hằng năm")]
    assert yearly == [[yearly[0][0], ("", deadline.strftime("%d/%m/%Y")), ("num", "66,7% (2/3)"), (cls, word)]]


def test_no_2024_tasks_before_the_end_of_2024():
    day = dt.date(2024, 6, 30)
    ctx = context(records=[rec("rotation_plan_coverage", "ALL", "all", 2, 2, 1.0, "green")], as_of=day)
    rows = deadline_rows(ctx)
    assert [r[0][1] for r in rows] == ["Rà soát, bổ sung quy hoạch hằng năm (năm 2024)",
                                       "Xây dựng kế hoạch điều động, luân chuyển cán bộ trẻ (năm 2024)"]
    assert rows[1][3] == ("st-green", "Đã hoàn thành")  # done, even before the deadline


# --- results and shortcomings -------------------------------------------------------------------------


def test_scorecard_cells_and_legend():
    ctx = context(records=[rec("young_share_planning", "ALL", "all", 3, 5, 0.15, "green"),
                           rec("planning_out_of_standard", "ALL", "all", 1, 4, 0.0, "red")])
    text = str(tables.scorecard(ctx, "ALL"))
    rows = rows_of(text, 2 + 4)  # indicator, target, all levels, tinh, huyen, xa
    assert len(rows) == 2  # the other indicators count nothing at any level: named in the note instead
    by_name = {r[0][1]: r[1:] for r in rows}
    assert by_name["Tỷ lệ cán bộ trẻ trong quy hoạch"][:2] == [("num", "15%"), ("st-green", "60,0% (3/5) · Đạt")]
    oos = INDICATORS["planning_out_of_standard"].label_vi + " (càng thấp càng tốt)"
    assert by_name[oos][:2] == [("num", "0%"), ("st-red", "25,0% (1/4) · Chưa đạt")]
    assert by_name[oos][4] == ("st-none", "– (0/0) · Chưa có mục tiêu")  # cấp xã: nothing counted, no target set
    assert "Gần đạt (từ 90% mục tiêu)" in text
    assert f"Chưa có số liệu tại ngày báo cáo: {INDICATORS['female_share_planning'].label_vi};" in text


def test_not_met_lists_red_and_amber_only():
    ctx = context(records=[
        rec("young_share_planning", "ALL", "all", 3, 5, 0.15, "green"),
        rec("female_share_planning", "ALL", "all", 9, 40, 0.25, "amber"),  # 22.5% >= 0.9 x 25%
        rec("female_share_planning", "ALL", "xa", 1, 10, 0.25, "red"),
        rec("out_of_level_appointments", "ALL", "all", 1, 2, None, "none"),
    ])
    rows = rows_of(tables.not_met(ctx, "ALL"), 5)
    label = INDICATORS["female_share_planning"].label_vi
    assert rows == [  # one row per indicator; the levels that miss the target in the last column
        [("", label), ("num", "22,5% (9/40)"), ("num", "25%"), ("st-amber", "Gần đạt"),
         ("", "cấp xã: 10,0% (1/10) (chưa đạt)")],
    ]
    all_met = context(records=[rec("young_share_planning", "ALL", "all", 3, 5, 0.15, "green")])
    assert str(tables.not_met(all_met, "ALL")) == "<p>Tất cả các chỉ tiêu có mục tiêu đều đạt.</p>"


def test_unit_table_worst_first():
    ctx = context(records=[rec("young_share_planning", "X1", "xa", 0, 2, 0.15, "red"),
                           rec("young_share_planning", "X2", "xa", 1, 2, 0.15, "green")])
    rows = rows_of(tables.unit_table(ctx, "xa", "ALL"), 1 + 6)
    assert [r[0][1] for r in rows] == ["Xã Xuân Quan", "Xã Phụng Công"]  # 0% before 50%
    assert rows[0][1] == ("num st-red", "0,0% (0/2)")
    assert str(tables.unit_table(ctx, "tinh", "H")) == ""  # no province-level unit inside H


def test_changes_against_the_previous_report():
    prev = frame([rec("young_share_planning", "ALL", "all", 1, 4, 0.15, "green"),
                  rec("female_share_planning", "ALL", "all", 1, 4, 0.25, "green")])
    ctx = context(records=[rec("young_share_planning", "ALL", "all", 3, 10, 0.15, "green"),
                           rec("female_share_planning", "ALL", "all", 1, 5, 0.25, "amber")], previous=prev)
    rows = rows_of(tables.changes(ctx, "ALL"), 5)
    assert [c[1] for c in rows[0]] == [INDICATORS["young_share_planning"].label_vi, "25,0%", "30,0%",
                                       "+5,0 điểm phần trăm", "Không đổi"]
    assert [c[1] for c in rows[1]] == [INDICATORS["female_share_planning"].label_vi, "25,0%", "20,0%",
                                       "−5,0 điểm phần trăm", "Đạt → Gần đạt"]
    assert rows[1][4][0] == "st-amber"
    assert len(rows) == 2  # indicators without a value in either report are left out
    assert "Chưa có kỳ báo cáo trước" in str(tables.changes(context(), "ALL"))


def test_action_lists_refused_to_leadership():
    text = str(tables.action_lists(context(), "ALL", "leadership"))
    assert "chỉ có trong báo cáo dành cho cán bộ nghiệp vụ" in text and "<table" not in text


# --- findings -----------------------------------------------------------------------------------------


def test_finding_sentences_wording():
    prev = frame([rec("young_share_planning", "ALL", "all", 1, 2, 0.15, "green"),
                  rec("out_of_level_appointments", "ALL", "all", 1, 2, None, "none"),
                  rec("female_share_planning", "ALL", "all", 1, 2, 0.25, "green")])
    ctx = context(previous=prev, records=[
        rec("young_share_planning", "ALL", "all", 3, 5, 0.15, "green"),
        rec("young_share_planning", "ALL", "xa", 1, 3, 0.15, "green"),
        rec("young_share_planning", "X1", "xa", 0, 1, 0.15, "red"),
        rec("young_share_planning", "X2", "xa", 1, 2, 0.15, "green"),
        rec("female_share_planning", "ALL", "all", 1, 5, 0.25, "amber"),
        rec("out_of_level_appointments", "ALL", "all", 2, 4, None, "none"),
    ])
    got = prose.finding_sentences(ctx, "ALL", ["young_share_planning", "female_share_planning",
                                               "out_of_level_appointments", "rotation_plan_coverage"])
    young = INDICATORS["young_share_planning"].label_vi
    female = INDICATORS["female_share_planning"].label_vi
    ool = INDICATORS["out_of_level_appointments"].label_vi
    assert got == [
        f"{young} đạt 60,0% (3/5) (mục tiêu 15%), đạt; tăng 10,0 điểm phần trăm so với kỳ báo cáo trước.",
        f"{young} cấp xã đạt 33,3% (1/3) (mục tiêu 15%), đạt; 1/2 đơn vị cấp xã chưa đạt.",
        f"{female} đạt 20,0% (1/5) (mục tiêu 25%), gần đạt; giảm 30,0 điểm phần trăm so với kỳ báo cáo trước.",
        f"{ool} đạt 50,0% (2/4); không thay đổi so với kỳ báo cáo trước.",
        # rotation_plan_coverage: no unit counted (0/0), no sentence
    ]
    html_text = str(prose.findings(ctx, "ALL", ["young_share_planning"]))
    assert html_text.startswith("<ul class='cm-findings'><li>") and html_text.count("<li>") == 1  # levels grouped


# --- recommendations ----------------------------------------------------------------------------------


def test_recommendations_when_no_unit_lags():
    ctx = context(records=[rec("young_share_planning", "ALL", "all", 3, 5, 0.15, "green"),
                           rec("out_of_level_appointments", "ALL", "all", 0, 4, None, "none")])
    assert str(prose.recommendations(ctx, "ALL")) == "<p>Tiếp tục duy trì kết quả đã đạt được.</p>"


def test_recommendations_name_lagging_units_worst_first_and_the_gap():
    ctx = context(records=[
        rec("young_share_planning", "ALL", "all", 1, 10, 0.15, "red"),
        rec("young_share_planning", "P", "tinh", 1, 2, 0.15, "green"),
        rec("young_share_planning", "H", "huyen", 0, 3, 0.15, "red"),
        rec("young_share_planning", "X1", "xa", 1, 10, 0.15, "red"),
        rec("young_share_planning", "X2", "xa", 0, 4, 0.15, "red"),
        rec("leadership_training_coverage", "ALL", "all", 3, 5, 1.0, "red"),
    ])
    items = re.findall(r"<li>(.*?)</li>", str(prose.recommendations(ctx, "ALL")))
    assert items == [
        "Rà soát, bổ sung cán bộ trẻ vào quy hoạch để đạt tỷ lệ mục tiêu; các đơn vị cần tập trung: "
        "Huyện Văn Giang, Xã Phụng Công, Xã Xuân Quan.",  # by level (huyen, xa), the lowest share first
        "Cử 2 cán bộ trẻ trong quy hoạch chức danh chủ chốt còn lại đi bồi dưỡng kỹ năng lãnh đạo, quản lý.",
    ]
    short = re.findall(r"<li>(.*?)</li>", str(prose.recommendations(ctx, "ALL", max_units=1)))
    assert short[0].endswith("các đơn vị cần tập trung: Huyện Văn Giang và 2 đơn vị khác.")


def test_recommendations_of_a_unit_leave_the_unit_out():
    ctx = context(records=[rec("young_share_planning", "H", "all", 1, 10, 0.15, "red"),
                           rec("young_share_planning", "H", "huyen", 0, 3, 0.15, "red"),
                           rec("young_share_planning", "X1", "xa", 0, 4, 0.15, "red")])
    (item,) = re.findall(r"<li>(.*?)</li>", str(prose.recommendations(ctx, "H")))
    assert item.endswith("các đơn vị cần tập trung: Xã Xuân Quan.")


# --- header, html -------------------------------------------------------------------------------------


def test_header_carries_the_stylesheet_and_the_sample_band():
    css = (PROJECT_ROOT / "cadre_lib" / "report" / "static" / "report.css").read_text(encoding="utf-8")
    text = str(prose.header(context(is_sample=True), "H"))
    assert f"<style>\n{css}</style>" in text
    assert SAMPLE_BAND in text and "<div class='cm-scope'>Huyện Văn Giang</div>" in text
    assert "lập lúc 08:30 ngày 01/07/2025." in text  # provenance generated_at 2025-07-01T08:30:00+07:00
    assert "ngày 30 tháng 6 năm 2025" in text
    assert SAMPLE_BAND not in str(prose.header(context(), "H"))
    assert prose.page_marks(context(is_sample=True))["page_header"] == SAMPLE_BAND
    assert prose.page_marks(context())["page_header"] == ""


def test_table_html_escapes_and_composes():
    decomposed = "Vie\u0302\u0323t <b>"  # "Việt" with combining marks, and markup
    out = html.table_html(["A&B"], [[decomposed, 3]], num_cols=[1], cell_class={(0, 0): "st-red"})
    assert "<th>A&amp;B</th>" in out
    assert "<td class='st-red'>Việt &lt;b&gt;</td>" in out and "<td class='num'>3</td>" in out
    assert html.HTMLFragment("Vie\u0302\u0323t")._repr_html_() == "Việt"
    assert str(html.heading("a<b", 3)) == "<h3>a&lt;b</h3>"


# --- charts -------------------------------------------------------------------------------------------


def test_ranking_chart_title_counts_units_behind():
    ctx = context(records=[rec("young_share_planning", "X1", "xa", 0, 2, 0.15, "red"),
                           rec("young_share_planning", "X2", "xa", 1, 2, 0.15, "green")])
    svg = str(charts.ranking_bars(ctx, "young_share_planning", "xa", "ALL"))
    assert "Cấp xã: 1/2 đơn vị chưa đạt mục tiêu — tỷ lệ cán bộ trẻ trong quy hoạch" in svg
    assert svg.index("Xã Xuân Quan") < svg.index("Xã Phụng Công")  # worst first
    assert charts.ranking_bars(ctx, "young_share_planning", "huyen", "ALL") is None  # no data at huyen


# --- the notebooks' namespace -------------------------------------------------------------------------


def test_every_section_the_notebooks_call_exists():
    called: set[str] = set()
    for path in (PROJECT_ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                called |= set(re.findall(r"\bS\.(\w+)", "".join(cell["source"])))
    assert {"header", "summary", "scorecard", "findings", "show", "trend_lines", "lagging_charts",
            "recommendations"} <= called
    assert all(callable(getattr(sections, name)) for name in called), called - set(sections.__all__)


def test_the_province_root_is_no_peer_of_its_departments():
    """The root unit stands for the whole province (its records add up every unit below it): rankings, units
    behind and peer comparisons at its level count the departments only. Units: P (tinh, root) > D1, D2 (tinh
    departments), H (huyen) > X1, X2."""
    units = pd.DataFrame({"unit_id": ["P", "D1", "D2", "H", "X1", "X2"],
                          "name": ["Tỉnh Mẫu", "Sở Nội vụ", "Sở Tài chính", "Huyện Văn Giang", "Xã Xuân Quan",
                                   "Xã Phụng Công"],
                          "level": ["tinh", "tinh", "tinh", "huyen", "xa", "xa"],
                          "parent_id": [None, "P", "P", "H", "H", "H"]})
    units.loc[3, "parent_id"] = "P"
    ind = "young_share_planning"
    ctx = context()
    ctx.units = units
    recs = [rec(ind, "P", "tinh", 1, 10, 0.15, "red"),  # the province as a whole: would be a third "unit behind"
            rec(ind, "D1", "tinh", 0, 4, 0.15, "red"),
            rec(ind, "D2", "tinh", 2, 4, 0.15, "green")]
    extra = pd.DataFrame(recs, columns=COLUMNS)
    extra["value"] = pd.array(extra["value"], dtype="Float64")
    extra["target"] = pd.array(extra["target"], dtype="Float64")
    base = ctx.indicators[~((ctx.indicators.indicator == ind) & ctx.indicators.unit_id.isin(["P", "D1", "D2"])
                            & (ctx.indicators.level == "tinh"))]
    ctx.indicators = pd.concat([base, extra], ignore_index=True)
    ctx.memo.clear()
    from cadre_lib.report.common import level_units

    assert level_units(ctx, "ALL", "tinh") == ["D1", "D2"]
    assert level_units(ctx, "P", "xa") == ["X1", "X2"]
    assert prose.units_behind(ctx, ind, "tinh") == (1, 2, ["Sở Nội vụ"])
    svg = str(charts.ranking_bars(ctx, ind, "tinh", "ALL"))
    assert "1/2 đơn vị chưa đạt" in svg and "Tỉnh Mẫu" not in svg
