"""Report building blocks shared by the notebooks: the computed context (:mod:`~cadre_lib.report.context`) and the
sections (:mod:`~cadre_lib.report.sections`, gathering :mod:`~cadre_lib.report.tables`,
:mod:`~cadre_lib.report.prose`, :mod:`~cadre_lib.report.charts` and :mod:`~cadre_lib.report.html`)."""

from cadre_lib.report.context import ReportContext, build_context, load_context

__all__ = ["ReportContext", "build_context", "load_context"]
