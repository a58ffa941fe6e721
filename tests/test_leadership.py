"""What a Standing Committee member reads first: the TÓM TẮT box and its ranking, the grouping of levels in a
finding, the portal's scorecard, and the length of the overview PDF on the default sample.

The hand-made context is the one of ``test_report_sections`` (units P > H > X1, X2; targets of
parameters/default.yaml; amber at 90%); every number below is worked out from the literals.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_sections import context, rec

from cadre_lib.core.files import PROJECT_ROOT
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.report import charts, prose, tables
from cadre_lib.runner.models import NotebookJob, ReportResult
from cadre_lib.runner.portal import render_index, scorecard_view

LABEL = {k: v.label_vi for k, v in INDICATORS.items()}


# --- ranking ----------------------------------------------------------------------------------------------


def ranking_context():
    return context(records=[
        # training (weight 3): 60% of a 100% target -> shortfall 0.4, score 1.2
        rec("leadership_training_coverage", "ALL", "all", 3, 5, 1.0, "red"),
        # women in planning (weight 2): 20% of 25% -> shortfall 0.2, score 0.4
        rec("female_share_planning", "ALL", "all", 2, 10, 0.25, "red"),
        # young in planning (weight 3): met as a whole (30% >= 15%), missed at commune level (10% of 15%:
        # shortfall 1/3) -> score 3 x 0.5 x 1/3 = 0.5
        rec("young_share_planning", "ALL", "all", 3, 10, 0.15, "green"),
        rec("young_share_planning", "ALL", "huyen", 2, 4, 0.15, "green"),
        rec("young_share_planning", "ALL", "xa", 1, 10, 0.15, "red"),
        # out-of-standard cadres still planned (lower is better, weight 2): 5% above a 0% target ->
        # shortfall 0.05 / 0.20 = 0.25, score 0.5 (tie with young_share_planning: the weight decides)
        rec("planning_out_of_standard", "ALL", "all", 1, 20, 0.0, "red"),
        # met, weight 2 and weight 3: good news, the heavier first
        rec("young_share_leaders", "ALL", "all", 5, 10, 0.15, "green"),
        rec("planning_review_on_time", "ALL", "all", 4, 4, 1.0, "green"),
        # no target: last
        rec("out_of_level_appointments", "ALL", "all", 1, 4, None, "none"),
    ])


def test_ranking_order_and_scores():
    found = prose.ranked_findings(ranking_context(), "ALL")
    assert [f.indicator for f in found] == [
        "leadership_training_coverage",  # 1.2: the largest gap on a weight-3 indicator
        "young_share_planning",  # 0.5: weight 3 beats weight 2 at an equal score
        "planning_out_of_standard",  # 0.5
        "female_share_planning",  # 0.4
        "planning_review_on_time",  # met, weight 3
        "young_share_leaders",  # met, weight 2
        "out_of_level_appointments",  # no target
    ]
    scores = [f.score for f in found]
    assert scores[:4] == pytest.approx([1.2, 0.5, 0.5, 0.4])
    assert scores[4:6] == [0.0, 0.0] and scores[6] is None
    assert found[1].missed_levels == ("xa",)


def test_shortfall():
    assert prose.shortfall("young_share_planning", 0.3, 0.15) == 0.0
    assert prose.shortfall("young_share_planning", 0.1, 0.15) == pytest.approx(1 / 3)
    assert prose.shortfall("planning_out_of_standard", 0.5, 0.0) == 1.0  # capped
    assert prose.shortfall("young_share_planning", None, 0.15) is None
    assert all(ind.weight > 0 for ind in INDICATORS.values())


def test_summary_box_messages_units_and_deadlines():
    ctx = ranking_context()
    text = str(prose.summary(ctx, "ALL"))
    assert text.startswith("<div class='cm-summary'><div class='cm-summary-title'>TÓM TẮT</div>")
    items = re.findall(r"<li>(.*?)</li>", text)
    assert len(items) == 4  # the four targets missed (at most five)
    assert items[0] == (f"{LABEL['leadership_training_coverage']} đạt 60,0% (3/5) (mục tiêu 100%), chưa đạt.")
    assert items[1].startswith(f"{LABEL['young_share_planning']} đạt 30,0% (3/10) (mục tiêu 15%), đạt; ")
    # no unit record: no unit is counted as behind; the yearly review is due 31/12/2025 (184 days): not listed
    assert "Đơn vị còn chậm" not in text
    assert "Không có nhiệm vụ quá hạn hoặc đến hạn trong 60 ngày tới." in text


def test_summary_completes_with_targets_met_and_counts_units_behind():
    ctx = context(records=[
        rec("young_share_planning", "ALL", "all", 3, 10, 0.15, "green"),
        rec("female_share_planning", "ALL", "all", 3, 10, 0.25, "green"),
        rec("young_share_key_planning", "ALL", "all", 3, 10, 0.15, "green"),
        rec("young_share_leaders", "ALL", "all", 3, 10, 0.15, "green"),
        rec("young_share_planning", "X1", "xa", 0, 2, 0.15, "red"),
        rec("young_share_planning", "X2", "xa", 1, 2, 0.15, "green"),
        rec("planning_review_on_time", "ALL", "all", 1, 2, 1.0, "red"),
    ], review_deadline=dt.date(2025, 7, 31))
    text = str(prose.summary(ctx, "ALL"))
    items = re.findall(r"<li>(.*?)</li>", text)
    # one target missed, completed to three with the targets met of the highest weight (3, 3, then 2)
    assert [i.split(" đạt ")[0] for i in items] == [LABEL["planning_review_on_time"], LABEL["young_share_planning"],
                                                    LABEL["young_share_key_planning"]]
    assert "Cấp xã: 1/2 đơn vị chưa đạt ít nhất một chỉ tiêu chính, nhiều nhất là «cán bộ trẻ trong quy hoạch» " \
           "(1 đơn vị)" in text
    assert ("Đến hạn trong 60 ngày tới: Rà soát, bổ sung quy hoạch hằng năm (năm 2025), hạn 31/07/2025 "
            "(còn 31 ngày): đạt 50,0% (1/2).") in text


# --- grouping of levels in a finding ------------------------------------------------------------------------


def test_levels_grouped_in_one_sentence():
    ctx = context(records=[
        rec("young_share_planning", "ALL", "all", 30, 100, 0.15, "green"),
        rec("young_share_planning", "ALL", "tinh", 5, 10, 0.15, "green"),
        rec("young_share_planning", "ALL", "huyen", 4, 10, 0.15, "green"),
        rec("young_share_planning", "ALL", "xa", 3, 11, 0.30, "red"),  # a commune-level target of 30%
        rec("female_share_planning", "ALL", "all", 30, 100, 0.25, "green"),
        rec("female_share_planning", "ALL", "tinh", 3, 10, 0.25, "green"),
        rec("female_share_planning", "ALL", "huyen", 3, 10, 0.25, "green"),
        rec("female_share_planning", "ALL", "xa", 3, 10, 0.25, "green"),
        rec("leadership_training_coverage", "ALL", "all", 5, 10, 1.0, "red"),
        rec("leadership_training_coverage", "ALL", "huyen", 3, 4, 1.0, "red"),
        rec("leadership_training_coverage", "ALL", "xa", 2, 6, 1.0, "red"),
    ])
    young = prose.indicator_finding(ctx, "young_share_planning", "ALL")
    assert young.sentence == (f"{LABEL['young_share_planning']} đạt 30,0% (30/100) (mục tiêu 15%), đạt; đạt ở cấp "
                              "tỉnh, cấp huyện; chưa đạt ở cấp xã: 27,3% (3/11) (mục tiêu 30%).")
    female = prose.indicator_finding(ctx, "female_share_planning", "ALL")
    assert female.sentence.endswith("(mục tiêu 25%), đạt; đạt ở cả ba cấp.")
    training = prose.indicator_finding(ctx, "leadership_training_coverage", "ALL")  # no tinh data: two levels
    assert training.sentence.endswith("chưa đạt; chưa đạt ở cả hai cấp (mục tiêu 100%): cấp huyện 75,0% (3/4), "
                                      "cấp xã 33,3% (2/6).")
    # a scope with one level: no clause
    one = context(records=[rec("young_share_planning", "X1", "all", 1, 2, 0.15, "green"),
                           rec("young_share_planning", "X1", "xa", 1, 2, 0.15, "green")])
    assert prose.indicator_finding(one, "young_share_planning", "X1").sentence.endswith("(mục tiêu 15%), đạt.")
    # the section: at most `limit` sentences, then a pointer to the appendix
    text = str(prose.findings(ctx, "ALL", limit=2))
    assert text.count("<li>") == 2 and "2/3 nhận định quan trọng nhất" in text
    assert str(prose.all_findings(ctx, "ALL")).count("<li>") == 3


# --- charts -------------------------------------------------------------------------------------------------


def test_light_charts_are_inline_svg_with_their_message():
    ctx = context(records=[rec("young_share_planning", "X1", "xa", 0, 2, 0.15, "red"),
                           rec("young_share_planning", "X2", "xa", 1, 2, 0.15, "green")])
    bars = str(charts.ranking_bars(ctx, "young_share_planning", "xa", "ALL"))
    title = "Cấp xã: 1/2 đơn vị chưa đạt mục tiêu — tỷ lệ cán bộ trẻ trong quy hoạch"
    assert f"<figcaption class='cm-chart-title'>{title}</figcaption>" in bars
    assert bars.index("Xã Xuân Quan") < bars.index("Xã Phụng Công")  # worst first
    assert "0,0% (0/2)" in bars and "stroke-dasharray='5 3'" in bars  # labels on bars, dashed target
    assert "<img" not in bars and "http" not in bars.replace("xmlns", "")
    assert charts.ranking_bars(ctx, "young_share_planning", "huyen", "ALL") is None
    (only,) = charts.lagging_charts(ctx, "ALL")
    assert title in str(only)


# --- the portal's scorecard ---------------------------------------------------------------------------------


def portal_context():
    return context(records=[
        rec("young_share_planning", "ALL", "all", 3, 10, 0.15, "green"),
        rec("young_share_planning", "H", "all", 1, 10, 0.15, "red"),
        rec("young_share_planning", "X1", "all", 2, 10, 0.15, "green"),
        rec("female_share_planning", "H", "all", 2, 10, 0.25, "amber"),
        rec("female_share_planning", "X1", "all", 3, 10, 0.25, "green"),
    ])


def test_portal_matrix_rows_columns_and_status_words():
    m = tables.portal_scorecard(portal_context(), [("X1", "unit-X1"), ("H", "unit-H")], total="overview")
    assert m["columns"] == [INDICATORS[i].short for i in tables.HEADLINE]
    assert [r["name"] for r in m["rows"]] == ["Huyện Văn Giang", "Xã Xuân Quan"]  # worst first (1 red, 1 amber)
    h = m["rows"][0]
    assert h["report"] == "unit-H" and h["group"] == "huyen" and h["group_label"] == "cấp huyện"
    assert h["cells"][0] == {"text": "10,0% (1/10)", "status": "red", "word": "Chưa đạt"}
    assert h["cells"][1] == {"text": "20,0% (2/10)", "status": "amber", "word": "Gần đạt"}
    assert h["cells"][2] == {"text": "–", "status": "none", "word": "Chưa có mục tiêu"}
    assert [g["key"] for g in m["groups"]] == ["huyen", "xa"]  # the levels present, in parameter order
    assert m["total"]["name"] == "Toàn tỉnh" and m["total"]["report"] == "overview"


def _result(stem: str, ok: bool = True) -> ReportResult:
    job = NotebookJob(stem, Path("x.ipynb"), {}, stem, scope=stem)
    r = ReportResult(job=job, status="ok" if ok else "failed")
    if ok:
        r.html, r.pdf = f"html/{stem}.html", f"pdf/{stem}.pdf"
    return r


def test_portal_page_links_rows_and_filters_without_script():
    m = tables.portal_scorecard(portal_context(), [("X1", "unit-X1"), ("H", "unit-H")], total="overview")
    reports = [_result("overview"), _result("unit-H"), _result("unit-X1", ok=False)]
    view = scorecard_view(m, reports)
    assert [r["href"] for r in view["rows"]] == ["html/unit-H.html", None]  # a failed report has no link
    page = render_index(reports=reports, run_id="r1", generated_at=dt.datetime(2025, 7, 1, 8, 0),
                        as_of=dt.date(2025, 6, 30), scorecard=m)
    assert page.index("Kết quả các chỉ tiêu chính theo đơn vị") < page.index("Danh sách báo cáo")
    assert '<a href="html/unit-H.html">Huyện Văn Giang</a>' in page
    assert '<a href="html/overview.html">Toàn tỉnh</a>' in page
    assert "10,0% (1/10)<span class=\"word\">Chưa đạt</span>" in page and 'class="st st-red"' in page
    assert 'id="lv-1"' in page and "#lv-1:checked ~ .sc-wrap tr.sc-row:not(.g-1)" in page
    assert "<script" not in page and not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "Kết quả các chỉ tiêu" not in render_index(reports=reports, run_id="r1",
                                                      generated_at=dt.datetime(2025, 7, 1, 8, 0))


# --- the overview PDF on the default sample ----------------------------------------------------------------

MAX_PAGES = 12


def test_overview_pdf_pages_on_the_default_sample(tmp_path):
    """The overview that ``make report`` builds from the default sample (data/sample, generated with the
    defaults when missing) stays within 12 A4 pages, appendix included. Counts pages; times nothing."""
    data = PROJECT_ROOT / "data" / "sample"
    if not (data / "SAMPLE_DATA.txt").exists():
        data = tmp_path / "sample"
        subprocess.run([sys.executable, "-m", "cadre_lib", "sample-data", "--out", str(data)], check=True,
                       capture_output=True, cwd=PROJECT_ROOT, timeout=600)
    out = tmp_path / "reports"
    r = subprocess.run([sys.executable, "-m", "cadre_lib", "run", "--data", str(data), "--units", "none",
                        "--notebooks", "overview", "--formats", "pdf", "--out", str(out)],
                       capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    info = subprocess.run(["pdfinfo", str(out / "latest" / "pdf" / "overview.pdf")], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert 2 <= pages <= MAX_PAGES, pages
    text = subprocess.run(["pdftotext", "-l", "1", str(out / "latest" / "pdf" / "overview.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "TÓM TẮT" in text  # on page 1
