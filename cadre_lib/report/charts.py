"""Every chart of the reports and of the explorer, and the one matplotlib style they share.

The report charts (:func:`trend_lines`, :func:`ranking_bars`, :func:`lagging_charts`) take the report context and
return inline SVG (no matplotlib in a report kernel: drawing dominated a report's time), in the status colours,
hatches and dashed targets below. The explorer's charts (:func:`units_figure`, :func:`status_trend_figure`) take
the frames of its model and return plain :class:`~matplotlib.figure.Figure` objects drawn in :func:`fixed_style`
(the global :func:`apply_style` with fixed margins: a redraw then costs no layout engine).

In a notebook::

    from cadre_lib.report.charts import apply_style, STATUS_COLORS, STATUS_HATCHES, status_style
    apply_style()
    ax.bar(x, y, **status_style("red"))

``apply_style`` only sets rcParams: it never selects a backend (``matplotlib.use("agg")`` in a notebook kernel
replaces the inline backend and the charts vanish from the report). matplotlib is imported by the functions that
draw, not by this module.

Status colours are Okabe-Ito (safe for the common colour-vision deficiencies); each status also has a hatch so
bars stay distinguishable on a grey-scale printer. Keep them in step with the ``.status-*`` classes in
``render/templates/cadre_report/static/cadre_report.css`` and the ``.st-*`` classes in ``report/static/report.css``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, cast

import numpy as np
import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.scope import ALL, LEVEL_ALL
from cadre_lib.core.text import escape
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.report.common import level_label, level_units, optional, scope_levels, units_behind_by_level
from cadre_lib.report.context import HEADLINE, ReportContext
from cadre_lib.report.html import HTMLFragment

#: Fill colour per status: green = "Đạt", amber = "Gần đạt", red = "Chưa đạt", none = "Chưa có mục tiêu".
STATUS_COLORS: dict[str, str] = {
    "green": "#009E73",  # Okabe-Ito bluish green
    "amber": "#E69F00",  # Okabe-Ito orange
    "red": "#D55E00",  # Okabe-Ito vermillion
    "none": "#999999",  # grey
}

#: Hatch per status, for grey-scale printing (green stays plain: the good news needs no texture).
STATUS_HATCHES: dict[str, str] = {
    "green": "",
    "amber": "//",
    "red": "xx",
    "none": "..",
}

#: Target lines and neutral marks.
TARGET_COLOR = "#000000"
TARGET_LINESTYLE = (0, (5, 3))  # dashed
NEUTRAL_COLOR = "#0072B2"  # Okabe-Ito blue, for series that carry no status
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

#: Families tried in order; each has every Vietnamese letter (DejaVu Sans ships with matplotlib).
FONT_FAMILY = ["Noto Sans", "DejaVu Sans"]
MONO_FAMILY = ["Noto Sans Mono", "DejaVu Sans Mono"]

_ALIASES = {
    "đạt": "green", "dat": "green", "met": "green",
    "gần đạt": "amber", "gan dat": "amber", "near": "amber",
    "chưa đạt": "red", "chua dat": "red", "not_met": "red", "not met": "red",
    "chưa có mục tiêu": "none", "no_target": "none", "": "none",
}


def status_key(status: Any) -> str:
    """Normalise a status (``"green"``, ``"Đạt"``, an Enum whose value is one of those…) to a STATUS_COLORS key."""
    value = getattr(status, "value", status)
    text = "" if value is None else str(value).strip().lower()
    if text in STATUS_COLORS:
        return text
    return _ALIASES.get(text, "none")


def status_style(status: Any) -> dict[str, Any]:
    """Keyword arguments for ``ax.bar``/``ax.barh``: colour, hatch and a dark edge (hatches need an edge)."""
    key = status_key(status)
    return {"color": STATUS_COLORS[key], "hatch": STATUS_HATCHES[key], "edgecolor": "#333333", "linewidth": 0.6}


@cache
def register_fonts() -> None:
    """Make sure matplotlib knows the Noto fonts even if its font cache predates their installation (once per
    process: without them, the search of the system fonts would run again for every chart)."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    wanted = {"Noto Sans", "Noto Sans Mono"} - known
    if not wanted:
        return
    for path in font_manager.findSystemFonts(fontext="ttf"):
        name = path.rsplit("/", 1)[-1]
        if name.startswith(("NotoSans-", "NotoSansMono-")):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # pragma: no cover - unreadable font file
                continue


