"""HTML → A4 PDF with Debian's Chromium, driven by Playwright (no Playwright browser download).

:class:`PdfRenderer` keeps one browser alive so a batch of reports costs one browser start-up. All Playwright
calls run on one private worker thread (Playwright's sync objects belong to the thread that made them), so the
renderer also works when the caller has an asyncio loop running (Jupyter, papermill) and may be shared between
threads: renders are serialised.

Offline by construction: the browser starts with background networking off, each page lives in an ``offline``
context with JavaScript disabled, and every request that is not a ``data:`` URI is aborted and recorded in
:attr:`PdfRenderer.blocked_requests`.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cadre_lib.core.files import atomic_write
from cadre_lib.render.templating import render_template

log = logging.getLogger(__name__)

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ENV = "CADRE_CHROMIUM"

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

#: Page margins; keep in step with ``@page`` in render/templates/cadre_report/static/cadre_report.css.
MARGINS = {"top": "20mm", "right": "15mm", "bottom": "20mm", "left": "30mm"}
#: Header and footer printed on every page (a template: Chromium renders them apart from the page).
PAGE_NOTES_TEMPLATE = "pdf/page_notes.html.j2"


class ChromiumNotFound(RuntimeError):
    """The Chromium executable is missing (install the Debian package ``chromium``)."""


def chromium_executable(path: str | os.PathLike[str] | None = None) -> str:
    """The Chromium to use: ``path``, else ``$CADRE_CHROMIUM``, else ``/usr/bin/chromium``; must exist."""
    candidate = str(path or os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)
    resolved = candidate if os.path.isabs(candidate) else shutil.which(candidate)
    if not resolved or not os.access(resolved, os.X_OK):
        raise ChromiumNotFound(
            f"Chromium not found at {candidate!r}: install the Debian package 'chromium' "
            f"(apt-get install chromium fonts-noto-core fonts-noto-mono) or set ${CHROMIUM_ENV}."
        )
    return resolved


def page_notes(nb: Any) -> tuple[str | None, str | None]:
    """Per-page header/footer notes of a notebook: ``nb.metadata["cadre"]["page_header" | "page_footer"]``.

    Typical values: header ``"DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ"``, footer
    ``"Tạo tự động từ sổ theo dõi ngày 31/12/2024"``.
    """
    meta = (getattr(nb, "metadata", None) or {}).get("cadre") or {}
    header = meta.get("page_header") or None
    footer = meta.get("page_footer") or None
    return header, footer


def header_template(note: str | None) -> str:
    """Chromium's ``headerTemplate``: ``note`` centred on every page (an empty element if none)."""
    return render_template(PAGE_NOTES_TEMPLATE, part="header", note=note, margins=MARGINS)


def footer_template(note: str | None) -> str:
    """Chromium's ``footerTemplate``: ``note`` on the left, "Trang X/Y" on the right."""
    return render_template(PAGE_NOTES_TEMPLATE, part="footer", note=note, margins=MARGINS)


class PdfRenderer:
    """One Chromium for many PDFs.

    >>> with PdfRenderer() as r:                        # doctest: +SKIP
    ...     for nb, path in reports:
    ...         r.render(nb, path)

    ``render`` converts a notebook (through :func:`cadre_lib.render.to_html`); ``render_html`` prints HTML you
    already have (the runner writes the HTML report anyway); ``pdf_bytes`` returns the PDF.
    """

    def __init__(
        self,
        *,
        chromium_path: str | os.PathLike[str] | None = None,
        extra_args: Iterable[str] = (),
        timeout_s: float = 120.0,
        settle_ms: int = 0,
    ) -> None:
        self.chromium_path = chromium_executable(chromium_path)
        self.args = [*CHROMIUM_ARGS, *(a for a in extra_args if a not in CHROMIUM_ARGS)]
        self.timeout_ms = timeout_s * 1000
        self.settle_ms = settle_ms
        self.blocked_requests: list[str] = []
        self.pages_rendered = 0
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._pw: Any = None
        self._browser: Any = None
        self._context: Any = None
        self._page: Any = None

    # ---- lifecycle -----------------------------------------------------------------------------------------

    def __enter__(self) -> PdfRenderer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cadre-pdf")
        self._call(self._ensure_browser)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        try:
            executor.submit(self._shutdown).result()
        finally:
            executor.shutdown(wait=True)

    def _call(self, fn: Any, *args: Any) -> Any:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cadre-pdf")
            executor = self._executor
        return executor.submit(fn, *args).result()

    # ---- worker-thread side -------------------------------------------------------------------------------

    def _ensure_browser(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        if self._browser is not None:
            log.warning("Chromium went away; starting it again")
            self._shutdown()
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(
                executable_path=self.chromium_path,
                args=self.args,
                headless=True,
                handle_sigint=False,
                handle_sigterm=False,
                handle_sighup=False,
            )
            self._context = self._browser.new_context(
                offline=True, java_script_enabled=False, service_workers="block"
            )
            self._context.set_default_timeout(self.timeout_ms)
            self._context.route("**/*", self._block)
        except BaseException:
            self._shutdown()
            raise

    def _block(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("data:"):
            route.continue_()
            return
        self.blocked_requests.append(url)
        log.warning("blocked a network request while printing a report: %s", url[:200])
        route.abort("blockedbyclient")

    def _shutdown(self) -> None:
        for obj, method in ((self._context, "close"), (self._browser, "close"), (self._pw, "stop")):
            if obj is not None:
                try:
                    getattr(obj, method)()
                except Exception as exc:  # best effort at shutdown
                    log.debug("ignoring %s.%s() failure: %s", type(obj).__name__, method, exc)
        self._page = self._context = self._browser = self._pw = None

    def _print(self, html: str, header: str | None, footer: str | None) -> bytes:
        self._ensure_browser()
        # One tab for every report: opening a tab costs 0.2-0.5 s (a new renderer process), more than printing
        # a report. Nothing leaks from one report to the next: JavaScript is off and set_content replaces the
        # whole document.
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
            self._page.emulate_media(media="print")
        page = self._page
        try:
            page.set_content(html, wait_until="load")
            if self.settle_ms:
                page.wait_for_timeout(self.settle_ms)
            data: bytes = page.pdf(
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=header_template(header),
                footer_template=footer_template(footer),
                margin=MARGINS,
            )
        except BaseException:
            self._page = None
            try:
                page.close()
            except Exception as exc:  # the page may be gone with the browser
                log.debug("ignoring page.close() failure: %s", exc)
            raise
        self.pages_rendered += 1
        return data

    # ---- public API ---------------------------------------------------------------------------------------

    def pdf_bytes(self, html: str, *, header: str | None = None, footer: str | None = None) -> bytes:
        """Print ``html`` (a complete, self-contained page) to A4 PDF; ``header``/``footer``: notes per page."""
        return self._call(self._print, html, header, footer)

    def render_html(self, html: str, out_path: str | os.PathLike[str], *, header: str | None = None,
                    footer: str | None = None) -> Path:
        out = Path(out_path)
        data = self.pdf_bytes(html, header=header, footer=footer)
        atomic_write(out, lambda tmp: tmp.write_bytes(data))
        return out

    def render(self, nb: Any, out_path: str | os.PathLike[str], *,
               resources: Mapping[str, Any] | None = None) -> Path:
        """Notebook → PDF at ``out_path`` (same HTML as :func:`cadre_lib.render.to_html`)."""
        from cadre_lib.render import to_html  # here: circular at import time

        header, footer = page_notes(nb)
        html = to_html(nb, resources=dict(resources) if resources is not None else None)
        return self.render_html(html, out_path, header=header, footer=footer)
