"""HTML pieces of the reports: escaping, the stylesheet, tables, fragments, headings, and ``show``.

Nothing here knows a report context: these are the bricks the table and prose sections (and the explorer's
views) are built with. Text is NFC and HTML-escaped through :mod:`cadre_lib.core.text`.

The classes the fragments use (``cm-*`` and the status classes ``st-*``) are styled by
``cadre_lib/report/static/report.css``; :func:`style_tag` inlines it (the report header carries it, so an executed
notebook keeps its look in any viewer, with or without the nbconvert template).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from cadre_lib.core.scope import SAMPLE_BAND
from cadre_lib.core.text import escape, nfc

#: CSS class of a table cell per status.
STATUS_CLASS = {"green": "st-green", "amber": "st-amber", "red": "st-red", "none": "st-none"}


@cache
def stylesheet(package: str = "cadre_lib.report", name: str = "report.css") -> str:
    """A stylesheet shipped as package data (``<package>/static/<name>``)."""
    return resources.files(package).joinpath("static", name).read_text(encoding="utf-8")


def style_tag(package: str = "cadre_lib.report", name: str = "report.css") -> str:
    """The stylesheet as an inline ``<style>`` element (no link: reports are self-contained)."""
    return f"<style>\n{stylesheet(package, name)}</style>"


def sample_band() -> str:
    """The red band of a report or view built from sample data."""
    return f"<div class='cm-band'>{SAMPLE_BAND}</div>"


def note(text: str) -> str:
    """A small italic note (a paragraph), escaped."""
    return f"<p class='cm-note'>{escape(text)}</p>"


def table_html(headers: Sequence[str], rows: Iterable[Sequence[Any]], num_cols: Iterable[int] = (),
               cell_class: dict[tuple[int, int], str] | None = None) -> str:
    """A ``table.cm``: headers, rows of cells (escaped), right-aligned number columns, classes per (row, column)."""
    nums = set(num_cols)
    classes = cell_class or {}
    out = ["<table class='cm'><thead><tr>", *(f"<th>{escape(h)}</th>" for h in headers), "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        out.append("<tr>")
        for j, v in enumerate(row):
            cls = " ".join(c for c in (("num" if j in nums else ""), classes.get((i, j), "")) if c)
            out.append(f"<td class='{cls}'>{escape(v)}</td>" if cls else f"<td>{escape(v)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


class HTMLFragment:
    """Displayed as HTML by Jupyter (and nbconvert), printed as text elsewhere."""

    def __init__(self, text: str):
        self.text = nfc(text)

    def _repr_html_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def heading(text: str, level: int = 4) -> HTMLFragment:
    return HTMLFragment(f"<h{level}>{escape(text)}</h{level}>")


def show(*items: Any) -> None:
    """Display fragments and figures in a notebook (figures are closed after display, so nothing leaks
    into the next cell). ``None`` items (a chart with no data) are skipped."""
    from IPython.display import Image, display

    for item in items:
        if item is None:
            continue
        if hasattr(item, "savefig"):
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