def rc_params(dpi: int = 110) -> dict[str, Any]:
    """The rcParams set by :func:`apply_style` (usable with ``matplotlib.rc_context``)."""
    from cycler import cycler  # a matplotlib dependency

    return {
        "font.family": "sans-serif",
        "font.sans-serif": [*FONT_FAMILY, "sans-serif"],
        "font.monospace": [*MONO_FAMILY, "monospace"],
        "font.size": 10,
        "axes.titlesize": 11.5,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlepad": 10,
        "axes.labelsize": 10,
        "axes.labelcolor": "#333333",
        "axes.edgecolor": "#555555",
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=OKABE_ITO),
        "axes.formatter.use_locale": False,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "legend.fontsize": 9,
        "legend.frameon": False,
        "figure.figsize": (7.0, 3.8),
        "figure.dpi": dpi,
        "figure.facecolor": "white",
        "figure.titlesize": 12,
        "figure.titleweight": "bold",
        "figure.constrained_layout.use": True,
        "savefig.dpi": "figure",
        "savefig.facecolor": "white",
        "savefig.bbox": "tight",
        "hatch.linewidth": 0.6,
        "hatch.color": "#333333",
        "lines.linewidth": 1.8,
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
    }


def apply_style(dpi: int = 110) -> None:
    """Set the report style globally (rcParams). Call once at the top of a notebook; no backend change."""
    import matplotlib as mpl

    register_fonts()
    mpl.rcParams.update(cast(Any, rc_params(dpi)))


# --- shared pieces --------------------------------------------------------------------------------


