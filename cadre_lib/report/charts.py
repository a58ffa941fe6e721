"""One matplotlib style for every report chart.

In a notebook::

    from cadre_lib.report.charts import apply_style, STATUS_COLORS, STATUS_HATCHES, status_style
    apply_style()
    ax.bar(x, y, **status_style("red"))

``apply_style`` only sets rcParams: it never selects a backend (``matplotlib.use("agg")`` in a notebook kernel
replaces the inline backend and the charts vanish from the report).

Status colours are Okabe-Ito (safe for the common colour-vision deficiencies); each status also has a hatch so
bars stay distinguishable on a grey-scale printer. Keep them in step with the ``.status-*`` classes in
``templates/cadre_report/static/cadre_report.css``.
"""

from __future__ import annotations

from typing import Any, cast

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

#: Words used in the reports for each status.
STATUS_LABELS: dict[str, str] = {
    "green": "Đạt",
    "amber": "Gần đạt",
    "red": "Chưa đạt",
    "none": "Chưa có mục tiêu",
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


def _register_system_fonts() -> None:
    """Make sure matplotlib knows the Noto fonts even if its font cache predates their installation."""
    from matplotlib import font_manager  # noqa: PLC0415

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
    from cycler import cycler  # noqa: PLC0415 (matplotlib dependency)

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
    import matplotlib as mpl  # noqa: PLC0415

    _register_system_fonts()
    mpl.rcParams.update(cast(Any, rc_params(dpi)))
