"""``index.html``: the leadership portal of a run, in Vietnamese.

One self-contained page (inline CSS, no script, no font or image from any network host: leadership
machines are offline): an optional scorecard given by the caller as plain data (one row per report,
one column per figure, each cell a text, a status word and a status colour; a filter by group made of
radio buttons and CSS), then every report with its scope, status, links to HTML and PDF, and
generation time. Reports built from sample data carry a prominent band saying so. The page and its
stylesheet are the template ``cadre_lib/render/templates/portal/`` (index.html.j2, portal.css).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from cadre_lib.core.scope import SAMPLE_BAND
from cadre_lib.render.templating import render_template
from cadre_lib.runner.config import DEFAULT_TITLE, FORMATS
from cadre_lib.runner.models import ReportResult

__all__ = ["DEFAULT_TITLE", "SAMPLE_BAND", "TEMPLATE", "format_date", "render_index", "scorecard_view"]

TEMPLATE = "portal/index.html.j2"


def format_date(value: date | None) -> str:
    """Vietnamese style: 31/12/2024."""
    return value.strftime("%d/%m/%Y") if value else ""


def _format_when(iso: str) -> str:
    """``2026-11-01T06:01:05+07:00`` -> ``06:01 01/11/2026``; '' if unknown."""
    if not iso:
        return ""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return when.strftime("%H:%M %d/%m/%Y")


def _row(i: int, r: ReportResult) -> dict[str, Any]:
    detail = ""
    if not r.ok and r.error:
        detail = r.error.summary()
        if r.error.cell_index is not None:
            # people count cells from 1 (the manifest keeps the 0-based index)
            detail = detail.replace(f"(cell {r.error.cell_index})", f"(ô lệnh thứ {r.error.cell_index + 1})")
    return {
        "index": i,
        "ok": r.ok,
        "name": r.job.name,
        "scope": r.job.scope,
        "detail": detail,
        "notebook": r.notebook if not r.ok else None,
        "html": r.html,
        "pdf": r.pdf,
        "when": _format_when(r.finished_at),
    }


#: Status keys a scorecard cell may carry (anything else is shown without colour).
STATUSES = ("green", "amber", "red", "none")


def scorecard_view(scorecard: Mapping[str, Any] | None, reports: Sequence[ReportResult]) -> dict[str, Any] | None:
    """The caller's scorecard made ready for the template: each row's ``report`` (an output stem) becomes a
    link to that report (HTML, else PDF; none if it failed), each group a small index for the filter's ids.

    Expected shape (all plain data): ``title``, ``columns`` (headers), optional ``column_titles`` (tooltips),
    ``groups`` (``key``, ``label``), optional ``total`` (a row always shown first), ``rows`` (``name``, ``group``,
    ``report``, ``cells``: ``text``, ``word``, ``status``), optional ``note``."""
    if not scorecard:
        return None
    links = {r.job.output_stem: (r.html or r.pdf) for r in reports if r.ok}
    index = {str(g["key"]): i for i, g in enumerate(scorecard.get("groups", []), start=1)}

    def row(r: Mapping[str, Any]) -> dict[str, Any]:
        cells = [{"text": c.get("text", ""), "word": c.get("word", ""),
                  "status": c.get("status") if c.get("status") in STATUSES else "none"} for c in r.get("cells", [])]
        return {"name": r.get("name", ""), "group": index.get(str(r.get("group")), 0),
                "group_label": r.get("group_label", ""), "href": links.get(str(r.get("report", ""))), "cells": cells}

    columns = list(scorecard.get("columns", []))
    titles = list(scorecard.get("column_titles", columns))
    return {
        "title": scorecard.get("title", ""),
        "columns": [{"label": c, "title": t} for c, t in zip(columns, titles, strict=False)],
        "groups": [{"index": i, "label": g.get("label", g["key"])}
                   for i, g in enumerate(scorecard.get("groups", []), start=1)],
        "total": row(scorecard["total"]) if scorecard.get("total") else None,
        "rows": [row(r) for r in scorecard.get("rows", [])],
        "note": scorecard.get("note", ""),
    }


def render_index(
    *,
    reports: Sequence[ReportResult],
    run_id: str,
    generated_at: datetime,
    as_of: date | None = None,
    title: str = DEFAULT_TITLE,
    sample_data: bool = False,
    formats: set[str] | frozenset[str] = frozenset(FORMATS),
    version: str | None = None,
    scorecard: Mapping[str, Any] | None = None,
) -> str:
    """The portal page as a string (UTF-8 HTML5); ``scorecard``: see :func:`scorecard_view`."""
    n_bad = sum(1 for r in reports if not r.ok)
    return render_template(
        TEMPLATE,
        title=title,
        run_id=run_id,
        generated_time=generated_at.strftime("%H:%M"),
        generated_date=format_date(generated_at.date()),
        as_of=format_date(as_of),
        sample_band=SAMPLE_BAND if sample_data else "",
        made_by="cadre-monitor" + (f" {version}" if version else ""),
        formats=set(formats),
        summary={"n": len(reports), "ok": len(reports) - n_bad, "failed": n_bad},
        rows=[_row(i, r) for i, r in enumerate(reports, start=1)],
        scorecard=scorecard_view(scorecard, reports),
    )
