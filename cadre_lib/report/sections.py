"""The sections of the Vietnamese monitoring reports, as the notebooks call them
(``from cadre_lib.report import load_context, sections as S``).

Nothing is defined here: each section lives with its kind and this module gathers them under one name.

- :mod:`~cadre_lib.report.tables`: scorecard, not_met, deadlines, compliance, changes, unit_table, comparison,
  quality_summary, boundary_quality, completeness, quality_by_unit, method, provenance, action_lists (analyst only);
- :mod:`~cadre_lib.report.prose`: header, page_marks, summary (TÓM TẮT), findings (ranked), all_findings,
  finding_sentences, recommendations;
- :mod:`~cadre_lib.report.charts`: trend_lines, ranking_bars, lagging_charts (inline SVG, what the notebooks draw);
- :mod:`~cadre_lib.report.html`: table_html, HTMLFragment, heading, show;
- :mod:`~cadre_lib.report.common`: level_label, scope_levels, check_unit.

No section computes indicators itself (they come from the :class:`~cadre_lib.report.context.ReportContext`).
Leadership output names no individual: the only section that shows people is :func:`action_lists`, which refuses
unless the audience is ``analyst``.
"""

from __future__ import annotations

from cadre_lib.report.charts import (
    lagging_charts,
    ranking_bars,
    trend_lines,
)
from cadre_lib.report.common import check_unit, level_label, scope_levels
from cadre_lib.report.html import HTMLFragment, heading, show, table_html
from cadre_lib.report.prose import (
    all_findings,
    finding_sentences,
    findings,
    header,
    page_marks,
    recommendations,
    summary,
)
from cadre_lib.report.tables import (
    action_lists,
    boundary_quality,
    changes,
    comparison,
    completeness,
    compliance,
    deadlines,
    method,
    not_met,
    provenance,
    quality_by_unit,
    quality_summary,
    scorecard,
    unit_table,
)

__all__ = [
    "HTMLFragment", "action_lists", "all_findings", "boundary_quality", "changes", "check_unit", "comparison",
    "completeness", "compliance", "deadlines", "finding_sentences", "findings", "header", "heading", "lagging_charts",
    "level_label", "method", "not_met", "page_marks", "provenance", "quality_by_unit", "quality_summary",
    "ranking_bars", "recommendations", "scope_levels", "scorecard", "show", "summary", "table_html",
    "trend_lines", "unit_table",
]
