"""The sections in words: the document header, the findings and the recommendations.

Leadership output names no individual; units are named (the units that lag behind a target).
"""

from __future__ import annotations

from collections.abc import Sequence

from cadre_lib import fmt
from cadre_lib.core.scope import ALL, LEVEL_ALL, SAMPLE_BAND
from cadre_lib.core.text import escape
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.report.common import level_label, optional, scope_levels, subtree
from cadre_lib.report.context import HEADLINE, ReportContext
from cadre_lib.report.html import HTMLFragment, sample_band, style_tag

#: A change smaller than this (a share, 0.05 point) reads "không thay đổi".
UNCHANGED = 0.0005

# --- header ---------------------------------------------------------------------------------------


def header(ctx: ReportContext, unit_id: str = ALL, title: str = "BÁO CÁO THEO DÕI") -> HTMLFragment:
    """The document's top: the stylesheet, the sample band, issuer and date, title, scope, provenance mark."""
    p = ctx.params
    org = p.organisation
    scope = ctx.unit_name(unit_id)
    sample = sample_band() if ctx.is_sample else ""
    mark = (f"Báo cáo được tạo tự động từ cơ sở dữ liệu cán bộ; số liệu tính đến ngày {fmt.date(ctx.as_of)}; "
            f"lập lúc {escape(ctx.provenance['generated_at'][:16].replace('T', ' '))}.")
    text = f"""
{style_tag()}
{sample}
<div class='cm-top'>
 <div><div class='org'>{escape(org.party_committee)}</div><div class='org'>{escape(org.issuer)}</div><div>*</div></div>
 <div><div class='org'>ĐẢNG CỘNG SẢN VIỆT NAM</div>
 <div class='date'>{escape(fmt.long_date(ctx.as_of, org.place))}</div></div>
</div>
<div class='cm-title'>{escape(title)}</div>
<div class='cm-subtitle'>Kết quả thực hiện Nghị quyết số 20-NQ/TU và Nghị quyết số 32-NQ/TU của Ban Thường vụ
Tỉnh ủy về công tác cán bộ trẻ</div>
<div class='cm-scope'>{escape(scope)}</div>
<div class='cm-mark'>{mark}</div>"""
    return HTMLFragment(text)


def page_marks(ctx: ReportContext) -> dict[str, str]:
    """Notes printed on every PDF page (the renderer reads them from ``nb.metadata["cadre"]``)."""
    footer = f"Báo cáo tạo tự động từ cơ sở dữ liệu cán bộ, số liệu đến ngày {fmt.date(ctx.as_of)}"
    return {"page_header": SAMPLE_BAND if ctx.is_sample else "", "page_footer": footer}


# --- I. findings ----------------------------------------------------------------------------------


def previous_value(ctx: ReportContext, indicator: str, unit_id: str, level: str) -> float | None:
    """The value of the previous report, units followed through their successors
    (:meth:`ReportContext.previous_record`); ``None`` without one, or without a value there."""
    r, _ = ctx.previous_record(indicator, unit_id, level)
    return None if r is None else optional(r["value"])


def units_behind(ctx: ReportContext, indicator: str, level: str, unit_id: str = ALL) -> tuple[int, int, list[str]]:
    """(units not meeting the target, units with a status, names worst first) among the units of
    ``level`` inside the scope."""
    sub = subtree(ctx, unit_id)
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
        for lv in [LEVEL_ALL, *scope_levels(ctx, unit_id)]:
            r = ctx.record(ind_id, unit_id, lv)
            if int(r.denominator) == 0:
                continue
            where = "" if lv == LEVEL_ALL else " " + level_label(ctx, lv)
            value = float(r.value)
            s = f"{ind.label_vi}{where} đạt {fmt.share(value, int(r.numerator), int(r.denominator))}"
            if r.status != "none":
                s += f" (mục tiêu {fmt.target_pct(float(r.target))}), {fmt.status_word(r.status).lower()}"
            prev = previous_value(ctx, ind_id, unit_id, lv)
            if prev is not None:
                diff = value - prev
                if abs(diff) < UNCHANGED:
                    s += "; không thay đổi so với kỳ báo cáo trước"
                else:
                    s += f"; {'tăng' if diff > 0 else 'giảm'} {fmt.points(diff)} so với kỳ báo cáo trước"
            if lv != LEVEL_ALL and r.status != "none":
                n_bad, n, _ = units_behind(ctx, ind_id, lv, unit_id)
                if n and n_bad:
                    s += f"; {n_bad}/{n} đơn vị{where} chưa đạt"
            out.append(s + ".")
    return out


def findings(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] | None = None) -> HTMLFragment:
    """The finding sentences of the headline indicators (or of ``indicators``), as a list."""
    items = "".join(f"<li>{escape(s)}</li>" for s in finding_sentences(ctx, unit_id, indicators or HEADLINE))
    return HTMLFragment(f"<ul class='cm-findings'>{items}</ul>")


# --- III. recommendations -------------------------------------------------------------------------


def recommendations(ctx: ReportContext, unit_id: str = ALL, max_units: int = 8) -> HTMLFragment:
    """One action per indicator not met in the scope (the registry's ``action_vi``), naming the gap and the
    lagging units (worst first, at most ``max_units``)."""
    items = []
    for ind_id, ind in INDICATORS.items():
        r = ctx.record(ind_id, unit_id, LEVEL_ALL)
        if r.status not in ("red", "amber") or not ind.action_vi:
            continue
        gap = int(r.numerator) if not ind.higher_is_better else int(r.denominator) - int(r.numerator)
        names: list[str] = []
        for lv in scope_levels(ctx, unit_id):
            names += units_behind(ctx, ind_id, lv, unit_id)[2]
        if unit_id != ALL:
            names = [n for n in names if n != ctx.unit_name(unit_id)]
        units = ", ".join(names[:max_units]) + (f" và {len(names) - max_units} đơn vị khác" if len(names) > max_units
                                                else "")
        text = ind.action_vi.format(gap=fmt.number(gap), units=units or ctx.unit_name(unit_id))
        items.append(text)
    if not items:
        return HTMLFragment("<p>Tiếp tục duy trì kết quả đã đạt được.</p>")
    return HTMLFragment("<ol>" + "".join(f"<li>{escape(t)}</li>" for t in items) + "</ol>")
