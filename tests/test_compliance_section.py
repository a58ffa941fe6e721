"""The "Tuân thủ quy định về quy hoạch" table and the rule sets of the method appendix, on a hand-made context.

The context is the one of tests/test_report_sections.py (every record set by hand); the parameters' rule sets
are those of parameters/default.yaml unless a test gives its own: QĐ 50-QĐ/TW from 28/12/2021 and QĐ 377-QĐ/TW
from 08/10/2025 (3 people per post, 3 posts per person, retirement men 62, women 58y4m).
"""

from __future__ import annotations

import datetime as dt
import re

from test_report_sections import context, rec

from cadre_lib.report import tables


def _rows(html_text: str) -> list[list[str]]:
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", html_text, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)]
        out.append(cells)
    return out


def test_compliance_under_qd377_names_the_rule_set_and_its_limits() -> None:
    ctx = context([
        rec("planning_out_of_standard", "ALL", "all", 2, 410, 0.0, "red"),
        rec("planning_posts_over_limit", "ALL", "all", 7, 120, 0.0, "red"),
        rec("planning_people_over_post_limit", "ALL", "all", 0, 380, 0.0, "green"),
        rec("planning_short_of_term", "ALL", "all", 12, 1250, 0.0, "red"),
        rec("evaluated_before_planning", "ALL", "all", 1200, 1250, 1.0, "red"),
    ], as_of=dt.date(2026, 9, 30), period_start=dt.date(2026, 1, 1))
    text = tables.compliance(ctx, "ALL").text
    assert "theo Quy định số 377-QĐ/TW (áp dụng từ ngày 08/10/2025)" in text
    assert "tại ngày 30/09/2026" in text
    assert _rows(text)[1:] == [
        ["Cán bộ xếp loại không hoàn thành nhiệm vụ vẫn còn trong quy hoạch", "2", "trên 410 cán bộ trong quy hoạch"],
        ["Chức danh quy hoạch quá 3 người", "7", "trên 120 chức danh quy hoạch"],
        ["Cán bộ được quy hoạch quá 3 chức danh cùng cấp", "0", "trên 380 cán bộ trong quy hoạch"],
        ["Lượt quy hoạch của cán bộ không đủ tuổi công tác trọn nhiệm kỳ", "12", "trên 1.250 lượt quy hoạch"],
        ["Lượt quy hoạch chưa có đánh giá cán bộ trước khi quy hoạch", "50", "trên 1.250 lượt quy hoạch"],
    ]


def test_compliance_before_qd377_says_the_rules_do_not_apply() -> None:
    ctx = context([rec("planning_out_of_standard", "ALL", "all", 1, 40, 0.0, "red")])  # as_of 30/06/2025
    text = tables.compliance(ctx, "ALL").text
    assert "theo Quy định số 50-QĐ/TW (áp dụng từ ngày 28/12/2021)" in text
    rows = _rows(text)[1:]
    assert rows[1] == ["Chức danh quy hoạch quá N người", "—", "bộ quy định đang áp dụng không có quy định này"]
    assert rows[3][1] == "—"


def test_compliance_without_rule_sets() -> None:
    ctx = context([], rules=[])
    assert "theo các tham số chung (chưa khai báo bộ quy định)" in tables.compliance(ctx, "ALL").text


def test_method_lists_the_rule_sets_and_marks_the_one_applied() -> None:
    ctx = context([], as_of=dt.date(2026, 9, 30), period_start=dt.date(2026, 1, 1))
    rows = _rows(tables.rule_sets(ctx).text)
    assert rows[0][0] == "Bộ quy định"
    assert rows[1][:2] == ["Quy định số 50-QĐ/TW", "28/12/2021"]
    assert rows[1][3:6] == ["—", "—", "—"]
    assert rows[2][:2] == ["Quy định số 377-QĐ/TW (áp dụng cho kỳ báo cáo này)", "08/10/2025"]
    assert rows[2][3:] == ["3", "3", "Nam 62 tuổi; Nữ 58 tuổi 4 tháng", "1 × 5 năm"]
    assert rows[2][2] == "cấp tỉnh dưới 40; cấp huyện dưới 40; cấp xã dưới 35"
    # the indicator table counts in Vietnamese words, not registry codes
    method = tables.method(ctx).text
    assert "<td>chức danh</td>" in method and "<td>people</td>" not in method
