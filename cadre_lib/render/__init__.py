"""Rendering of executed report notebooks for leadership: offline HTML and A4 PDF.

API
    ``to_html(nb, *, resources=None) -> str``
        Self-contained HTML (no code, no prompts, images embedded, no network reference, NFC, UTF-8).
    ``to_pdf(nb, out_path) -> None``
        The same page printed to A4 PDF by Debian's ``/usr/bin/chromium`` (one browser start per call).
    ``PdfRenderer``
        Context manager keeping one Chromium alive for a batch::

            with PdfRenderer() as r:
                for nb, path in reports:
                    r.render(nb, path)           # or r.render_html(html, path) if you have the HTML

nbconvert: ``jupyter nbconvert --to cadre_html nb.ipynb`` / ``--to cadre_pdf`` (entry points in pyproject.toml).
Per-page notes in the PDF come from ``nb.metadata["cadre"]["page_header"]`` / ``["page_footer"]``.
Templates are data files under ``cadre_lib/render/templates/``: ``cadre_report/`` (the nbconvert template
of the reports), ``portal/`` (a run's index.html, rendered by :mod:`cadre_lib.runner.portal`) and ``pdf/``
(the page header and footer); see :mod:`cadre_lib.render.templating`.
Chart style for the notebooks: :func:`cadre_lib.report.charts.apply_style`.
"""

from __future__ import annotations

import pathlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat

    from cadre_lib.render.exporters import CadrePDFExporter, OfflineHTMLExporter
    from cadre_lib.render.pdf import ChromiumNotFound, PdfRenderer, chromium_executable

# Exporters import nbconvert (about 2 s): loaded on first use, so that notebooks importing only
# ``cadre_lib.report.charts`` stay fast (PEP 562).
_LAZY = {
    "CadrePDFExporter": "exporters",
    "OfflineHTMLExporter": "exporters",
    "ChromiumNotFound": "pdf",
    "PdfRenderer": "pdf",
    "chromium_executable": "pdf",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "CadrePDFExporter",
    "ChromiumNotFound",
    "OfflineHTMLExporter",
    "PdfRenderer",
    "chromium_executable",
    "to_html",
    "to_pdf",
]

_local = threading.local()


def _html_exporter() -> OfflineHTMLExporter:
    from cadre_lib.render.exporters import OfflineHTMLExporter

    # Building an exporter (template lookup, Jinja environment) costs more than rendering a small report, and
    # exporters keep per-call state, so: one per thread.
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        exporter = _local.exporter = OfflineHTMLExporter()
    return exporter


def to_html(nb: nbformat.NotebookNode, *, resources: dict[str, Any] | None = None) -> str:
    """Executed notebook → self-contained offline HTML report (a ``str``; write it with ``encoding="utf-8"``).

    ``resources`` is passed to nbconvert (e.g. ``{"metadata": {"name": "overview"}}`` sets the default
    ``<title>``; ``nb.metadata["title"]`` wins). The notebook is not modified.
    """
    html, _ = _html_exporter().from_notebook_node(nb, resources=resources)
    return html


def to_pdf(nb: nbformat.NotebookNode, out_path: pathlib.Path) -> None:
    """Executed notebook → A4 PDF at ``out_path``. For many notebooks use one :class:`PdfRenderer`."""
    from cadre_lib.render.pdf import PdfRenderer

    with PdfRenderer() as renderer:
        renderer.render(nb, out_path)
