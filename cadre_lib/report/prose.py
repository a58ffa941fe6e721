"""The sections in words: the document header, the summary box (TÓM TẮT), the ranked findings and the
recommendations.

Leadership output names no individual; units are named (the units that lag behind a target).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.scope import ALL, LEVEL_ALL, SAMPLE_BAND
from cadre_lib.core.text import escape
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.report.common import (
    MISSED,
    level_label,
    level_units,
    optional,
    scope_levels,
    units_behind_by_level,
)
from cadre_lib.report.context import ReportContext
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
            f"lập lúc {escape(fmt.timestamp(ctx.provenance['generated_at'], ctx.lang))}.")
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
    ids = level_units(ctx, unit_id, level, with_scope=True)
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


def findings(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] | None = None,
             limit: int = 8) -> HTMLFragment:
    """Section I.2: the ``limit`` most important findings of the scope (:func:`ranked_findings`), one sentence
    per indicator with its levels grouped; the full list is :func:`all_findings` (appendix)."""
    found = ranked_findings(ctx, unit_id, indicators)
    items = "".join(f"<li>{escape(f.sentence)}</li>" for f in found[:limit])
    more = ""
    if len(found) > limit:
        more = (f"<p class='cm-note'>{limit}/{len(found)} nhận định quan trọng nhất; danh sách đầy đủ ở phần "
                "Phụ lục.</p>")
    return HTMLFragment(f"<ul class='cm-findings'>{items}</ul>{more}")


def all_findings(ctx: ReportContext, unit_id: str = ALL) -> HTMLFragment:
    """Appendix: one sentence for every indicator with data, in the order of :func:`ranked_findings`."""
    items = "".join(f"<li>{escape(f.sentence)}</li>" for f in ranked_findings(ctx, unit_id))
    return HTMLFragment(f"<ol class='cm-findings cm-small'>{items}</ol>")


# --- ranking (docs/indicators.md, "Ranking") --------------------------------------------------------------

#: A lower-is-better indicator this many points above its target counts as entirely missed (shortfall 1).
LOWER_SCALE = 0.20
#: A target met by the scope as a whole but missed at some of its levels weighs this much of the level's gap.
LEVEL_ONLY = 0.5
#: Number words for "ở cả ba cấp".
COUNT_WORDS = {2: "hai", 3: "ba", 4: "bốn", 5: "năm"}


def shortfall(ind_id: str, value: float | None, target: float | None) -> float | None:
    """How far a value is from its target, 0 (met) to 1 (nothing achieved); ``None`` without a value or a
    target. Higher is better: (target − value) / target. Lower is better: (value − target) / max(target,
    :data:`LOWER_SCALE`), at most 1."""
    if value is None or target is None:
        return None
    if INDICATORS[ind_id].higher_is_better:
        return max(0.0, (target - value) / target) if target > 0 else 0.0
    return min(1.0, max(0.0, (value - target) / max(target, LOWER_SCALE)))


@dataclass(frozen=True)
class Finding:
    """One indicator in one scope: its sentence, its rank score (``None``: no target or no value) and status."""

    indicator: str
    sentence: str
    score: float | None
    status: str
    missed_levels: tuple[str, ...] = ()


def _level_part(r: pd.Series, with_target: bool = True) -> str:
    target = optional(r.target)
    return (f"{fmt.share(optional(r.value), int(r.numerator), int(r.denominator))}"
            + (f" (mục tiêu {fmt.target_pct(target)})" if with_target and target is not None else ""))


def level_clause(ctx: ReportContext, ind_id: str, unit_id: str) -> tuple[str, tuple[str, ...]]:
    """The levels of the scope grouped by status, in one clause: ``đạt ở cả ba cấp``; ``đạt ở cấp tỉnh, cấp
    huyện; chưa đạt ở cấp xã: 27,3% (112/410) (mục tiêu 30%)``. Levels without data are left out; no clause
    when the scope has fewer than two levels with data. Also returns the levels that miss the target."""
    recs = [(lv, ctx.record(ind_id, unit_id, lv)) for lv in scope_levels(ctx, unit_id)]
    recs = [(lv, r) for lv, r in recs if int(r.denominator) > 0 and r.status != "none"]
    if len(recs) < 2:
        return "", tuple(lv for lv, r in recs if r.status in MISSED)
    groups: dict[str, list[tuple[str, pd.Series]]] = {"green": [], "amber": [], "red": []}
    for lv, r in recs:
        groups[str(r.status)].append((lv, r))
    every = f"cả {COUNT_WORDS.get(len(recs), str(len(recs)))} cấp"
    parts = []
    for status in ("green", "amber", "red"):
        members = groups[status]
        if not members:
            continue
        word = fmt.status_word(status).lower()
        if status == "green":
            where = every if len(members) == len(recs) else ", ".join(level_label(ctx, lv) for lv, _ in members)
            parts.append(f"{word} ở {where}")
        elif len(members) == 1:
            lv, r = members[0]
            parts.append(f"{word} ở {level_label(ctx, lv)}: {_level_part(r)}")
        else:
            head = every if len(members) == len(recs) else ", ".join(level_label(ctx, lv) for lv, _ in members)
            targets = {optional(r.target) for _, r in members}
            if len(targets) == 1:  # one target: said once
                (target,) = targets
                parts.append(f"{word} ở {head} (mục tiêu {fmt.target_pct(target)}): "
                             + ", ".join(f"{level_label(ctx, lv)} {_level_part(r, False)}" for lv, r in members))
            else:
                parts.append(f"{word} ở {head}: " + ", ".join(f"{level_label(ctx, lv)} {_level_part(r)}"
                                                            for lv, r in members))
    missed = tuple(lv for lv, r in recs if r.status in MISSED)
    return "; ".join(parts), missed


def change_clause(ctx: ReportContext, ind_id: str, unit_id: str, value: float | None) -> str:
    prev = previous_value(ctx, ind_id, unit_id, LEVEL_ALL)
    if prev is None or value is None:
        return ""
    diff = value - prev
    if abs(diff) < UNCHANGED:
        return "không thay đổi so với kỳ báo cáo trước"
    return f"{'tăng' if diff > 0 else 'giảm'} {fmt.points(diff)} so với kỳ báo cáo trước"


def indicator_finding(ctx: ReportContext, ind_id: str, unit_id: str = ALL) -> Finding | None:
    """One sentence for an indicator in a scope, levels grouped (:func:`level_clause`), with the change since
    the previous report; ``None`` when nothing is counted in the scope. Its score (docs/indicators.md,
    "Ranking"): weight × :func:`shortfall` of the scope as a whole; when the whole meets its target but some
    level does not, weight × :data:`LEVEL_ONLY` × the largest shortfall of those levels."""
    ind = INDICATORS[ind_id]
    r = ctx.record(ind_id, unit_id, LEVEL_ALL)
    if int(r.denominator) == 0:
        return None
    value = optional(r.value)
    target = optional(r.target)
    s = f"{ind.label_vi} đạt {fmt.share(value, int(r.numerator), int(r.denominator))}"
    if r.status != "none" and target is not None:
        s += f" (mục tiêu {fmt.target_pct(target)}), {fmt.status_word(str(r.status)).lower()}"
    else:
        s += " (chưa có mục tiêu)"
    clause, missed = level_clause(ctx, ind_id, unit_id) if r.status != "none" else ("", ())
    change = change_clause(ctx, ind_id, unit_id, value)
    sentence = s + "".join(f"; {c}" for c in (clause, change) if c) + "."
    gap = shortfall(ind_id, value, target) if r.status != "none" else None
    score = None if gap is None else ind.weight * gap
    if score == 0 and missed:
        gaps = [shortfall(ind_id, optional(ctx.record(ind_id, unit_id, lv).value),
                          optional(ctx.record(ind_id, unit_id, lv).target)) or 0.0 for lv in missed]
        score = ind.weight * LEVEL_ONLY * max(gaps)
    return Finding(ind_id, sentence, score, str(r.status), missed)


def ranked_findings(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] | None = None
                    ) -> list[Finding]:
    """Every finding of the scope, most important first: targets missed by score (highest first; ties by
    weight, then registry order), then targets met by weight (the good news that matters most first), then
    the indicators without a target."""
    key_ = ("ranked_findings", unit_id, tuple(indicators or ()))
    if key_ in ctx.memo:
        return list(ctx.memo[key_])
    order = {k: i for i, k in enumerate(INDICATORS)}
    found = [f for f in (indicator_finding(ctx, i, unit_id) for i in (indicators or list(INDICATORS))) if f]

    def key(f: Finding) -> tuple[int, float, float, int]:
        w = INDICATORS[f.indicator].weight
        if f.score is None:
            return (2, 0.0, -w, order[f.indicator])
        if f.score > 0:  # rounded: scores equal but for floating-point noise are a tie
            return (0, -round(f.score, 9), -w, order[f.indicator])
        return (1, 0.0, -w, order[f.indicator])

    ctx.memo[key_] = ranked = sorted(found, key=key)
    return list(ranked)


# --- TÓM TẮT (page 1) ---------------------------------------------------------------------------------------


def summary(ctx: ReportContext, unit_id: str = ALL, messages: int = 5) -> HTMLFragment:
    """The TÓM TẮT box opening page 1: the three to ``messages`` most important findings
    (:func:`ranked_findings`: every target missed, the worst first, completed with the most important targets
    met), how many units are behind on each level, and the deadlines missed or due within
    :data:`~cadre_lib.report.tables.DUE_SOON_DAYS` days."""
    from cadre_lib.report.tables import DUE_SOON_DAYS, deadline_items

    found = ranked_findings(ctx, unit_id)
    missed = [f for f in found if f.score]
    chosen = missed[:messages]
    if len(chosen) < 3:
        chosen += [f for f in found if not f.score and f.score is not None][:3 - len(chosen)]
    lines = [f"<li>{escape(f.sentence)}</li>" for f in chosen]
    if not missed:
        lines.append("<li>Tất cả các chỉ tiêu có mục tiêu đều đạt.</li>")
    behind = []
    for lv, n_bad, n, top, n_top in units_behind_by_level(ctx, unit_id):
        text = f"{level_label(ctx, lv)}: {n_bad}/{n} đơn vị chưa đạt ít nhất một chỉ tiêu chính"
        if top:
            text += f", nhiều nhất là «{INDICATORS[top].short.lower()}» ({n_top} đơn vị)"
        behind.append(text[0].upper() + text[1:])
    units = ("<p><b>Đơn vị còn chậm.</b> " + escape("; ".join(behind)) + ".</p>") if behind else ""
    late, soon = [], []
    for d in deadline_items(ctx, unit_id):
        if d.state == "late":
            late.append(f"{d.task}, hạn {fmt.date(d.due)}: mới đạt {d.share}")
        elif d.state == "open" and d.days_left <= DUE_SOON_DAYS:
            soon.append(f"{d.task}, hạn {fmt.date(d.due)} (còn {d.days_left} ngày): đạt {d.share}")
    if late or soon:
        parts = []
        if late:
            parts.append("Đã quá hạn: " + "; ".join(late))
        if soon:
            parts.append(f"Đến hạn trong {DUE_SOON_DAYS} ngày tới: " + "; ".join(soon))
        when = "<p><b>Thời hạn.</b> " + escape(". ".join(parts)) + ".</p>"
    else:
        when = f"<p><b>Thời hạn.</b> Không có nhiệm vụ quá hạn hoặc đến hạn trong {DUE_SOON_DAYS} ngày tới.</p>"
    return HTMLFragment(f"<div class='cm-summary'><div class='cm-summary-title'>TÓM TẮT</div>"
                        f"<ol>{''.join(lines)}</ol>{units}{when}</div>")


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
