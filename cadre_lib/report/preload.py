"""Imported once by the runner's kernel "zygote" before it forks a fresh kernel per notebook: loads the
report modules (and pandas, numpy, the registry, the parameters' schema), so that every forked kernel starts
with them ready. It only imports; it starts no thread.

The report notebooks draw their charts as inline SVG (:func:`cadre_lib.report.charts.trend_lines`,
:func:`~cadre_lib.report.charts.ranking_bars`): matplotlib is neither preloaded nor imported by them, which
keeps the zygote's start and each kernel light. A notebook that draws with matplotlib still works (it imports it).
"""

from __future__ import annotations

from cadre_lib.report import charts, common, context, html, prose, sections, tables  # noqa: F401  (for the kernels)
