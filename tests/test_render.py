"""Rendering: offline HTML, A4 PDF through Debian's Chromium, nbconvert entry points, chart style.

The PDF tests need the Debian packages chromium, poppler-utils (pdftotext, pdfinfo, pdffonts) and
fonts-noto-core / fonts-noto-mono; `make setup` installs them. They fail, not skip, when those are missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from cadre_lib.render import ChromiumNotFound, PdfRenderer, to_html, to_pdf
from cadre_lib.render.pdf import DEFAULT_CHROMIUM

SENTENCE = "Tỷ lệ cán bộ trẻ trong quy hoạch cấp xã đạt 27,3%"
CHART_TITLE = "Cấp xã: 1/2 đơn vị chưa đạt mục tiêu cán bộ trẻ trong quy hoạch"
CODE_MARKER = "frame_for_report"  # a name that only appears in the code cells

TABLE_CELL = """\
import pandas as pd
frame_for_report = pd.DataFrame(
    {"Đơn vị": ["Xã Xuân Quan", "Xã Phụng Công"], "Tỷ lệ (%)": ["27,3", "31,0"], "Đánh giá": ["Chưa đạt", "Đạt"]}
)
frame_for_report  # displayed through its HTML repr, as an execute_result (would carry an "Out[1]:" prompt)
"""

CHART_CELL = f"""\
import matplotlib.pyplot as plt
from cadre_lib.report.charts import apply_style, status_style
apply_style()
fig, ax = plt.subplots()
for name, value, status in [("Xuân Quan", 27.3, "red"), ("Phụng Công", 31.0, "green")]:
    ax.bar(name, value, **status_style(status))
