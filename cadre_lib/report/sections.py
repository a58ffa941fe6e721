"""The sections of the Vietnamese monitoring reports, as HTML fragments and matplotlib figures.

Notebooks call these functions and display the result; no section computes indicators itself (they
come from the :class:`ReportContext`). Leadership output names no individual: the only functions that
show people are :func:`action_lists`, which refuses unless the audience is ``analyst``.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.scope import ALL
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.register.contract import label
from cadre_lib.report.context import HEADLINE, ReportContext

SAMPLE_BAND = "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ"
STATUS_CLASS = {"green": "st-green", "amber": "st-amber", "red": "st-red", "none": "st-none"}
STATUS_ORDER = {"red": 0, "amber": 1, "none": 2, "green": 3}

CSS = """
<style>
.cm-band{background:#7a1f1f;color:#fff;text-align:center;font-weight:700;padding:6px;letter-spacing:.5px;
 margin-bottom:10px}
.cm-top{display:flex;justify-content:space-between;text-align:center;margin:6px 0 14px 0}
.cm-top{font-size:.92em}.cm-top>div{width:49%;white-space:nowrap}
.cm-top .org{font-weight:700}.cm-top .date{font-style:italic;margin-top:6px}
.cm-title{text-align:center;font-size:1.45em;font-weight:700;margin:12px 0 2px 0}
.cm-subtitle{text-align:center;font-weight:600;margin:0 8% 4px 8%}
.cm-scope{text-align:center;font-size:1.1em;margin-bottom:8px}
.cm-mark{text-align:center;font-size:.85em;color:#444;border-top:1px solid #999;border-bottom:1px solid #999;
 padding:3px;margin:8px 0 14px 0}
