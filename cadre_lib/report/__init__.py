"""Report building blocks shared by the notebooks: the computed context and the sections."""

from cadre_lib.report.context import ReportContext, build_context, load_context

__all__ = ["ReportContext", "build_context", "load_context"]
