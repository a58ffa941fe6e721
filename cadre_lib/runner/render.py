"""How the runner turns an executed notebook into HTML and PDF, in-process.

A renderer is a context manager (entered once per run, so e.g. one Chromium serves every PDF) with
``html(nb) -> str`` and ``pdf(nb, path) -> None``. :class:`CadreRenderer` uses
:mod:`cadre_lib.render` (offline HTML, Chromium PDF), imported only when a run starts.
:class:`NbconvertRenderer` (plain nbconvert HTML, no PDF) serves tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

__all__ = ["CadreRenderer", "NbconvertRenderer", "Renderer", "default_renderer"]

@runtime_checkable
class Renderer(Protocol):
    def __enter__(self) -> Renderer: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def html(self, nb: Any) -> str: ...

    def pdf(self, nb: Any, path: Path, html: str | None = None) -> None:
        """Write ``nb`` as PDF at ``path``; ``html`` is the page :meth:`html` made for it, if any."""
        ...


class CadreRenderer:
    """``cadre_lib.render.to_html`` for HTML and one ``cadre_lib.render.PdfRenderer`` for every PDF
    of the run (started on entry only if PDF is among ``formats``)."""

    def __init__(self, formats: Iterable[str] = ("html", "pdf")) -> None:
        self.formats = set(formats)
        self._pdf: Any = None
        self._pdf_cm: Any = None
        self._to_html: Any = None

    def __enter__(self) -> CadreRenderer:
        from cadre_lib import render  # lazy: pulls nbconvert and playwright

        self._to_html = render.to_html
        if "pdf" in self.formats:
            self._pdf_cm = render.PdfRenderer()
            entered = self._pdf_cm.__enter__()
            self._pdf = entered if entered is not None else self._pdf_cm
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pdf_cm is not None:
            cm, self._pdf_cm, self._pdf = self._pdf_cm, None, None
            cm.__exit__(exc_type, exc, tb)

    def html(self, nb: Any) -> str:
        return str(self._to_html(nb))

    def pdf(self, nb: Any, path: Path, html: str | None = None) -> None:
        if self._pdf is None:
            raise RuntimeError("PDF was not requested when the renderer was started")
        if html is not None and hasattr(self._pdf, "render_html"):
            # print the HTML already made instead of converting the notebook a second time
            from cadre_lib.render.pdf import page_notes

            header, footer = page_notes(nb)
            self._pdf.render_html(html, path, header=header, footer=footer)
        else:
            self._pdf.render(nb, path)


class NbconvertRenderer:
    """nbconvert's HTMLExporter without code (like ``jupyter nbconvert --to html --no-input``).

    Not for leadership output: nbconvert's default template loads MathJax/require.js from a CDN.
    PDF is not supported (raises)."""

    def __init__(self, template_name: str = "lab") -> None:
        self.template_name = template_name
        self._exporter: Any = None

    def __enter__(self) -> NbconvertRenderer:
        from nbconvert import HTMLExporter

        self._exporter = HTMLExporter(
            template_name=self.template_name,
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._exporter = None

    def html(self, nb: Any) -> str:
        if self._exporter is None:
            self.__enter__()
        body, _ = self._exporter.from_notebook_node(nb)
        return str(body)

    def pdf(self, nb: Any, path: Path, html: str | None = None) -> None:
        raise NotImplementedError("NbconvertRenderer renders HTML only")


def default_renderer(formats: Iterable[str]) -> Renderer:
    """The leadership renderer: :class:`CadreRenderer` for ``formats``."""
    return CadreRenderer(formats)