def percent_axis(ax: Any, axis: str = "y") -> None:
    """Tick labels as Vietnamese percentages (``40%``)."""
    from matplotlib.ticker import FuncFormatter

    f = FuncFormatter(lambda v, _: fmt.pct(v, 0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def status_bars(ax: Any, names: Sequence[str], values: Sequence[float], numerators: Sequence[int],
                denominators: Sequence[int], statuses: Sequence[str], target: float | None,
                target_width: float = 1.0) -> None:
    """Horizontal bars, one per unit (the first at the bottom), coloured and hatched by status, each labelled
    with its share (numerator/denominator), the target as a dashed vertical line, percentages on the x axis."""
    bars = ax.barh(list(names), values, color=[STATUS_COLORS[s] for s in statuses], edgecolor="#333333",
                   linewidth=0.5)
    for bar, s in zip(bars, statuses, strict=True):
        bar.set_hatch(STATUS_HATCHES.get(s, ""))
    for y, (v, n, d) in enumerate(zip(values, numerators, denominators, strict=True)):
        ax.text(v, y, f" {fmt.share(float(v), int(n), int(d))}", va="center", fontsize=7)
    if target is not None:
        ax.axvline(target, color=TARGET_COLOR, linestyle=TARGET_LINESTYLE, linewidth=target_width)
    percent_axis(ax, "x")
    ax.tick_params(axis="y", labelsize=7)


# --- report charts (pyplot figures in the global style) -------------------------------------------

#: (colour, line style, marker) of each level's line in the report trend charts.
LEVEL_STYLES = {LEVEL_ALL: ("#000000", "-", "o"), "tinh": ("#0072B2", "--", "s"), "huyen": ("#E69F00", "-.", "^"),
                "xa": ("#009E73", ":", "D")}


#: Style of the vertical line where the units of a scope's history changed (e.g. the reform of 01/7/2025).
CHANGE_STYLE: dict[str, Any] = {"color": "#555555", "linestyle": (0, (1, 2)), "linewidth": 1.0}


def boundaries_note(ctx: ReportContext) -> str:
    """``theo địa giới hiện nay``: said by every trend of a register whose units start and end (every point is
    counted on the units of as_of, so today's units carry their predecessors' history); empty otherwise."""
    return "theo địa giới hiện nay" if ctx.register_units is not None else ""


# --- explorer charts (Figure objects, fixed margins) ----------------------------------------------

#: Width of the explorer's charts, in inches.
EXPLORER_WIDTH = 7.4


@contextmanager
def fixed_style(dpi: int = 96) -> Iterator[None]:
    """The report chart style as a context, without the constrained layout (see :func:`fixed_margins`)."""
    import matplotlib as mpl

    register_fonts()
    rc = {**rc_params(dpi=dpi), "figure.constrained_layout.use": False}
    with mpl.rc_context(cast(Any, rc)):
        yield


def fixed_margins(fig: Any, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in inches: the constrained layout would measure every label several times per drawing,
    the main cost of a redraw (labels use 7-9 pt; ~0.056 in per character of a 7 pt unit name)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=min(left / w, 0.6), right=1 - right / w, top=1 - top / h, bottom=bottom / h)


def screen_png(fig: Any) -> bytes:
    """On-screen PNG of an explorer chart: the margins are fixed, so no second "tight" drawing pass."""
    import matplotlib as mpl

    buf = io.BytesIO()
    with fixed_style(), mpl.rc_context({"savefig.bbox": "standard"}):  # bbox_inches=None would mean rc "tight"
        fig.savefig(buf, format="png")
    return buf.getvalue()


def save_png(fig: Any, path: Any, dpi: int = 150) -> None:
    """An explorer chart as a PNG file (print resolution)."""
    with fixed_style():
        fig.savefig(path, format="png", dpi=dpi)


def units_figure(frame: pd.DataFrame, indicator: str, target: float | None, subtitle: str,
                 limit: int = 40) -> Any:
    """The explorer's child units of a scope: ``frame`` (columns ``name``, ``value``, ``numerator``,
    ``denominator``, ``status``) sorted worst first; the first ``limit`` rows are drawn, worst at the top."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    ind = INDICATORS[indicator]
    shown = frame.head(limit).iloc[::-1]
    values = shown["value"].astype(float).to_numpy()
    with fixed_style():
        height = 1.4 + 0.26 * len(shown)
        fig = Figure(figsize=(EXPLORER_WIDTH, height))
        longest = max((len(n) for n in shown["name"]), default=10)
        fixed_margins(fig, left=0.2 + 0.056 * longest, right=0.25, top=0.6, bottom=0.55)
        ax = fig.subplots()
        status_bars(ax, shown["name"].tolist(), values.tolist(), shown["numerator"].tolist(),
                    shown["denominator"].tolist(), shown["status"].tolist(), target, target_width=1.1)
        top = float(np.nanmax(values)) if len(values) else 0.0
        if target is not None:
            ax.set_xlabel(f"Đường gạch đứt: mục tiêu {fmt.target_pct(target)}", fontsize=8)
            top = max(top, float(target))
        ax.set_xlim(0, max(top * 1.3, 0.05))
        ax.grid(axis="x", color="#dddddd")
        ax.grid(axis="y", visible=False)
        present = [s for s in ("green", "amber", "red", "none") if s in set(shown["status"])]
        ax.legend(handles=[Patch(facecolor=STATUS_COLORS[s], hatch=STATUS_HATCHES[s], edgecolor="#333333",
                                 label=fmt.status_word(s)) for s in present],
                  loc="upper right" if ind.higher_is_better else "lower right", fontsize=7,
                  frameon=True, framealpha=0.9, edgecolor="#cccccc")
        more = f" ({limit}/{len(frame)} đơn vị kém nhất)" if len(frame) > limit else ""
        ax.set_title(f"{ind.label_vi}\n{subtitle}{more}", loc="left", fontsize=9)
    return fig


def status_trend_figure(trend: pd.DataFrame, indicator: str, target: float | None, subtitle: str,
                        changes: Sequence[Any] = ()) -> Any:
    """The explorer's trend of one scope and level: ``trend`` (columns ``date``, ``value``, ``numerator``,
    ``denominator``, ``status``) as a line with a dot per quarter end coloured by status, the target dashed, the
    last value labelled and a dotted vertical line on each day of ``changes`` (where the scope's units changed)."""
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure

    ind = INDICATORS[indicator]
    dates = [d.to_pydatetime() for d in trend["date"]]
    values = trend["value"].astype(float).to_numpy()
    with fixed_style():
        fig = Figure(figsize=(EXPLORER_WIDTH, 3.3))
        fixed_margins(fig, left=0.6, right=0.25, top=0.6, bottom=0.45)
        ax = fig.subplots()
        ax.plot(dates, values, "-", color=NEUTRAL_COLOR, linewidth=1.6)
        ax.scatter(dates, values, c=[STATUS_COLORS[s] for s in trend["status"]], s=22, zorder=3,
                   edgecolors="#333333", linewidths=0.5)
        top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
        if target is not None:
            ax.axhline(target, color=TARGET_COLOR, linestyle=TARGET_LINESTYLE, linewidth=1.1)
            ax.annotate(f"Mục tiêu {fmt.target_pct(target)}", xy=(0.01, target),
                        xycoords=("axes fraction", "data"), va="bottom", fontsize=7)
            top = max(top, float(target))
        last = trend.iloc[-1]
        if not pd.isna(last["value"]):
            ax.annotate(fmt.share(float(last["value"]), int(last["numerator"]), int(last["denominator"])),
                        xy=(dates[-1], float(last["value"])), xytext=(0, 9), textcoords="offset points",
                        ha="right", va="bottom", fontsize=7,
                        bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        for day in changes:
            x = pd.Timestamp(day).to_pydatetime()
            ax.axvline(x, **CHANGE_STYLE)
            ax.annotate(f"sắp xếp đơn vị {fmt.date(day)}", xy=(x, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(2, -2), textcoords="offset points", ha="left", va="top", fontsize=7,
                        color=CHANGE_STYLE["color"])
        ax.set_ylim(0, max(top * 1.2, 0.05))
        percent_axis(ax)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(f"Diễn biến theo quý: {ind.label_vi}\n{subtitle}", loc="left", fontsize=9)
    return fig


# --- light report charts: inline SVG, no matplotlib -----------------------------------------------------
#
# The report notebooks draw with these: a few strings per chart instead of a matplotlib figure rasterised to PNG
# (about 1 s per report kernel), sharp on paper at any zoom, text selectable in the PDF. Same colours, hatches
# (grey-scale printing), dashed target lines and bar labels as the matplotlib charts above.

#: SVG dash pattern of each level's line (all levels solid); other levels are drawn grey and dotted.
LEVEL_DASHES = {LEVEL_ALL: "", "tinh": "6 3", "huyen": "8 3 2 3", "xa": "2 2"}


def _svg_text(text: str) -> str:
    return escape(text)


def _svg_id(*parts: str) -> str:
    """A short id, stable for the same chart, so the hatch patterns of two charts in one page never clash."""
    import hashlib

    return "c" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:8]


def _hatch_defs(prefix: str) -> str:
    """One SVG pattern per hatched status (see :data:`STATUS_HATCHES`): amber ``//``, red ``xx``, none dots."""
    line = "stroke='#333' stroke-width='0.7'"
    return (f"<defs><pattern id='{prefix}-amber' width='5' height='5' patternUnits='userSpaceOnUse'>"
            f"<path d='M0,5 L5,0' {line}/></pattern>"
            f"<pattern id='{prefix}-red' width='5' height='5' patternUnits='userSpaceOnUse'>"
            f"<path d='M0,5 L5,0 M0,0 L5,5' {line}/></pattern>"
            f"<pattern id='{prefix}-none' width='4' height='4' patternUnits='userSpaceOnUse'>"
            f"<circle cx='2' cy='2' r='0.6' fill='#333'/></pattern></defs>")


def _nice_top(value: float) -> float:
    """The axis end above ``value`` (a share): a multiple of 5 points below 20%, of 10 points above, at most 100%."""
    step = 0.05 if value < 0.2 else 0.1
    return min(1.0, max(step, float(np.ceil(value / step - 1e-9) * step)))


def _figure(title: str, body: str, css: str = "cm-chart") -> HTMLFragment:
    return HTMLFragment(f"<figure class='{css}'><figcaption class='cm-chart-title'>{_svg_text(title)}</figcaption>"
                        f"{body}</figure>")


def ranking_bars(ctx: ReportContext, indicator: str, level: str, unit_id: str = ALL, limit: int = 15
                 ) -> HTMLFragment | None:
    """The units of one level inside the scope, lagging first, as horizontal bars coloured and hatched by status,
    each labelled with its share (numerator/denominator), the target as a dashed line; the title says how many
    units miss the target. An :class:`~cadre_lib.report.html.HTMLFragment` (inline SVG), ``None`` without data."""
    ind = INDICATORS[indicator]
    ids = level_units(ctx, unit_id, level)
    t = ctx.indicators
    r = t[(t.indicator == indicator) & (t.level == level) & t.unit_id.isin(ids) & (t.denominator > 0)].copy()
    if r.empty:
        return None
    r["v"] = r.value.astype(float)
    r["name"] = [ctx.unit_name(u) for u in r.unit_id]
    r = r.sort_values(["v", "name"], ascending=[ind.higher_is_better, True])
    n_bad = int(r.status.isin(["red", "amber"]).sum())
    total = len(r)
    shown = r.head(limit)
    target = ctx.params.target(indicator, level)
    lv = level_label(ctx, level).capitalize()
    more = f" ({len(shown)} đơn vị thấp nhất)" if total > limit else ""
    if target is not None:
        title = f"{lv}: {n_bad}/{total} đơn vị chưa đạt mục tiêu — {ind.label_vi.lower()}{more}"
    else:
        title = f"{lv}: {ind.label_vi.lower()}{more}"
    width, row, bar = 640, 17, 11
    longest = max(len(n) for n in shown.name)
    x0 = min(250, 6.0 * longest + 10)
    x1 = width - 105
    top_v = _nice_top(max(float(r.v.max()), target or 0.0) * 1.05)
    height = 8 + row * len(shown) + 22

    def x(v: float) -> float:
        return x0 + (x1 - x0) * min(max(v, 0.0), top_v) / top_v

    pid = _svg_id("rank", ctx.as_of.isoformat(), indicator, level, unit_id)
    out = [f"<svg viewBox='0 0 {width} {height}' width='100%' role='img' aria-label='{_svg_text(title)}'>",
           f"<title>{_svg_text(title)}</title>", _hatch_defs(pid)]
    base = 8 + row * len(shown)
    for k in range(5):
        v = top_v * k / 4
        out.append(f"<line x1='{x(v):.1f}' y1='4' x2='{x(v):.1f}' y2='{base}' stroke='#ddd' stroke-width='0.6'/>"
                   f"<text x='{x(v):.1f}' y='{base + 13}' font-size='9' text-anchor='middle' fill='#333'>"
                   f"{fmt.pct(v, 0)}</text>")
    for i, rec in enumerate(shown.itertuples()):
        y = 8 + row * i
        status = str(rec.status)
        w = max(x(float(rec.v)) - x0, 0.8)
        out.append(f"<text x='{x0 - 5:.1f}' y='{y + bar - 2}' font-size='10' text-anchor='end'>"
                   f"{_svg_text(str(rec.name))}</text>")
        out.append(f"<rect x='{x0:.1f}' y='{y}' width='{w:.1f}' height='{bar}' fill='{STATUS_COLORS[status]}' "
                   f"stroke='#333' stroke-width='0.5'/>")
        if STATUS_HATCHES.get(status):
            out.append(f"<rect x='{x0:.1f}' y='{y}' width='{w:.1f}' height='{bar}' fill='url(#{pid}-{status})'/>")
        label = fmt.share(float(rec.v), int(rec.numerator), int(rec.denominator))
        out.append(f"<text x='{x0 + w + 4:.1f}' y='{y + bar - 2}' font-size='9'>{_svg_text(label)}</text>")
    out.append(f"<line x1='{x0}' y1='4' x2='{x0}' y2='{base}' stroke='#555' stroke-width='0.8'/>")
    if target is not None:
        out.append(f"<line x1='{x(target):.1f}' y1='2' x2='{x(target):.1f}' y2='{base}' stroke='{TARGET_COLOR}' "
                   f"stroke-width='1.1' stroke-dasharray='5 3'/>")
        out.append(f"<text x='{x1 + 4}' y='{base + 13}' font-size='9' fill='#000'>- - mục tiêu "
                   f"{fmt.target_pct(target)}</text>")
    out.append("</svg>")
    return _figure(title, "".join(out))


def trend_lines(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] = HEADLINE,
                marks: Sequence[tuple[Any, str]] | None = None) -> HTMLFragment:
    """The headline indicators at quarter ends, one small chart each (two per row): a line for all levels and
    one per level of the scope, the target as a dashed line, the current value in each title; ``marks``
    (date, short text) draw a dotted vertical line each; by default the days the units of the scope's history
    changed (``sắp xếp đơn vị 01/07/2025``), and the title says the points are counted on today's units. An
    :class:`~cadre_lib.report.html.HTMLFragment` of inline SVG."""
    if marks is None:
        marks = [(day, f"sắp xếp đơn vị {fmt.date(day)}") for day in ctx.unit_changes.get(unit_id, [])]
    levels = [LEVEL_ALL, *scope_levels(ctx, unit_id)]
    trends = ctx.trends[(ctx.trends.unit_id == unit_id) & ctx.trends.indicator.isin(indicators)]
    dates = ctx.trends.date
    first = pd.Timestamp(dates.min()) if len(dates) else pd.Timestamp(ctx.params.period_start)
    last = pd.Timestamp(ctx.as_of)
    span = max((last - first).days, 1)
    width, height, left, right, top, bottom = 300, 122, 34, 8, 22, 102

    def x(day: Any) -> float:
        return left + (width - left - right) * (pd.Timestamp(day) - first).days / span

    charts = []
    for ind_id in indicators:
        t = trends[trends.indicator == ind_id]
        now = fmt.pct(optional(ctx.record(ind_id, unit_id, LEVEL_ALL).value))
        label = f"{INDICATORS[ind_id].short}: {now}"
        target = ctx.params.target(ind_id, LEVEL_ALL)
        values = t.value.astype(float)
        top_v = _nice_top(max(float(values.max()) if values.notna().any() else 0.0, target or 0.0) * 1.08)

        def y(v: float, top_v: float = top_v) -> float:
            return bottom - (bottom - top) * v / top_v

        out = [f"<svg viewBox='0 0 {width} {height}' width='100%' role='img' aria-label='{_svg_text(label)}'>",
               f"<title>{_svg_text(INDICATORS[ind_id].label_vi)}: {now}</title>",
               f"<text x='2' y='12' font-size='11' font-weight='700'>{_svg_text(label)}</text>"]
        for k in range(3):
            v = top_v * k / 2
            out.append(f"<line x1='{left}' y1='{y(v):.1f}' x2='{width - right}' y2='{y(v):.1f}' stroke='#ddd' "
                       f"stroke-width='0.6'/><text x='{left - 3}' y='{y(v) + 3:.1f}' font-size='9' "
                       f"text-anchor='end' fill='#333'>{fmt.pct(v, 0)}</text>")
        for year in range(first.year + 1, last.year + 1):
            xx = x(pd.Timestamp(year, 1, 1))
            out.append(f"<line x1='{xx:.1f}' y1='{bottom}' x2='{xx:.1f}' y2='{bottom + 3}' stroke='#555'/>"
                       f"<text x='{xx:.1f}' y='{bottom + 13}' font-size='9' text-anchor='middle' "
                       f"fill='#333'>{year}</text>")
        for day, text in marks:
            xx = x(day)
            out.append(f"<line x1='{xx:.1f}' y1='{top - 4}' x2='{xx:.1f}' y2='{bottom}' stroke='#555' "
                       f"stroke-width='0.8' stroke-dasharray='1 2'/><text x='{xx + 2:.1f}' y='{top + 4}' "
                       f"font-size='8' fill='#333'>{_svg_text(text)}</text>")
        if target is not None and target <= top_v:
            out.append(f"<line x1='{left}' y1='{y(target):.1f}' x2='{width - right}' y2='{y(target):.1f}' "
                       f"stroke='{STATUS_COLORS['red']}' stroke-width='1.1' stroke-dasharray='5 3'/>")
        for lv in levels:
            s = t[t.level == lv].sort_values("date")
            pts = [(x(d), y(float(v))) for d, v in zip(s.date, s.value, strict=True) if not pd.isna(v)]
            if not pts:
                continue
            color = LEVEL_STYLES.get(lv, ("#555555", "", ""))[0]
            dash = LEVEL_DASHES.get(lv, "1 2")
            path = " ".join(f"{a:.1f},{b:.1f}" for a, b in pts)
            out.append(f"<polyline points='{path}' fill='none' stroke='{color}' stroke-width='1.6'"
                       + (f" stroke-dasharray='{dash}'" if dash else "") + "/>")
            out.append(f"<circle cx='{pts[-1][0]:.1f}' cy='{pts[-1][1]:.1f}' r='2.2' fill='{color}'/>")
        out.append(f"<line x1='{left}' y1='{bottom}' x2='{width - right}' y2='{bottom}' stroke='#555' "
                   "stroke-width='0.8'/></svg>")
        charts.append(f"<div>{''.join(out)}</div>")
    legend = []
    for lv in levels:
        color = LEVEL_STYLES.get(lv, ("#555555", "", ""))[0]
        dash = LEVEL_DASHES.get(lv, "1 2")
        legend.append(f"<span><svg viewBox='0 0 24 6' width='24' height='6'><line x1='0' y1='3' x2='24' y2='3' "
                      f"stroke='{color}' stroke-width='1.6'" + (f" stroke-dasharray='{dash}'" if dash else "")
                      + f"/></svg> {_svg_text(level_label(ctx, lv))}</span>")
    legend.append(f"<span><svg viewBox='0 0 24 6' width='24' height='6'><line x1='0' y1='3' x2='24' y2='3' "
                  f"stroke='{STATUS_COLORS['red']}' stroke-width='1.1' stroke-dasharray='5 3'/></svg> Mục tiêu</span>")
    note = boundaries_note(ctx)
    title = (f"{ctx.unit_name(unit_id)}: các chỉ tiêu chính theo quý, {fmt.date(first.date())} – "
             f"{fmt.date(ctx.as_of)}" + (f" ({note})" if note else ""))
    body = f"<div class='cm-trends'>{''.join(charts)}</div><div class='cm-legend'>{''.join(legend)}</div>"
    return _figure(title, body, "cm-chart cm-trend")


def lagging_charts(ctx: ReportContext, unit_id: str = ALL, limit: int = 15) -> list[HTMLFragment]:
    """One :func:`ranking_bars` per level of the scope (its own unit left out): the headline indicator missed by
    the most units of that level (:func:`~cadre_lib.report.common.units_behind_by_level`), the worst units first.
    Levels where every unit meets every headline target get no chart."""
    out = []
    for level, _, _, indicator, _ in units_behind_by_level(ctx, unit_id):
        if indicator is not None:
            chart = ranking_bars(ctx, indicator, level, unit_id, limit)
            if chart is not None:
                out.append(chart)
    return out