table.cm{border-collapse:collapse;width:100%;font-size:.86em;margin:6px 0 12px 0}
table.cm th,table.cm td{border:1px solid #888;padding:3px 5px;vertical-align:top}
table.cm th{background:#e8e8e8;text-align:center}
table.cm td.num{text-align:right;white-space:nowrap}
.st-green{background:#d6efe6;color:#00583f;font-weight:700}
.st-amber{background:#fbe9c6;color:#7a4c00;font-weight:700}
.st-red{background:#f6d5c6;color:#8a2b00;font-weight:700}
.st-none{color:#555}
.st-green::before{content:"● "}.st-amber::before{content:"◐ "}.st-red::before{content:"○ "}
ul.cm-findings li{margin-bottom:3px}
.cm-note{color:#444;font-style:italic}
</style>
"""


def _e(text: Any) -> str:
    return html.escape(unicodedata.normalize("NFC", str(text)))


def table_html(headers: Sequence[str], rows: Iterable[Sequence[Any]], num_cols: Iterable[int] = (),
               cell_class: dict[tuple[int, int], str] | None = None) -> str:
    nums = set(num_cols)
    classes = cell_class or {}
    out = ["<table class='cm'><thead><tr>", *(f"<th>{_e(h)}</th>" for h in headers), "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        out.append("<tr>")
        for j, v in enumerate(row):
            cls = " ".join(c for c in (("num" if j in nums else ""), classes.get((i, j), "")) if c)
            out.append(f"<td class='{cls}'>{_e(v)}</td>" if cls else f"<td>{_e(v)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


class HTMLFragment:
    """Displayed as HTML by Jupyter (and nbconvert), printed as text elsewhere."""

    def __init__(self, text: str):
        self.text = unicodedata.normalize("NFC", text)

    def _repr_html_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def level_label(ctx: ReportContext, level: str) -> str:
    if level == "all":
        return "Tất cả các cấp" if ctx.lang == "vi" else "All levels"
    return label("level", level, ctx.lang)


def scope_levels(ctx: ReportContext, unit_id: str) -> list[str]:
    """Levels that exist in the scope (the unit's subtree), in parameter order."""
    if unit_id == ALL:
        present = set(ctx.units["level"])
    else:
        present = set(_subtree(ctx, unit_id)["level"])
    return [lv for lv in ctx.params.levels if lv in present]


def _subtree(ctx: ReportContext, unit_id: str) -> pd.DataFrame:
    units = ctx.units
    if unit_id == ALL:
        return units
    parent = dict(zip(units.unit_id, units.parent_id, strict=True))
    keep = []
    for u in units.unit_id:
        p: Any = u
        while isinstance(p, str):
            if p == unit_id:
                keep.append(u)
                break
            p = parent.get(p)
    return units[units.unit_id.isin(keep)]


def show(*items: Any) -> None:
    """Display fragments and figures in a notebook (figures are closed after display, so nothing leaks
    into the next cell). ``None`` items (a chart with no data) are skipped."""
    from IPython.display import Image, display

    for item in items:
        if item is None:
            continue
        if hasattr(item, "savefig"):
            import io

            import matplotlib.pyplot as plt

            buf = io.BytesIO()
            item.savefig(buf, format="png", dpi=110)
            titles = [item._suptitle] if getattr(item, "_suptitle", None) else []
            titles += [t for ax in item.axes for t in (ax.title, ax._left_title)]
            alt = "; ".join(t.get_text() for t in titles if t.get_text())
            display(Image(buf.getvalue(), metadata={"alt": alt or "Biểu đồ"}))
            plt.close(item)
        else:
            display(item)


def heading(text: str, level: int = 4) -> HTMLFragment:
    return HTMLFragment(f"<h{level}>{_e(text)}</h{level}>")


def check_unit(ctx: ReportContext, unit_id: str) -> str:
    """The unit id as given, or a clear error naming the known districts."""
    from cadre_lib.errors import UsageError

    unit_id = str(unit_id).strip()
    if unit_id not in set(ctx.units.unit_id):
        known = ", ".join(ctx.report_units()[:12])
        raise UsageError(f"unknown unit_id {unit_id!r} (for example: {known})")
    return unit_id


# --- header ---------------------------------------------------------------------------------------


def header(ctx: ReportContext, unit_id: str = ALL, title: str = "BÁO CÁO THEO DÕI") -> HTMLFragment:
    p = ctx.params
    org = p.organisation
    scope = ctx.unit_name(unit_id)
    sample = f"<div class='cm-band'>{SAMPLE_BAND}</div>" if ctx.is_sample else ""
    mark = (f"Báo cáo được tạo tự động từ cơ sở dữ liệu cán bộ; số liệu tính đến ngày {fmt.date(ctx.as_of)}; "
            f"lập lúc {_e(ctx.provenance['generated_at'][:16].replace('T', ' '))}.")
    text = f"""{CSS}{sample}
<div class='cm-top'>
 <div><div class='org'>{_e(org.party_committee)}</div><div class='org'>{_e(org.issuer)}</div><div>*</div></div>
 <div><div class='org'>ĐẢNG CỘNG SẢN VIỆT NAM</div>
 <div class='date'>{_e(fmt.long_date(ctx.as_of, org.place))}</div></div>
</div>
<div class='cm-title'>{_e(title)}</div>
<div class='cm-subtitle'>Kết quả thực hiện Nghị quyết số 20-NQ/TU và Nghị quyết số 32-NQ/TU của Ban Thường vụ
Tỉnh ủy về công tác cán bộ trẻ</div>
<div class='cm-scope'>{_e(scope)}</div>
<div class='cm-mark'>{mark}</div>"""
    return HTMLFragment(text)


def page_marks(ctx: ReportContext) -> dict[str, str]:
    """Notes printed on every PDF page (the renderer reads them from ``nb.metadata["cadre"]``)."""
    footer = f"Báo cáo tạo tự động từ cơ sở dữ liệu cán bộ, số liệu đến ngày {fmt.date(ctx.as_of)}"
    return {"page_header": SAMPLE_BAND if ctx.is_sample else "", "page_footer": footer}


# --- I. results -------------------------------------------------------------------------------------


def scorecard(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """Every indicator x level of the scope: value (numerator/denominator), target, status in words."""
    levels = ["all", *scope_levels(ctx, unit_id)]
    headers = ["Chỉ tiêu", *(level_label(ctx, lv) for lv in levels)]
    rows, classes = [], {}
    t = ctx.indicators[ctx.indicators.unit_id == unit_id].set_index(["indicator", "level"])
    for i, (ind_id, ind) in enumerate(INDICATORS.items()):
        row = [ind.label(ctx.lang) + (" (càng thấp càng tốt)" if not ind.higher_is_better else "")]
        for j, lv in enumerate(levels, start=1):
            r = t.loc[(ind_id, lv)]
            value = None if pd.isna(r.value) else float(r.value)
            target = None if pd.isna(r.target) else float(r.target)
            cell = fmt.share(value, int(r.numerator), int(r.denominator))
            if target is not None:
                cell += f" · MT {fmt.target_pct(target)}"
            cell += f" · {fmt.status_word(r.status, ctx.lang)}"
            row.append(cell)
            classes[(i, j)] = STATUS_CLASS[r.status]
        rows.append(row)
    legend = ("<p class='cm-note'>Mỗi ô: tỷ lệ (tử số/mẫu số) · MT: mục tiêu · tình trạng: "
              f"● Đạt, ◐ Gần đạt (từ {fmt.target_pct(ctx.params.amber_ratio)} mục tiêu), ○ Chưa đạt.</p>")
    return HTMLFragment(table_html(headers, rows, cell_class=classes) + legend)


def _previous_value(ctx: ReportContext, indicator: str, unit_id: str, level: str) -> float | None:
    prev = ctx.previous
    if prev is None or prev.empty:
        return None
    r = prev[(prev.indicator == indicator) & (prev.unit_id == unit_id) & (prev.level == level)]
    if r.empty or r.iloc[0]["value"] is None or pd.isna(r.iloc[0]["value"]):
        return None
    return float(r.iloc[0]["value"])


def _units_behind(ctx: ReportContext, indicator: str, level: str, unit_id: str = ALL) -> tuple[int, int, list[str]]:
    """(units not meeting the target, units with a status, names worst first) among the units of
    ``level`` inside the scope."""
    sub = _subtree(ctx, unit_id)
    ids = sub.loc[sub.level == level, "unit_id"]
    t = ctx.indicators
    r = t[(t.indicator == indicator) & (t.level == level) & t.unit_id.isin(ids) & (t.status != "none")]
    bad = r[r.status.isin(["red", "amber"])]
    ind = INDICATORS[indicator]
    bad = bad.assign(v=bad.value.astype(float)).sort_values("v", ascending=ind.higher_is_better)
    names = [ctx.unit_name(u) for u in bad.unit_id]
    return len(bad), len(r), names


def finding_sentences(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] | None = None) -> list[str]:
    """Short declarative sentences with number, target, comparison and change since the last report."""
    out = []
    for ind_id in indicators or list(INDICATORS):
        ind = INDICATORS[ind_id]
        for lv in ["all", *scope_levels(ctx, unit_id)]:
            r = ctx.record(ind_id, unit_id, lv)
            if int(r.denominator) == 0:
                continue
            where = "" if lv == "all" else " " + level_label(ctx, lv)
            value = float(r.value)
            s = f"{ind.label_vi}{where} đạt {fmt.share(value, int(r.numerator), int(r.denominator))}"
            if r.status != "none":
                s += f" (mục tiêu {fmt.target_pct(float(r.target))}), {fmt.status_word(r.status).lower()}"
            prev = _previous_value(ctx, ind_id, unit_id, lv)
            if prev is not None:
                diff = value - prev
                if abs(diff) < 0.0005:
                    s += "; không thay đổi so với kỳ báo cáo trước"
                else:
                    s += f"; {'tăng' if diff > 0 else 'giảm'} {fmt.points(diff)} so với kỳ báo cáo trước"
            if lv != "all" and r.status != "none":
                n_bad, n, _ = _units_behind(ctx, ind_id, lv, unit_id)
                if n and n_bad:
                    s += f"; {n_bad}/{n} đơn vị{where} chưa đạt"
            out.append(s + ".")
    return out


def findings(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] | None = None) -> HTMLFragment:
    items = "".join(f"<li>{_e(s)}</li>" for s in finding_sentences(ctx, unit_id, indicators or HEADLINE))
    return HTMLFragment(f"<ul class='cm-findings'>{items}</ul>")


# --- charts ---------------------------------------------------------------------------------------


def _pct_axis(ax: Any, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    f = FuncFormatter(lambda v, _: fmt.pct(v, 0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


_TREND_STYLES = {"all": ("#000000", "-", "o"), "tinh": ("#0072B2", "--", "s"), "huyen": ("#E69F00", "-.", "^"),
                 "xa": ("#009E73", ":", "D")}


def _draw_trend(ctx: ReportContext, ax: Any, indicator: str, unit_id: str, title: str) -> None:
    import matplotlib.dates as mdates

    t = ctx.trends[(ctx.trends.indicator == indicator) & (ctx.trends.unit_id == unit_id)]
    for lv in ["all", *scope_levels(ctx, unit_id)]:
        s = t[t.level == lv].sort_values("date")
        color, ls, marker = _TREND_STYLES.get(lv, ("#555555", "-", "o"))
        ax.plot(s.date, s.value.astype(float), ls, color=color, marker=marker, markersize=2.5, markevery=[-1],
                label=level_label(ctx, lv))
    target = ctx.params.target(indicator, "all")
    if target is not None:
        ax.axhline(target, color="#D55E00", linestyle=(0, (5, 3)), linewidth=1.1, label="Mục tiêu")
    ax.set_title(title, loc="left", fontsize=8.5)
    _pct_axis(ax)
    ax.set_ylim(0, max(1.0, float(t.value.astype(float).max()) * 1.1) if len(t) else 1.0)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.tick_params(labelsize=7)


def trend_panel(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] = HEADLINE) -> Any:
    """The headline indicators at quarter ends (one small chart each, one figure), all levels and each
    level, the target as a dashed line."""
    import matplotlib.pyplot as plt

    from cadre_lib.report.charts import apply_style

    apply_style()
    rows = (len(indicators) + 1) // 2
    height = 2.3 * rows + 0.7
    fig, axes = plt.subplots(rows, 2, figsize=(7.4, height), sharex=True, squeeze=False, layout="none")
    # fixed margins (a layout engine measures every text several times: slow for many small charts)
    fig.subplots_adjust(left=0.08, right=0.98, top=1 - 0.75 / height, bottom=0.55 / height, hspace=0.55,
                        wspace=0.2)
    for ax, ind_id in zip(axes.flat, indicators, strict=False):
        r = ctx.record(ind_id, unit_id, "all")
        now = fmt.pct(None if pd.isna(r.value) else float(r.value))
        import textwrap

        _draw_trend(ctx, ax, ind_id, unit_id, textwrap.fill(f"{INDICATORS[ind_id].label_vi}: {now}", 46))
    for ax in list(axes.flat)[len(indicators):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=7, frameon=False)
    dates = ctx.trends.date
    fig.suptitle(f"{ctx.unit_name(unit_id)}: các chỉ tiêu chính theo quý, {fmt.date(dates.min().date())} – "
                 f"{fmt.date(ctx.as_of)}", fontsize=10)
    return fig


def trend_chart(ctx: ReportContext, indicator: str, unit_id: str = ALL) -> Any:
    """One indicator at quarter ends, all levels and each level, with the target as a dashed line."""
    import matplotlib.pyplot as plt

    from cadre_lib.report.charts import apply_style

    apply_style()
    fig, ax = plt.subplots(figsize=(7.2, 3.1))
    r = ctx.record(indicator, unit_id, "all")
    now = fmt.pct(None if pd.isna(r.value) else float(r.value))
    _draw_trend(ctx, ax, indicator, unit_id, f"{INDICATORS[indicator].label_vi}: {now} tại ngày {fmt.date(ctx.as_of)}")
    ax.legend(fontsize=7, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    fig.set_layout_engine("constrained")
    return fig


def ranking_chart(ctx: ReportContext, indicator: str, level: str, unit_id: str = ALL, limit: int = 20) -> Any:
    """Units of one level inside the scope, lagging first, coloured by status, target as a dashed line."""
    import matplotlib.pyplot as plt

    from cadre_lib.report.charts import STATUS_COLORS, STATUS_HATCHES, apply_style

    apply_style()
    ind = INDICATORS[indicator]
    sub = _subtree(ctx, unit_id)
    ids = sub.loc[(sub.level == level) & (sub.unit_id != unit_id), "unit_id"]
    t = ctx.indicators
    r = t[(t.indicator == indicator) & (t.level == level) & t.unit_id.isin(ids) & (t.denominator > 0)].copy()
    if r.empty:
        return None
    r["v"] = r.value.astype(float)
    r = r.sort_values(["v", "unit_id"], ascending=[ind.higher_is_better, True])
    n_bad = int(r.status.isin(["red", "amber"]).sum())
    total = len(r)
    shown = r.head(limit).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.2, 0.8 + 0.26 * len(shown)))
    names = [ctx.unit_name(u) for u in shown.unit_id]
    bars = ax.barh(names, shown.v, color=[STATUS_COLORS[s] for s in shown.status], edgecolor="#333333",
                   linewidth=0.5)
    for bar, s in zip(bars, shown.status, strict=True):
        bar.set_hatch(STATUS_HATCHES.get(s, ""))
    for y, (v, n, d) in enumerate(zip(shown.v, shown.numerator, shown.denominator, strict=True)):
        ax.text(v, y, f" {fmt.share(v, int(n), int(d))}", va="center", fontsize=7)
    target = ctx.params.target(indicator, level)
    if target is not None:
        ax.axvline(target, color="#000000", linestyle=(0, (5, 3)), linewidth=1)
    _pct_axis(ax, "x")
    ax.set_xlim(0, max(1.0, float(r.v.max()) * 1.25) if ind.higher_is_better else max(float(r.v.max()) * 1.4, 0.05))
    lv = level_label(ctx, level).capitalize()
    more = f" ({limit} đơn vị thấp nhất)" if total > limit else ""
    if target is not None:
        title = f"{lv}: {n_bad}/{total} đơn vị chưa đạt mục tiêu — {ind.label_vi.lower()}{more}"
    else:
        title = f"{lv}: {ind.label_vi.lower()}{more}"
    ax.set_title(title, loc="left", fontsize=9)
    ax.tick_params(axis="y", labelsize=7)
    fig.set_layout_engine("constrained")
    return fig


# --- II. shortcomings -------------------------------------------------------------------------------


def not_met(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    rows = []
    for ind_id, ind in INDICATORS.items():
        for lv in ["all", *scope_levels(ctx, unit_id)]:
            r = ctx.record(ind_id, unit_id, lv)
            if r.status not in ("red", "amber"):
                continue
            rows.append([ind.label_vi, level_label(ctx, lv),
                         fmt.share(float(r.value), int(r.numerator), int(r.denominator)),
                         fmt.target_pct(float(r.target)), fmt.status_word(r.status)])
    if not rows:
        return HTMLFragment("<p>Tất cả các chỉ tiêu có mục tiêu đều đạt.</p>")
    cls = {(i, 4): STATUS_CLASS["red" if row[4] == "Chưa đạt" else "amber"] for i, row in enumerate(rows)}
    return HTMLFragment(table_html(["Chỉ tiêu", "Cấp", "Kết quả", "Mục tiêu", "Tình trạng"], rows, [2, 3], cls))


def deadlines(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """The dated tasks of the Conclusion: planning review by 31/12/2024 and yearly; 100% training in
    2024; rotation plans. Values from the trend series (event-dated register)."""
    as_of = ctx.as_of
    rows, cls = [], {}

    def at(indicator: str, day: dt.date) -> pd.Series | None:
        t = ctx.trends
        r = t[(t.indicator == indicator) & (t.unit_id == unit_id) & (t.level == "all") & (t.date == pd.Timestamp(day))]
        return None if r.empty else r.iloc[0]

    def status(done: bool, due: dt.date) -> tuple[str, str]:
        if done:
            return "Đã hoàn thành", "st-green"
        if as_of > due:
            return "Quá hạn", "st-red"
        return f"Còn {(due - as_of).days} ngày", "st-amber"

    items: list[tuple[str, dt.date, pd.Series | None]] = []
    y2024 = dt.date(2024, 12, 31)
    if as_of >= y2024:
        items.append(("Rà soát, bổ sung quy hoạch cán bộ trẻ (trước ngày 31/12/2024)", y2024,
                      at("planning_review_on_time", y2024)))
        items.append(("100% cán bộ trẻ quy hoạch chủ chốt được bồi dưỡng kỹ năng lãnh đạo, quản lý (năm 2024)",
                      y2024, at("leadership_training_coverage", y2024)))
    due = ctx.params.deadline
    items.append((f"Rà soát, bổ sung quy hoạch hằng năm (năm {as_of.year})", due,
                  ctx.record("planning_review_on_time", unit_id, "all")))
    items.append((f"Xây dựng kế hoạch điều động, luân chuyển cán bộ trẻ (năm {as_of.year})",
                  dt.date(as_of.year, 12, 31), ctx.record("rotation_plan_coverage", unit_id, "all")))
    for i, (task, day, r) in enumerate(items):
        if r is None or int(r.denominator) == 0:
            rows.append([task, fmt.date(day), "–", "Không có số liệu"])
            continue
        done = int(r.numerator) == int(r.denominator)
        word, c = status(done, day)
        rows.append([task, fmt.date(day), fmt.share(float(r.value), int(r.numerator), int(r.denominator)), word])
        cls[(i, 3)] = c
    return HTMLFragment(table_html(["Nhiệm vụ", "Thời hạn", "Kết quả", "Tình trạng"], rows, [2], cls))


def compliance(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    oos = ctx.record("planning_out_of_standard", unit_id, "all")
    ev = ctx.record("evaluated_before_planning", unit_id, "all")
    rows = [
        ["Cán bộ xếp loại không hoàn thành nhiệm vụ vẫn còn trong quy hoạch", fmt.number(int(oos.numerator)),
         f"trên {fmt.number(int(oos.denominator))} cán bộ trong quy hoạch"],
        ["Lượt quy hoạch chưa có đánh giá cán bộ trước khi quy hoạch",
         fmt.number(int(ev.denominator) - int(ev.numerator)), f"trên {fmt.number(int(ev.denominator))} lượt quy hoạch"],
    ]
    if unit_id == ALL:
        for f in ctx.quality.findings:
            if f.check in ("post_over_3", "person_over_3"):
                rows.append([f.label_vi, fmt.number(f.count), "dòng quy hoạch"])
    return HTMLFragment(table_html(["Nội dung", "Số lượng", "Ghi chú"], rows, [1]))


def changes(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    if ctx.previous is None or ctx.previous.empty:
        return HTMLFragment("<p class='cm-note'>Chưa có kỳ báo cáo trước để so sánh (đây là lần chạy đầu tiên "
                            "trong thư mục báo cáo).</p>")
    rows, cls = [], {}
    prev = ctx.previous.set_index(["indicator", "unit_id", "level"])
    for ind_id, ind in INDICATORS.items():
        r = ctx.record(ind_id, unit_id, "all")
        key = (ind_id, unit_id, "all")
        if key not in prev.index:
            continue
        p = prev.loc[key]
        pv = None if p["value"] is None or pd.isna(p["value"]) else float(p["value"])
        v = None if pd.isna(r.value) else float(r.value)
        if pv is None and v is None:
            continue
        diff = "–" if pv is None or v is None else ("+" if v >= pv else "−") + fmt.points(v - pv)
        moved = p["status"] != r.status
        rows.append([ind.label_vi, fmt.pct(pv), fmt.pct(v), diff,
                     f"{fmt.status_word(str(p['status']))} → {fmt.status_word(r.status)}" if moved else "Không đổi"])
        if moved:
            cls[(len(rows) - 1, 4)] = STATUS_CLASS[r.status]
    when = f" (số liệu đến ngày {fmt.date(ctx.previous_as_of)})" if ctx.previous_as_of else ""
    return HTMLFragment(f"<p>So với kỳ báo cáo trước{when}:</p>" +
                        table_html(["Chỉ tiêu", "Kỳ trước", "Kỳ này", "Thay đổi", "Tình trạng"], rows, [1, 2, 3], cls))


# --- III. recommendations ---------------------------------------------------------------------------


def recommendations(ctx: ReportContext, unit_id: str = ALL, max_units: int = 8) -> HTMLFragment:
    items = []
    for ind_id, ind in INDICATORS.items():
        r = ctx.record(ind_id, unit_id, "all")
        if r.status not in ("red", "amber") or not ind.action_vi:
            continue
        gap = int(r.numerator) if not ind.higher_is_better else int(r.denominator) - int(r.numerator)
        names: list[str] = []
        for lv in scope_levels(ctx, unit_id):
            names += _units_behind(ctx, ind_id, lv, unit_id)[2]
        if unit_id != ALL:
            names = [n for n in names if n != ctx.unit_name(unit_id)]
        units = ", ".join(names[:max_units]) + (f" và {len(names) - max_units} đơn vị khác" if len(names) > max_units
                                                else "")
        text = ind.action_vi.format(gap=fmt.number(gap), units=units or ctx.unit_name(unit_id))
        items.append(text)
    if not items:
        return HTMLFragment("<p>Tiếp tục duy trì kết quả đã đạt được.</p>")
    return HTMLFragment("<ol>" + "".join(f"<li>{_e(t)}</li>" for t in items) + "</ol>")


# --- annexes ----------------------------------------------------------------------------------------


def unit_table(ctx: ReportContext, level: str, unit_id: str = ALL, indicators: Sequence[str] = HEADLINE
               ) -> HTMLFragment:
    """Headline indicators per unit of one level, worst first (by the first indicator)."""
    sub = _subtree(ctx, unit_id)
    ids = sub.loc[(sub.level == level) & (sub.unit_id != unit_id), "unit_id"].tolist()
    if not ids:
        return HTMLFragment("")
    t = ctx.indicators
    t = t[(t.level == level) & t.unit_id.isin(ids) & t.indicator.isin(indicators)].set_index(["unit_id", "indicator"])
    first = t.xs(indicators[0], level="indicator")["value"].astype(float).fillna(np.inf)
    order = sorted(ids, key=lambda u: (first.get(u, np.inf), ctx.unit_name(u)))
    rows, cls = [], {}
    for i, u in enumerate(order):
        row = [ctx.unit_name(u)]
        for j, ind in enumerate(indicators, start=1):
            r = t.loc[(u, ind)]
            row.append(fmt.share(None if pd.isna(r.value) else float(r.value), int(r.numerator), int(r.denominator)))
            cls[(i, j)] = STATUS_CLASS[r.status]
        rows.append(row)
    headers = ["Đơn vị", *(INDICATORS[i].label_vi for i in indicators)]
    return HTMLFragment(table_html(headers, rows, range(1, len(headers)), cls))


def comparison(ctx: ReportContext, unit_id: str) -> HTMLFragment:
    """The unit against the province and against peers of the same level (median, rank)."""
    level = ctx.unit_level(unit_id)
    peers = ctx.units.loc[ctx.units.level == level, "unit_id"].tolist()
    t = ctx.indicators
    rows = []
    for ind_id, ind in INDICATORS.items():
        r = ctx.record(ind_id, unit_id, "all")
        prov = ctx.record(ind_id, ALL, "all")
        pv = t[(t.indicator == ind_id) & (t.level == "all") & t.unit_id.isin(peers) & (t.denominator > 0)]
        vals = pv.value.astype(float)
        med = float(vals.median()) if len(vals) else None
        if pd.isna(r.value) or not len(vals):
            rank = "–"
        else:
            v = float(r.value)
            better = (vals > v).sum() if ind.higher_is_better else (vals < v).sum()
            rank = f"{int(better) + 1}/{len(vals)}"
        rows.append([ind.label_vi, fmt.share(None if pd.isna(r.value) else float(r.value), int(r.numerator),
                                             int(r.denominator)),
                     fmt.pct(None if pd.isna(prov.value) else float(prov.value)), fmt.pct(med), rank])
    lv = level_label(ctx, level or "all")
    return HTMLFragment(table_html(["Chỉ tiêu", "Đơn vị", "Toàn tỉnh", f"Trung vị đơn vị {lv}", "Xếp hạng"],
                                   rows, [1, 2, 3, 4]))


def quality_summary(ctx: ReportContext, detailed: bool = False) -> HTMLFragment:
    q = ctx.quality
    rows = [[name, ctx.quality.sources.get(name, "(không có)"), fmt.number(n)] for name, n in q.rows.items()]
    out = table_html(["Bảng", "Nguồn", "Số dòng"], rows, [2])
    frows = [[f.label_vi, f.table, fmt.number(f.count)] + ([", ".join(map(str, f.rows[:10]))] if detailed else [])
             for f in q.findings]
    heads = ["Kiểm tra", "Bảng", "Số trường hợp"] + (["Dòng (tối đa 10)"] if detailed else [])
    out += table_html(heads, frows, [2])
    out += f"<p>Cảnh báo khi đọc dữ liệu: {fmt.number(len(q.warnings))}.</p>"
    if detailed and q.warnings:
        out += "<ul>" + "".join(f"<li>{_e(w)}</li>" for w in q.warnings[:50]) + "</ul>"
    return HTMLFragment(out)


def completeness(ctx: ReportContext) -> HTMLFragment:
    c = ctx.quality.completeness
    rows = [[r.table, r.column, fmt.number(r.filled), fmt.number(r.total), fmt.pct(r.share)]
            for r in c.itertuples()]
    return HTMLFragment(table_html(["Bảng", "Cột", "Có giá trị", "Tổng số dòng", "Tỷ lệ"], rows, [2, 3, 4]))


def quality_by_unit(ctx: ReportContext, limit: int = 40) -> HTMLFragment:
    b = ctx.quality.by_unit.sort_values(["share_evaluated_last_year", "name"]).head(limit)
    rows = [[r.name, level_label(ctx, r.level), fmt.number(r.cadres), fmt.pct(r.share_evaluated_last_year),
             fmt.number(r.planned), fmt.number(r.planned_never_evaluated)] for r in b.itertuples()]
    return HTMLFragment(table_html(["Đơn vị", "Cấp", "Cán bộ", f"Đã đánh giá năm {ctx.as_of.year - 1}",
                                    "Trong quy hoạch", "Quy hoạch chưa từng đánh giá"], rows, [2, 3, 4, 5]))


def method(ctx: ReportContext) -> HTMLFragment:
    p = ctx.params
    ages = ", ".join(f"{level_label(ctx, lv)}: dưới {p.young_age_under[lv]} tuổi" for lv in p.levels)
    rows = [[ind.label_vi, ind.counts, "cao hơn là tốt" if ind.higher_is_better else "thấp hơn là tốt", ind.source]
            for ind in INDICATORS.values()]
    intro = (f"<p>Cán bộ trẻ: {ages} (tuổi tròn tính đến ngày báo cáo; ngày sinh nhật được tính). Quy hoạch có "
             f"hiệu lực: ngày đưa vào ≤ ngày báo cáo, chưa đưa ra hoặc đưa ra sau ngày báo cáo, nhiệm kỳ "
             f"{', '.join(p.terms)}. Điều động, bổ nhiệm, luân chuyển, giới thiệu ứng cử tính trong giai đoạn "
             f"{fmt.date(p.period_start)} – {fmt.date(p.as_of)}. Tình trạng: Đạt khi đạt mục tiêu; Gần đạt khi "
             f"từ {fmt.target_pct(p.amber_ratio)} mục tiêu; Chưa đạt trong trường hợp còn lại.</p>")
    return HTMLFragment(intro + table_html(["Chỉ tiêu", "Đơn vị đếm", "Chiều", "Căn cứ (Kết luận ngày 01/8/2024)"],
                                           rows))


def provenance(ctx: ReportContext) -> HTMLFragment:
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
]


def action_lists(ctx: ReportContext, unit_id: str, audience: str, limit: int = 200) -> HTMLFragment:
    """Named action lists: only for the analyst audience. A leadership report names no individual."""
    if audience != "analyst":
        return HTMLFragment("<p class='cm-note'>Danh sách cá nhân chỉ có trong báo cáo dành cho cán bộ nghiệp vụ "
                            "(audience: analyst).</p>")
    engine = ctx.engine()
    out = []
    for ind_id, title in ACTIONS:
        frame = engine.explain(ind_id, unit_id, missing=True)
        out.append(f"<h4>{_e(title)}: {fmt.number(len(frame))}</h4>")
        if frame.empty:
            continue
        cols = [c for c in ("cadre_id", "full_name", "age", "unit_name", "planned_posts", "post", "row")
                if c in frame.columns]
        shown = frame[cols].head(limit)
        rows = [[("" if pd.isna(v) else v) for v in r] for r in shown.itertuples(index=False)]
        names = {"cadre_id": "Mã cán bộ", "full_name": "Họ và tên", "age": "Tuổi", "unit_name": "Đơn vị",
                 "planned_posts": "Chức danh quy hoạch", "post": "Chức danh", "row": "Dòng"}
        out.append(table_html([names[c] for c in cols], rows))
        if len(frame) > limit:
            out.append(f"<p class='cm-note'>… và {fmt.number(len(frame) - limit)} trường hợp khác (xem "
                       f"`python -m cadre_lib explain`).</p>")
    return HTMLFragment("".join(out))