ax.axhline(30, linestyle="--", color="black")
ax.set_title("{CHART_TITLE}")
ax.set_ylabel("Tỷ lệ (%)")
plt.show()
"""


# ---- fixtures ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("render")


@pytest.fixture(scope="module")
def executed_nb(workdir: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = "Báo cáo thử nghiệm"
    nb.cells = [
        # Decomposed (NFD) on purpose, as text pasted from some Vietnamese keyboards arrives: output must be NFC.
        nbformat.v4.new_markdown_cell(
            unicodedata.normalize("NFD", f"# Báo cáo theo dõi\n\n{SENTENCE} (mục tiêu 30%), chưa đạt.")
        ),
        nbformat.v4.new_code_cell(TABLE_CELL),
        nbformat.v4.new_code_cell(CHART_CELL),
    ]
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()
    nbformat.write(nb, workdir / "fixture.ipynb")
    return nb


@pytest.fixture(scope="module")
def html(executed_nb: nbformat.NotebookNode) -> str:
    return to_html(executed_nb)


@pytest.fixture(scope="module")
def renderer():
    assert Path(DEFAULT_CHROMIUM).exists(), "Debian's chromium is required (make setup installs it)"
    with PdfRenderer() as r:
        yield r


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is required (Debian package poppler-utils; make setup installs it)"
    return path


def pdf_text(pdf: Path) -> str:
    out = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True,
                         encoding="utf-8", check=True).stdout
    return " ".join(out.split())


def pdf_page_size(pdf: Path) -> tuple[float, float]:
    out = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", out)
    assert m, out
    return float(m.group(1)), float(m.group(2))


# ---- HTML ----------------------------------------------------------------------------------------------------

URL_ATTRS = {"src", "href", "srcset", "data", "poster", "action", "formaction", "background", "xlink:href",
             "manifest", "codebase", "cite", "longdesc", "ping"}
_REMOTE = re.compile(r"(?i)\b(?:https?|ftp|wss?):|^\s*//")
_CSS_REMOTE = re.compile(r"""(?i)@import\s+(?:url\()?\s*['"]?\s*(?!data:)[^'")\s;]+|url\(\s*['"]?\s*(?:https?:|//)""")


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.remote: list[str] = []
        self.scripts_with_src: list[str] = []
        self.links: list[str] = []
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            value = value or ""
            if name in URL_ATTRS and _REMOTE.search(value):
                self.remote.append(f"<{tag} {name}={value[:80]}>")
            if name == "style":
                self.css.append(value)
        if tag == "script" and any(n == "src" for n, _ in attrs):
            self.scripts_with_src.append(str(attrs))
        if tag == "link":
            self.links.append(str(attrs))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)


def network_references(page: str) -> list[str]:
    """Everything in the page that would make a browser contact a host."""
    scan = _Scan()
    scan.feed(page)
    found = scan.remote + [f"<script src> {s}" for s in scan.scripts_with_src]
    found += [f"<link> {s}" for s in scan.links]
    for css in scan.css:
        found += [f"css {m.group(0)[:80]}" for m in _CSS_REMOTE.finditer(css)]
    return found


def test_html_is_offline(html: str) -> None:
    assert network_references(html) == []
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    # Belt and braces: no http(s) reference in any src/href attribute or CSS url()/@import, however quoted.
    assert not re.search(r"""(?i)\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html)
    assert not re.search(r"(?i)url\(\s*['\"]?\s*(?:https?:)?//", html)
    assert "@import" not in html
    assert "mathjax" not in html.lower() and "require.js" not in html.lower()
    assert "widget-state" not in html


def test_network_reference_check_catches_cdn_resources() -> None:
    """The checker itself: each kind of remote reference is reported."""
    bad = [
        '<script src="https://cdn.example/require.js"></script>',
        '<link rel="stylesheet" href="https://fonts.example/css">',
        '<img src="//cdn.example/a.png">',
        '<style>@import "https://fonts.example/x.css";</style>',
        '<style>body { background: url(https://cdn.example/bg.png) }</style>',
        '<div style="background-image: url(\'http://x.example/a.png\')"></div>',
    ]
    for snippet in bad:
        assert network_references(snippet), snippet
    assert network_references('<img src="data:image/png;base64,AAAA"><a href="#muc-1">I.</a>') == []


def test_html_has_no_code_and_no_prompts(html: str) -> None:
    assert CODE_MARKER not in html
    assert "import pandas" not in html and "plt.subplots" not in html
    assert "jp-InputArea-editor" not in html
    assert "In&nbsp;[" not in html and "In [" not in html and "Out[" not in html


def test_html_vietnamese_nfc_utf8_and_embedded_image(html: str) -> None:
    assert unicodedata.is_normalized("NFC", html)
    assert SENTENCE in html  # the markdown source was NFD
    assert "Xã Phụng Công" in html  # table from the DataFrame
    assert re.search(r'<meta charset="utf-8"\s*/?>', html, re.I)
    assert '<html lang="vi">' in html
    assert "<title>Báo cáo thử nghiệm</title>" in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,[A-Za-z0-9+/]{1000,}', html)
    # A working paper, not a notebook: our stylesheet with A4 print rules, not JupyterLab's.
    assert "size: A4" in html and "break-inside: avoid" in html
    assert "--jp-icon-" not in html


def test_to_html_leaves_notebook_untouched(executed_nb: nbformat.NotebookNode) -> None:
    before = nbformat.writes(executed_nb)
    to_html(executed_nb)
    assert nbformat.writes(executed_nb) == before


def test_remove_tags_and_javascript_outputs_dropped() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("Giữ lại", metadata={"tags": ["page-break"]}),
        nbformat.v4.new_markdown_cell("Bỏ đi", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"application/javascript": "fetch('https://x.example')", "text/plain": "js"})]),
    ]
    page = to_html(nb)
    assert "Giữ lại" in page and "celltag_page-break" in page
    assert "Bỏ đi" not in page
    assert "fetch(" not in page and "<script" not in page


PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def test_chart_alt_text_is_escaped() -> None:
    alt = 'Tỷ lệ <b>"đạt"</b> & <script>x</script>'
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": PNG_1PX}, metadata={"image/png": {"alt": alt}})]),
        nbformat.v4.new_code_cell("y", outputs=[nbformat.v4.new_output("display_data", data={"image/png": PNG_1PX})]),
    ]
    page = to_html(nb)

    class Images(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.attrs: list[dict[str, str | None]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                self.attrs.append(dict(attrs))

    parser = Images()
    parser.feed(page)
    assert [sorted(a) for a in parser.attrs] == [["alt", "src"], ["alt", "src"]]  # markup did not leak out
    assert [a["alt"] for a in parser.attrs] == [alt, "Biểu đồ"]
    assert "<b>" not in page and "<script" not in page


# ---- PDF -----------------------------------------------------------------------------------------------------


def test_chromium_is_installed() -> None:
    assert Path(DEFAULT_CHROMIUM).exists(), "Debian's chromium is required for PDF (make setup installs it)"


def test_pdf_text_page_size_and_fonts(executed_nb: nbformat.NotebookNode, workdir: Path,
                                      renderer: PdfRenderer) -> None:
    executed_nb.metadata["cadre"] = {"page_header": "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ",
                                     "page_footer": "Tạo tự động từ sổ theo dõi ngày 31/12/2024"}
    try:
        out = renderer.render(executed_nb, workdir / "report.pdf")
    finally:
        del executed_nb.metadata["cadre"]
    assert out.read_bytes().startswith(b"%PDF-")
    text = pdf_text(out)
    assert SENTENCE in text
    assert "Xã Phụng Công" in text and "Chưa đạt" in text
    assert "Trang 1/1" in text
    assert "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ" in text
    assert "Tạo tự động từ sổ theo dõi ngày 31/12/2024" in text
    assert CODE_MARKER not in text
    width, height = pdf_page_size(out)
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5, (width, height)  # A4 portrait
    fonts = subprocess.run([_tool("pdffonts"), str(out)], capture_output=True, text=True, check=True).stdout
    assert "NotoSans" in fonts, fonts  # fonts-noto-core installed and used
    assert renderer.blocked_requests == []


def test_renderer_reused_and_blocks_network(workdir: Path, renderer: PdfRenderer) -> None:
    before = renderer.pages_rendered
    page = ('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
            '<p>Còn 14/41 cán bộ trẻ chưa được bồi dưỡng.</p>'
            '<img src="https://cdn.invalid/x.png" alt=""></body></html>')
    first = renderer.render_html(page, workdir / "a.pdf")
    second = renderer.render_html(page, workdir / "sub" / "b.pdf")
    assert renderer.pages_rendered == before + 2
    assert "Còn 14/41 cán bộ trẻ chưa được bồi dưỡng." in pdf_text(first)
    assert second.exists()
    assert any("cdn.invalid" in url for url in renderer.blocked_requests)
    renderer.blocked_requests.clear()


def test_to_pdf_one_off(executed_nb: nbformat.NotebookNode, workdir: Path) -> None:
    out = workdir / "one-off.pdf"
    to_pdf(executed_nb, out)
    assert SENTENCE in pdf_text(out)


def test_missing_chromium_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ChromiumNotFound, match="chromium"):
        PdfRenderer(chromium_path=tmp_path / "no-such-chromium")


# ---- nbconvert command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, suffix", [("cadre_html", ".html"), ("cadre_pdf", ".pdf")])
def test_jupyter_nbconvert_entry_points(executed_nb: nbformat.NotebookNode, workdir: Path, tmp_path: Path,
                                        fmt: str, suffix: str) -> None:
    if fmt == "cadre_pdf":
        assert Path(DEFAULT_CHROMIUM).exists(), "Debian's chromium is required (make setup installs it)"
    src = workdir / "fixture.ipynb"
    proc = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", fmt, str(src), "--output-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / f"fixture{suffix}"
    assert out.exists(), proc.stderr
    if suffix == ".html":
        page = out.read_text(encoding="utf-8")
        assert SENTENCE in page and CODE_MARKER not in page
        assert network_references(page) == []
    else:
        assert SENTENCE in pdf_text(out)


# ---- chart style ---------------------------------------------------------------------------------------------


def test_mpl_style() -> None:
    import matplotlib
    from matplotlib import font_manager

    from cadre_lib.report.charts import STATUS_COLORS, STATUS_HATCHES, apply_style, status_style

    backend = matplotlib.get_backend()
    apply_style()
    assert matplotlib.get_backend() == backend  # never switches backend (would drop inline images)
    rc = matplotlib.rcParams
    assert rc["font.sans-serif"][:2] == ["Noto Sans", "DejaVu Sans"]
    assert not rc["axes.spines.top"] and not rc["axes.spines.right"]
    assert 100 <= rc["figure.dpi"] <= 120
    path = font_manager.findfont(font_manager.FontProperties(family="Noto Sans"), fallback_to_default=False)
    assert "NotoSans" in Path(path).name
    assert set(STATUS_COLORS) == set(STATUS_HATCHES) == {"green", "amber", "red", "none"}
    assert len(set(STATUS_COLORS.values())) == 4 and len(set(STATUS_HATCHES.values())) == 4
    assert status_style("Chưa đạt")["color"] == STATUS_COLORS["red"]
    assert status_style("Gần đạt")["hatch"] == STATUS_HATCHES["amber"]


def test_images_without_alt_text_get_a_vietnamese_one() -> None:
    """nbconvert's own HTMLExporter would add an English alt text (through a BeautifulSoup pass the reports
    skip); an image output without one gets "Hình minh họa", one with its own keeps it."""
    import base64

    import nbformat

    from cadre_lib.render import to_html

    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": png}),  # the template's alt: "Biểu đồ"
        nbformat.v4.new_output("display_data", data={"text/html": f"<img src='data:image/png;base64,{png}'>"}),
        nbformat.v4.new_output("display_data", data={"text/html": f"<img src='data:image/png;base64,{png}' "
                                                                   "alt='Biểu đồ A'>"}),
    ])]
    html = to_html(nb)
    assert html.count('alt="Hình minh họa"') == 1
    assert html.count('alt="Biểu đồ"') == 1
    assert "alt='Biểu đồ A'" in html
    assert "No description has been provided" not in html
