"""The sections as tables: the scorecard, the shortcomings (indicators not met, deadlines, compliance,
changes), the annexes (units of a level, comparison with peers, data quality, method, provenance) and the
analysts' named action lists.

Leadership output names no individual: :func:`action_lists` is the only section that shows people, and it
refuses unless the audience is ``analyst``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.scope import ALL, ANALYST, LEVEL_ALL
from cadre_lib.core.text import escape
from cadre_lib.indicators.quality import BOUNDARY_CHECKS
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.register.contract import label
from cadre_lib.report.common import MISSED, level_label, level_units, optional, scope_levels
from cadre_lib.report.context import HEADLINE, ReportContext
from cadre_lib.report.html import STATUS_CLASS, HTMLFragment, table_html

# --- I. results -----------------------------------------------------------------------------------


def scorecard(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """Every indicator x level of the scope: the target, then per level the value (numerator/denominator) and
    the status in words (a level's own target, when it differs, in its cell). Indicators with nothing counted
    at any level are named in a note under the table instead of a row of dashes."""
    levels = [LEVEL_ALL, *scope_levels(ctx, unit_id)]
    headers = ["Chỉ tiêu", "Mục tiêu", *(level_label(ctx, lv) for lv in levels)]
    rows: list[list[str]] = []
    classes: dict[tuple[int, int], str] = {}
    empty: list[str] = []
    t = ctx.indicators[ctx.indicators.unit_id == unit_id].set_index(["indicator", "level"])
    for ind_id, ind in INDICATORS.items():
        recs = [t.loc[(ind_id, lv)] for lv in levels]
        if all(int(r.denominator) == 0 for r in recs):
            empty.append(ind.label(ctx.lang))
            continue
        main_target = optional(recs[0].target)
        if main_target is None:
            main_target = ctx.params.target(ind_id, LEVEL_ALL)
        i = len(rows)
        row = [ind.label(ctx.lang) + (" (càng thấp càng tốt)" if not ind.higher_is_better else ""),
               fmt.target_pct(main_target) if main_target is not None else "–"]
        for j, r in enumerate(recs, start=2):
            target = optional(r.target)
            cell = fmt.share(optional(r.value), int(r.numerator), int(r.denominator))
            if target is not None and target != main_target:
                cell += f" · MT {fmt.target_pct(target)}"
            cell += f" · {fmt.status_word(r.status, ctx.lang)}"
            row.append(cell)
            classes[(i, j)] = STATUS_CLASS[r.status]
        rows.append(row)
    legend = ("<p class='cm-note'>Mỗi ô: tỷ lệ (tử số/mẫu số) và tình trạng: "
              f"● Đạt, ◐ Gần đạt (từ {fmt.target_pct(ctx.params.amber_ratio)} mục tiêu), ○ Chưa đạt.")
    if empty:
        legend += " Chưa có số liệu tại ngày báo cáo: " + escape("; ".join(empty)) + "."
    return HTMLFragment("<div class='cm-scorecard'>" + table_html(headers, rows, [1], classes) + "</div>"
                        + legend + "</p>")


# --- II. shortcomings -------------------------------------------------------------------------------


def not_met(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """One row per indicator that misses its target (Chưa đạt or Gần đạt) in the scope as a whole or at one of
    its levels: the scope's result, target and status, and the levels that miss it with their results."""
    rows: list[list[str]] = []
    cls: dict[tuple[int, int], str] = {}
    for ind_id, ind in INDICATORS.items():
        r = ctx.record(ind_id, unit_id, LEVEL_ALL)
        levels = [(lv, ctx.record(ind_id, unit_id, lv)) for lv in scope_levels(ctx, unit_id)]
        missed = [(lv, x) for lv, x in levels if x.status in MISSED]
        if r.status not in MISSED and not missed:
            continue
        where = "; ".join(f"{level_label(ctx, lv)}: {fmt.share(float(x.value), int(x.numerator), int(x.denominator))}"
                          f" ({fmt.status_word(str(x.status)).lower()})" for lv, x in missed) or "–"
        value = optional(r.value)
        cls[(len(rows), 3)] = STATUS_CLASS[r.status]
        rows.append([ind.label_vi, fmt.share(value, int(r.numerator), int(r.denominator)),
                     fmt.target_pct(optional(r.target)), fmt.status_word(r.status), where])
    if not rows:
        return HTMLFragment("<p>Tất cả các chỉ tiêu có mục tiêu đều đạt.</p>")
    return HTMLFragment(table_html(["Chỉ tiêu", f"Kết quả ({level_label(ctx, LEVEL_ALL).lower()})", "Mục tiêu",
                                    "Tình trạng", "Cấp chưa đạt"], rows, [1, 2], cls))


#: A task due within this many days after as_of counts as "due soon" in the summary (TÓM TẮT).
DUE_SOON_DAYS = 60


@dataclass(frozen=True)
class Deadline:
    """One dated task of the Conclusion in a scope: its record (``None`` without data), and its state:
    ``done``, ``late`` (not done, due before as_of), ``open`` (not done, due on or after as_of) or ``nodata``."""

    task: str
    due: dt.date
    record: pd.Series | None
    state: str
    days_left: int

    @property
    def share(self) -> str:
        r = self.record
        return "–" if r is None else fmt.share(float(r.value), int(r.numerator), int(r.denominator))


def deadline_items(ctx: ReportContext, unit_id: str = ALL) -> list[Deadline]:
    """The dated tasks of the Conclusion: planning review by 31/12/2024 and yearly; 100% training in
    2024; rotation plans. Values from the trend series (event-dated register)."""
    as_of = ctx.as_of

    def at(indicator: str, day: dt.date) -> pd.Series | None:
        t = ctx.trends
        r = t[(t.indicator == indicator) & (t.unit_id == unit_id) & (t.level == LEVEL_ALL)
              & (t.date == pd.Timestamp(day))]
        return None if r.empty else r.iloc[0]

    items: list[tuple[str, dt.date, pd.Series | None]] = []
    y2024 = dt.date(2024, 12, 31)
    if as_of >= y2024:
        items.append(("Rà soát, bổ sung quy hoạch cán bộ trẻ (trước ngày 31/12/2024)", y2024,
                      at("planning_review_on_time", y2024)))
        items.append(("100% cán bộ trẻ quy hoạch chủ chốt được bồi dưỡng kỹ năng lãnh đạo, quản lý (năm 2024)",
                      y2024, at("leadership_training_coverage", y2024)))
    due = ctx.params.deadline
    items.append((f"Rà soát, bổ sung quy hoạch hằng năm (năm {as_of.year})", due,
                  ctx.record("planning_review_on_time", unit_id, LEVEL_ALL)))
    items.append((f"Xây dựng kế hoạch điều động, luân chuyển cán bộ trẻ (năm {as_of.year})",
                  dt.date(as_of.year, 12, 31), ctx.record("rotation_plan_coverage", unit_id, LEVEL_ALL)))
    out = []
    for task, day, r in items:
        if r is None or int(r.denominator) == 0:
            state, r = "nodata", None
        elif int(r.numerator) == int(r.denominator):
            state = "done"
        else:
            state = "late" if as_of > day else "open"
        out.append(Deadline(task, day, r, state, (day - as_of).days))
    return out


def deadlines(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """The dated tasks of the Conclusion (:func:`deadline_items`) as a table: result and state."""
    rows, cls = [], {}
    for i, d in enumerate(deadline_items(ctx, unit_id)):
        if d.state == "nodata":
            rows.append([d.task, fmt.date(d.due), "–", "Không có số liệu"])
            continue
        word, c = {"done": ("Đã hoàn thành", "green"), "late": ("Quá hạn", "red"),
                   "open": (f"Còn {d.days_left} ngày", "amber")}[d.state]
        rows.append([d.task, fmt.date(d.due), d.share, word])
        cls[(i, 3)] = STATUS_CLASS[c]
    return HTMLFragment(table_html(["Nhiệm vụ", "Thời hạn", "Kết quả", "Tình trạng"], rows, [2], cls))


def rule_set_name(ctx: ReportContext, day: dt.date | None = None) -> str:
    """``theo Quy định số 377-QĐ/TW (từ ngày 08/10/2025)``: the rule set a report applied on ``day`` (as_of)."""
    rule = ctx.params.rule_set(day or ctx.as_of)
    if rule is None:
        return "theo các tham số chung (chưa khai báo bộ quy định)"
    return f"theo {rule.name} (áp dụng từ ngày {fmt.date(rule.from_)})"


#: The planning-rule checks of the compliance table: indicator, what is counted (with the limit), of what.
COMPLIANCE = [
    ("planning_out_of_standard", "Cán bộ xếp loại không hoàn thành nhiệm vụ vẫn còn trong quy hoạch",
     "cán bộ trong quy hoạch", None),
    ("planning_posts_over_limit", "Chức danh quy hoạch quá {limit} người", "chức danh quy hoạch",
     "max_people_per_post"),
    ("planning_people_over_post_limit", "Cán bộ được quy hoạch quá {limit} chức danh cùng cấp",
     "cán bộ trong quy hoạch", "max_posts_per_person"),
    ("planning_short_of_term", "Lượt quy hoạch của cán bộ không đủ tuổi công tác trọn nhiệm kỳ",
     "lượt quy hoạch", "retirement_age"),
]


def compliance(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """Breaches of the planning rules in force on as_of (docs/indicators.md 13, 14, 16-18): out-of-standard
    cadres still planned, posts with too many people, people with too many posts, people who cannot serve
    the term, planning without a prior evaluation; the rule set applied is named above the table."""
    rule = ctx.params.rule_set(ctx.as_of)
    rows = []
    for ind_id, text, of_what, needs in COMPLIANCE:
        r = ctx.record(ind_id, unit_id, LEVEL_ALL)
        limit = getattr(rule, needs, None) if (rule is not None and needs) else None
        if needs and limit is None:
            rows.append([text.format(limit="N"), "—", "bộ quy định đang áp dụng không có quy định này"])
            continue
        rows.append([text.format(limit=limit), fmt.number(int(r.numerator)),
                     f"trên {fmt.number(int(r.denominator))} {of_what}"])
    ev = ctx.record("evaluated_before_planning", unit_id, LEVEL_ALL)
    rows.append(["Lượt quy hoạch chưa có đánh giá cán bộ trước khi quy hoạch",
                 fmt.number(int(ev.denominator) - int(ev.numerator)),
                 f"trên {fmt.number(int(ev.denominator))} lượt quy hoạch"])
    intro = f"<p class='cm-note'>Đánh giá {escape(rule_set_name(ctx))}, tại ngày {fmt.date(ctx.as_of)}.</p>"
    return HTMLFragment(intro + table_html(["Nội dung", "Số lượng", "Ghi chú"], rows, [1]))


def changes(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """Each indicator against the previous report of the same folder (value, change in points, status). Units
    are followed through their successors (:meth:`ReportContext.previous_record`): when the units changed since
    the previous report, the scope is compared with the old unit it continues, or, when it gathers several old
    units, with the previous date re-counted on today's boundaries; a note says which."""
    if ctx.previous is None or ctx.previous.empty:
        return HTMLFragment("<p class='cm-note'>Chưa có kỳ báo cáo trước để so sánh (đây là lần chạy đầu tiên "
                            "trong thư mục báo cáo).</p>")
    rows, cls = [], {}
    sources: set[str | None] = set()
    for ind_id, ind in INDICATORS.items():
        r = ctx.record(ind_id, unit_id, LEVEL_ALL)
        p, source = ctx.previous_record(ind_id, unit_id, LEVEL_ALL)
        if p is None:
            continue
        sources.add(source)
        pv = optional(p["value"])
        v = optional(r.value)
        if pv is None and v is None:
            continue
        diff = "–" if pv is None or v is None else ("+" if v >= pv else "−") + fmt.points(v - pv)
        moved = p["status"] != r.status
        rows.append([ind.label_vi, fmt.pct(pv), fmt.pct(v), diff,
                     f"{fmt.status_word(str(p['status']))} → {fmt.status_word(r.status)}" if moved else "Không đổi"])
        if moved:
            cls[(len(rows) - 1, 4)] = STATUS_CLASS[r.status]
    when = f" (số liệu đến ngày {fmt.date(ctx.previous_as_of)})" if ctx.previous_as_of else ""
    note = ""
    if None in sources:
        note = (f"<p class='cm-note'>Các đơn vị đã được sắp xếp lại sau kỳ báo cáo trước: số liệu kỳ trước của "
                f"{escape(ctx.unit_name(unit_id))} được tính lại từ cơ sở dữ liệu theo địa giới hiện nay (ngày "
                f"{fmt.date(ctx.as_of)}), gồm số liệu của các đơn vị trước khi sắp xếp, để so sánh cùng phạm vi.</p>")
    elif sources - {unit_id}:
        old = ", ".join(ctx.unit_name(str(s)) for s in sorted(sources - {unit_id}, key=str))
        note = (f"<p class='cm-note'>Kỳ trước: số liệu đã báo cáo của {escape(old)} (nay là "
                f"{escape(ctx.unit_name(unit_id))}).</p>")
    if not rows:
        return HTMLFragment(f"<p class='cm-note'>Kỳ báo cáo trước{when} không có số liệu của "
                            f"{escape(ctx.unit_name(unit_id))} để so sánh.</p>")
    return HTMLFragment(f"<p>So với kỳ báo cáo trước{when}:</p>" + note +
                        table_html(["Chỉ tiêu", "Kỳ trước", "Kỳ này", "Thay đổi", "Tình trạng"], rows, [1, 2, 3], cls))


# --- annexes ----------------------------------------------------------------------------------------


def worst_first(statuses: Sequence[str], first_value: float | None, name: str) -> tuple[int, int, float, str]:
    """Sort key of a unit's row of headline indicators, worst first: most ``Chưa đạt``, then most ``Gần đạt``,
    then the lowest value of the first indicator, then by name."""
    return (-sum(s == "red" for s in statuses), -sum(s == "amber" for s in statuses),
            np.inf if first_value is None else first_value, name)


def unit_table(ctx: ReportContext, level: str, unit_id: str = ALL, indicators: Sequence[str] = HEADLINE,
               limit: int | None = None) -> HTMLFragment:
    """Headline indicators per unit of one level, worst first (:func:`worst_first`), columns by the indicators'
    short labels (one A4 page wide: each cell wraps its numerator/denominator under the share). With ``limit``,
    only the ``limit`` worst units and a note on how many are left out."""
    ids = level_units(ctx, unit_id, level)
    if not ids:
        return HTMLFragment("")
    t = ctx.indicators
    t = t[(t.level == level) & t.unit_id.isin(ids) & t.indicator.isin(indicators)].set_index(["unit_id", "indicator"])
    recs = {u: [t.loc[(u, ind)] for ind in indicators] for u in ids}
    order = sorted(ids, key=lambda u: worst_first([str(r.status) for r in recs[u]], optional(recs[u][0].value),
                                                  ctx.unit_name(u)))
    shown = order[:limit] if limit else order
    rows, cls = [], {}
    for i, u in enumerate(shown):
        row = [ctx.unit_name(u)]
        for j, r in enumerate(recs[u], start=1):
            row.append(fmt.share(optional(r.value), int(r.numerator), int(r.denominator)))
            cls[(i, j)] = STATUS_CLASS[r.status]
        rows.append(row)
    headers = ["Đơn vị", *(INDICATORS[i].short for i in indicators)]
    text = f"<div class='cm-units'>{table_html(headers, rows, range(1, len(headers)), cls)}</div>"
    if len(shown) < len(order):
        lv = level_label(ctx, level)
        text += (f"<p class='cm-note'>{len(shown)}/{len(order)} đơn vị {escape(lv)} có kết quả thấp nhất; số liệu của "
                 f"{len(order) - len(shown)} đơn vị còn lại có trong tệp indicators.xlsx của kỳ báo cáo và trong báo "
                 "cáo của đơn vị cấp trên trực tiếp.</p>")
    return HTMLFragment(text)


def portal_scorecard(ctx: ReportContext, reports: Sequence[tuple[str, str]], indicators: Sequence[str] = HEADLINE,
                     total: str | None = None) -> dict[str, object]:
    """The portal's scorecard as plain data (for :func:`cadre_lib.runner.run_batch`'s ``portal_extra``; the
    runner knows nothing of indicators). ``reports``: (unit code, output stem of its report) per report unit;
    ``total``: the output stem of the province report, shown as a first row. Each unit's cells are the records
    of its scope, all levels (the unit and the units under it: the figures on page 1 of its report); rows worst
    first (:func:`worst_first`); ``groups`` are the levels of the units, for the page's level filter."""

    def cells(unit: str, level: str) -> tuple[list[dict[str, str]], list[str], float | None]:
        out, statuses = [], []
        first: float | None = None
        for k, ind in enumerate(indicators):
            r = ctx.record(ind, unit, level)
            value = optional(r.value)
            if k == 0:
                first = value
            status = str(r.status)
            statuses.append(status)
            out.append({"text": fmt.share(value, int(r.numerator), int(r.denominator)) if int(r.denominator) else "–",
                        "status": status, "word": fmt.status_word(status, ctx.lang)})
        return out, statuses, first

    rows = []
    for unit, stem in reports:
        level = ctx.unit_level(unit) or LEVEL_ALL
        c, statuses, first = cells(unit, LEVEL_ALL)
        name = ctx.unit_name(unit)
        rows.append({"key": worst_first(statuses, first, name), "name": name, "group": level,
                     "group_label": level_label(ctx, level), "report": stem, "cells": c,
                     "behind": sum(s in ("red", "amber") for s in statuses)})
    rows.sort(key=lambda r: r.pop("key"))  # type: ignore[arg-type,return-value]
    present = {r["group"] for r in rows}
    groups = [{"key": lv, "label": level_label(ctx, lv).capitalize()} for lv in ctx.params.levels if lv in present]
    head = None
    if total is not None:
        c, _, _ = cells(ALL, LEVEL_ALL)
        head = {"name": ctx.unit_name(ALL), "group": LEVEL_ALL, "group_label": level_label(ctx, LEVEL_ALL),
                "report": total, "cells": c, "behind": sum(x["status"] in ("red", "amber") for x in c)}
    return {
        "title": f"Kết quả các chỉ tiêu chính theo đơn vị, số liệu đến ngày {fmt.date(ctx.as_of)}",
        "columns": [INDICATORS[i].short for i in indicators],
        "column_titles": [INDICATORS[i].label(ctx.lang) for i in indicators],
        "groups": groups,
        "total": head,
        "rows": rows,
        "note": ("Mỗi ô: tỷ lệ (tử số/mẫu số) và tình trạng so với mục tiêu, tính cho đơn vị và các đơn vị trực "
                 "thuộc; đơn vị có nhiều chỉ tiêu chưa đạt nhất ở trên. Bấm tên đơn vị để mở báo cáo."),
    }


def comparison(ctx: ReportContext, unit_id: str) -> HTMLFragment:
    """The unit against the province and against peers of the same level (median, rank)."""
    level = ctx.unit_level(unit_id)
    peers = level_units(ctx, ALL, level) if level else []
    t = ctx.indicators
    rows = []
    for ind_id, ind in INDICATORS.items():
        r = ctx.record(ind_id, unit_id, LEVEL_ALL)
        prov = ctx.record(ind_id, ALL, LEVEL_ALL)
        pv = t[(t.indicator == ind_id) & (t.level == LEVEL_ALL) & t.unit_id.isin(peers) & (t.denominator > 0)]
        vals = pv.value.astype(float)
        med = float(vals.median()) if len(vals) else None
        if pd.isna(r.value) or not len(vals):
            rank = "–"
        else:
            v = float(r.value)
            better = (vals > v).sum() if ind.higher_is_better else (vals < v).sum()
            rank = f"{int(better) + 1}/{len(vals)}"
        rows.append([ind.label_vi, fmt.share(optional(r.value), int(r.numerator), int(r.denominator)),
                     fmt.pct(optional(prov.value)), fmt.pct(med), rank])
    lv = level_label(ctx, level or LEVEL_ALL)
    return HTMLFragment(table_html(["Chỉ tiêu", "Đơn vị", "Toàn tỉnh", f"Trung vị đơn vị {lv}", "Xếp hạng"],
                                   rows, [1, 2, 3, 4]))


def quality_summary(ctx: ReportContext, detailed: bool = False, boundaries: bool = True) -> HTMLFragment:
    """Rows per table, the data-quality checks and the load warnings (rows and warnings when ``detailed``);
    without the checks of :func:`boundary_quality` when ``boundaries`` is false (they have a section of their own)."""
    q = ctx.quality
    rows = [[name, ctx.quality.sources.get(name, "(không có)"), fmt.number(n)] for name, n in q.rows.items()]
    out = table_html(["Bảng", "Nguồn", "Số dòng"], rows, [2])
    frows = [[f.label_vi, f.table, fmt.number(f.count)] + ([", ".join(map(str, f.rows[:10]))] if detailed else [])
             for f in q.findings if boundaries or f.check not in BOUNDARY_CHECKS]
    heads = ["Kiểm tra", "Bảng", "Số trường hợp"] + (["Dòng (tối đa 10)"] if detailed else [])
    out += table_html(heads, frows, [2])
    out += f"<p>Cảnh báo khi đọc dữ liệu: {fmt.number(len(q.warnings))}.</p>"
    if detailed and q.warnings:
        out += "<ul>" + "".join(f"<li>{escape(w)}</li>" for w in q.warnings[:50]) + "</ul>"
    return HTMLFragment(out)


def boundary_quality(ctx: ReportContext, detailed: bool = False) -> HTMLFragment:
    """The data contract v2 checks at the report's as_of: items that no unit valid on as_of receives (they count in
    the province total only), per table, and rows that name a unit outside its validity (spreadsheet rows when
    ``detailed``)."""
    found = {f.check: f for f in ctx.quality.findings if f.check in BOUNDARY_CHECKS}
    if not found:
        return HTMLFragment("<p class='cm-note'>Danh mục đơn vị không có đơn vị bắt đầu hoặc kết thúc hoạt động: "
                            "không có kiểm tra về sắp xếp đơn vị hành chính.</p>")
    rows = [[f.label_vi, f.table, fmt.number(f.count)] + ([", ".join(map(str, f.rows[:10])) or "–"] if detailed else [])
            for f in (found[c] for c in BOUNDARY_CHECKS if c in found)]
    heads = ["Kiểm tra", "Bảng", "Số trường hợp"] + (["Dòng (tối đa 10)"] if detailed else [])
    intro = (f"<p>Số liệu của báo cáo tính theo các đơn vị tồn tại vào ngày {fmt.date(ctx.as_of)}: mỗi dòng ghi "
             f"đơn vị cũ được tính vào đơn vị kế thừa; dòng của đơn vị kết thúc mà không có đơn vị kế thừa (như cấp "
             f"huyện sau ngày 01/7/2025) chỉ được tính vào số liệu toàn tỉnh. Các dòng ghi đơn vị ngoài thời gian "
             f"tồn tại của đơn vị cần được cập nhật sang đơn vị mới.</p>")
    return HTMLFragment(intro + table_html(heads, rows, [2]))


def completeness(ctx: ReportContext) -> HTMLFragment:
    """Filled cells per table and column."""
    c = ctx.quality.completeness
    rows = [[r.table, r.column, fmt.number(r.filled), fmt.number(r.total), fmt.pct(r.share)]
            for r in c.itertuples()]
    return HTMLFragment(table_html(["Bảng", "Cột", "Có giá trị", "Tổng số dòng", "Tỷ lệ"], rows, [2, 3, 4]))


def quality_by_unit(ctx: ReportContext, limit: int = 40) -> HTMLFragment:
    """Units with the fewest cadres evaluated last year, first."""
    b = ctx.quality.by_unit.sort_values(["share_evaluated_last_year", "name"]).head(limit)
    rows = [[r.name, level_label(ctx, r.level), fmt.number(r.cadres), fmt.pct(r.share_evaluated_last_year),
             fmt.number(r.planned), fmt.number(r.planned_never_evaluated)] for r in b.itertuples()]
    return HTMLFragment(table_html(["Đơn vị", "Cấp", "Cán bộ", f"Đã đánh giá năm {ctx.as_of.year - 1}",
                                    "Trong quy hoạch", "Quy hoạch chưa từng đánh giá"], rows, [2, 3, 4, 5]))


def _age(years_months: tuple[int, int]) -> str:
    years, months = years_months
    return f"{years} tuổi" + (f" {months} tháng" if months else "")


def rule_sets(ctx: ReportContext) -> HTMLFragment:
    """The rule sets of the parameters and their dates; the one applied on as_of is marked."""
    p = ctx.params
    applied = p.rule_set(ctx.as_of)
    if not p.rules:
        return HTMLFragment("<p class='cm-note'>Không khai báo bộ quy định theo thời gian: áp dụng các tham số chung."
                            "</p>")
    rows = []
    for r in p.rules:
        young = {**p.young_age_under, **r.young_age_under}
        ages = "; ".join(f"{level_label(ctx, lv)} dưới {young[lv]}" for lv in p.levels if lv in young)
        retire = ("; ".join(f"{label('gender', g)} {_age(a)}" for g, a in r.retirement_age.items())
                  if r.retirement_age else "—")
        rows.append([r.name + (" (áp dụng cho kỳ báo cáo này)" if r is applied else ""), fmt.date(r.from_), ages,
                     "—" if r.max_people_per_post is None else fmt.number(r.max_people_per_post),
                     "—" if r.max_posts_per_person is None else fmt.number(r.max_posts_per_person),
                     retire, f"{fmt.number(r.min_terms_to_serve)} × {fmt.number(r.term_years)} năm"])
    headers = ["Bộ quy định", "Từ ngày", "Cán bộ trẻ (tuổi)", "Tối đa người/chức danh", "Tối đa chức danh/người",
               "Tuổi nghỉ hưu", "Thời gian công tác"]
    return HTMLFragment(table_html(headers, rows, [3, 4]))


def method(ctx: ReportContext) -> HTMLFragment:
    """How the indicators are counted: young ages, effective planning, the period, the statuses, the rule sets."""
    p = ctx.params
    young = p.young_thresholds(ctx.as_of)
    ages = ", ".join(f"{level_label(ctx, lv)}: dưới {young[lv]} tuổi" for lv in p.levels)
    rows = [[ind.label_vi, label("counts", ind.counts), "cao hơn là tốt" if ind.higher_is_better else "thấp hơn là tốt",
             ind.source] for ind in INDICATORS.values()]
    intro = (f"<p>Cán bộ trẻ: {ages} (tuổi tròn tính đến ngày báo cáo; ngày sinh nhật được tính; điều động, bổ "
             f"nhiệm, luân chuyển, giới thiệu ứng cử tính theo bộ quy định có hiệu lực vào ngày của quyết định). "
             f"Quy hoạch có hiệu lực: ngày đưa vào ≤ ngày báo cáo, chưa đưa ra hoặc đưa ra sau ngày báo cáo, nhiệm kỳ "
             f"{', '.join(p.terms)}. Điều động, bổ nhiệm, luân chuyển, giới thiệu ứng cử tính trong giai đoạn "
             f"{fmt.date(p.period_start)} – {fmt.date(p.as_of)}. Tình trạng: Đạt khi đạt mục tiêu; Gần đạt khi "
             f"từ {fmt.target_pct(p.amber_ratio)} mục tiêu; Chưa đạt trong trường hợp còn lại.</p>")
    return HTMLFragment(intro + rule_sets(ctx).text
                        + table_html(["Chỉ tiêu", "Đơn vị đếm", "Chiều", "Căn cứ (Kết luận ngày 01/8/2024)"], rows))


def provenance(ctx: ReportContext) -> HTMLFragment:
    """The data files' SHA-256, the parameters and the run that made the report."""
    pv = ctx.provenance
    rows = [[name, digest] for name, digest in pv["files"].items()]
    p = ctx.params
    params_rows = [
        ["Ngày báo cáo (as_of)", fmt.date(p.as_of)], ["Đầu kỳ (period_start)", fmt.date(p.period_start)],
        ["Nhiệm kỳ", ", ".join(p.terms)], ["Các cấp", ", ".join(p.levels)],
        ["Tuổi trẻ (dưới)", ", ".join(f"{k}: {v}" for k, v in p.young_age_under.items())],
        ["Ngưỡng Gần đạt", fmt.target_pct(p.amber_ratio)], ["Tệp tham số", pv["parameters_file"]],
        ["Phiên bản công cụ", pv["toolkit_version"]], ["Thời điểm lập", pv["generated_at"]],
        ["Dữ liệu mẫu", "Có" if ctx.is_sample else "Không"],
    ]
    return HTMLFragment(table_html(["Tệp dữ liệu", "SHA-256"], rows) + table_html(["Tham số", "Giá trị"], params_rows))


# --- analyst only ---------------------------------------------------------------------------------

ACTIONS = [
    ("leadership_training_coverage",
     "Cán bộ trẻ trong quy hoạch chủ chốt chưa được bồi dưỡng kỹ năng lãnh đạo, quản lý"),
    ("planning_out_of_standard", "Cán bộ xếp loại không hoàn thành nhiệm vụ còn trong quy hoạch"),
    ("evaluated_before_planning", "Lượt quy hoạch chưa có đánh giá trước khi quy hoạch"),
    ("planning_posts_over_limit", "Chức danh quy hoạch vượt số người tối đa"),
    ("planning_people_over_post_limit", "Cán bộ được quy hoạch vượt số chức danh tối đa cùng cấp"),
    ("planning_short_of_term", "Lượt quy hoạch của cán bộ không đủ tuổi công tác trọn nhiệm kỳ"),
]


def action_lists(ctx: ReportContext, unit_id: str, audience: str, limit: int = 200) -> HTMLFragment:
    """Named action lists: only for the analyst audience. A leadership report names no individual."""
    if audience != ANALYST:
        return HTMLFragment("<p class='cm-note'>Danh sách cá nhân chỉ có trong báo cáo dành cho cán bộ nghiệp vụ "
                            "(audience: analyst).</p>")
    engine = ctx.engine()
    out = []
    for ind_id, title in ACTIONS:
        frame = engine.explain(ind_id, unit_id, missing=True)
        out.append(f"<h4>{escape(title)}: {fmt.number(len(frame))}</h4>")
        if frame.empty:
            continue
        cols = [c for c in ("cadre_id", "full_name", "age", "unit_name", "planned_posts", "post", "term", "people",
                            "planned_people", "planning_rows", "row") if c in frame.columns]
        shown = frame[cols].head(limit)
        rows = [[("" if pd.isna(v) else v) for v in r] for r in shown.itertuples(index=False)]
        names = {"cadre_id": "Mã cán bộ", "full_name": "Họ và tên", "age": "Tuổi", "unit_name": "Đơn vị",
                 "planned_posts": "Chức danh quy hoạch", "post": "Chức danh", "row": "Dòng", "term": "Nhiệm kỳ",
                 "people": "Số người", "planned_people": "Người được quy hoạch", "planning_rows": "Dòng"}
        out.append(table_html([names[c] for c in cols], rows))
        if len(frame) > limit:
            out.append(f"<p class='cm-note'>… và {fmt.number(len(frame) - limit)} trường hợp khác (xem "
                       f"`python -m cadre_lib explain`).</p>")
    return HTMLFragment("".join(out))
