"""nbconvert exporters for the leadership reports.

* :class:`OfflineHTMLExporter` (``jupyter nbconvert --to cadre_html``): one self-contained HTML file, no code, no
  prompts, images embedded, nothing fetched from any network host (no require.js, MathJax, mermaid, widget
  loader, CDN fonts or CSS), ``lang="vi"``, UTF-8, text NFC-normalised.
* :class:`CadrePDFExporter` (``jupyter nbconvert --to cadre_pdf``): the same HTML printed to A4 by Debian's
  ``/usr/bin/chromium`` through Playwright (see :mod:`cadre_lib.render.pdf`).

Both use the template ``cadre_lib/render/templates/cadre_report`` (inherits nbconvert's ``lab``).
"""

from __future__ import annotations

import re
from typing import Any

from nbconvert.exporters import HTMLExporter, TemplateExporter, WebPDFExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets import Unicode, default
from traitlets.config import Config

from cadre_lib.core.text import nfc
from cadre_lib.render.templating import TEMPLATES_DIR

TEMPLATE_NAME = "cadre_report"

#: Cell tags understood by the exporters (besides ``page-break`` / ``keep-together``, handled in CSS).
REMOVE_CELL_TAGS = {"remove-cell", "remove_cell"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output"}

_ALT_VI = "Hình minh họa"  # images without an alt text of their own (the reports draw SVG with titles)
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)")


class OfflineHTMLExporter(HTMLExporter):
    """Self-contained, offline HTML report (exporter name ``cadre_html``)."""

    export_from_notebook = "Cadre report (HTML)"

    # Do not point nbconvert at any CDN, even if a template block somewhere still used these.
    @default("require_js_url")
    def _require_js_url_default(self) -> str:
        return ""

    @default("mathjax_url")
    def _mathjax_url_default(self) -> str:
        return ""

    @default("mermaid_js_url")
    def _mermaid_js_url_default(self) -> str:
        return ""

    @default("mermaid_layout_elk_js_url")
    def _mermaid_layout_elk_js_url_default(self) -> str:
        return ""

    @default("jquery_url")
    def _jquery_url_default(self) -> str:
        return ""

    @default("jupyter_widgets_base_url")
    def _jupyter_widgets_base_url_default(self) -> str:
        return ""

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(TEMPLATES_DIR), *super()._default_extra_template_basedirs()]

    @default("exclude_input")
    def _exclude_input_default(self) -> bool:
        return True

    @default("exclude_input_prompt")
    def _exclude_input_prompt_default(self) -> bool:
        return True

    @default("exclude_output_prompt")
    def _exclude_output_prompt_default(self) -> bool:
        return True

    @default("embed_images")
    def _embed_images_default(self) -> bool:
        return True

    @default("exclude_anchor_links")
    def _exclude_anchor_links_default(self) -> bool:
        return True

    @default("language_code")
    def _language_code_default(self) -> str:
        return "vi"

    @default("optimistic_validation")
    def _optimistic_validation_default(self) -> bool:
        # validate the notebook once after the preprocessors, not after each of them (a batch renders many)
        return True

    @property
    def default_config(self) -> Config:
        c = super().default_config.copy()
        c.merge(
            Config(
                {
                    "TagRemovePreprocessor": {
                        "enabled": True,
                        "remove_cell_tags": set(REMOVE_CELL_TAGS),
                        "remove_all_outputs_tags": set(REMOVE_OUTPUT_TAGS),
                    },
                    # No code is shown, so no Pygments stylesheet (lab's conf.json enables it; a child
                    # template's conf.json cannot switch it off because nbconvert merges parents last).
                    "CSSHTMLHeaderPreprocessor": {"enabled": False},
                    # Images as data: URIs in the page, never as side files.
                    "ExtractOutputPreprocessor": {"enabled": False},
                    "ExtractAttachmentsPreprocessor": {"enabled": False},
                }
            )
        )
        return c

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        # HTMLExporter's own from_notebook_node registers two filters, renders, then parses the whole page
        # with BeautifulSoup only to add an English alt text to images without one and focus attributes for
        # code cells (the reports have none): a quarter of a report's rendering time. The same filters, the
        # template, and a Vietnamese alt text instead.
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type",
                             WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                   resources=resources))
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        html = _IMG_WITHOUT_ALT.sub(f'<img alt="{_ALT_VI}"', html)
        return nfc(html), resources


class CadrePDFExporter(WebPDFExporter):
    """A4 PDF of :class:`OfflineHTMLExporter`'s HTML, printed by Debian's Chromium (exporter ``cadre_pdf``).

    Playwright's own browser download is never used: the browser is ``chromium_path`` (default
    ``$CADRE_CHROMIUM`` or ``/usr/bin/chromium``). Page numbers "Trang X/Y" in the footer; optional per-page
    header/footer notes from ``nb.metadata["cadre"]["page_header" | "page_footer"]``.
    """

    export_from_notebook = "Cadre report (PDF)"

    chromium_path = Unicode(
        "", help="Chromium executable (default: $CADRE_CHROMIUM or /usr/bin/chromium)."
    ).tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return TEMPLATE_NAME

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self) -> list[str]:
        return [str(TEMPLATES_DIR), *super()._default_extra_template_basedirs()]

    def from_notebook_node(  # type: ignore[override]
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[bytes, dict[str, Any]]:
        from cadre_lib.render.pdf import PdfRenderer, page_notes  # here: keeps `--to cadre_html` light

        html_exporter = OfflineHTMLExporter(parent=self, config=self.config)
        html, resources = html_exporter.from_notebook_node(nb, resources=resources, **kw)
        header, footer = page_notes(nb)
        self.log.info("Building PDF with Chromium")
        with PdfRenderer(
            chromium_path=self.chromium_path or None,
            extra_args=list(self.browser_args),
            settle_ms=self.page_render_timeout,
        ) as renderer:
            pdf_data = renderer.pdf_bytes(html, header=header, footer=footer)
        resources["output_extension"] = self.file_extension
        self.log.info("PDF successfully created")
        return pdf_data, resources
