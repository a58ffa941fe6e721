"""``index.html``: the leadership portal of a run, in Vietnamese.

One self-contained page (inline CSS, no script, no font or image from any network host: leadership
machines are offline) listing every report with its scope, status, links to HTML and PDF, and
generation time. Reports built from sample data carry a prominent band saying so.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from cadre_lib.runner.models import ReportResult

__all__ = ["DEFAULT_TITLE", "SAMPLE_BAND", "STATUS_FAILED", "STATUS_OK", "format_date", "render_index"]

DEFAULT_TITLE = "Báo cáo theo dõi công tác cán bộ trẻ"
SAMPLE_BAND = "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ"
STATUS_OK = "Hoàn thành"
STATUS_FAILED = "Lỗi"

_CSS = """
:root { --ok: #007a5a; --bad: #c0392b; --ink: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --head: #f2f4f7; }
* { box-sizing: border-box; }
html { font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink);
       font-size: 16px; line-height: 1.45; }
body { margin: 0 auto; padding: 0 1.5rem 2rem; max-width: 72rem; }
.sample-band { margin: 0 -1.5rem 1rem; padding: .8rem 1rem; background: #ffd200; color: #000;
               border-top: 6px solid #000; border-bottom: 6px solid #000; font-size: 1.5rem;
               font-weight: 800; letter-spacing: .04em; text-align: center; }
.sample-band.bottom { margin-top: 2rem; margin-bottom: 0; }
header { padding: 1.25rem 0 .5rem; border-bottom: 3px solid var(--ink); margin-bottom: 1rem; }
h1 { font-size: 1.7rem; margin: 0 0 .4rem; }
.meta { margin: .15rem 0; color: var(--muted); }
.meta strong { color: var(--ink); }
.summary { font-size: 1.1rem; font-weight: 600; margin: .6rem 0 0; }
.summary.ok { color: var(--ok); }
.summary.bad { color: var(--bad); }
table { width: 100%; border-collapse: collapse; margin-top: .5rem; }
caption { text-align: left; font-weight: 700; font-size: 1.15rem; padding: .4rem 0; }
th, td { border: 1px solid var(--line); padding: .45rem .6rem; vertical-align: top; text-align: left; }
thead th { background: var(--head); }
td.num, th.num { text-align: right; width: 3.5rem; }
td.when { white-space: nowrap; }
.status { font-weight: 700; white-space: nowrap; }
.status.ok { color: var(--ok); }
.status.failed { color: var(--bad); }
tr.failed td { background: #fdf1ef; }
.error { margin-top: .3rem; font-size: .85rem; color: var(--ink); overflow-wrap: anywhere; }
.none { color: var(--muted); }
a { color: #0b57d0; }
footer { margin-top: 1.5rem; padding-top: .6rem; border-top: 1px solid var(--line); color: var(--muted);
         font-size: .85rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  html { font-size: 11pt; }
  body { max-width: none; padding: 0; }
  .sample-band { margin: 0 0 8pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  tr.failed td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _t(text: object) -> str:
    """NFC-normalised, HTML-escaped text."""
    return html.escape(unicodedata.normalize("NFC", str(text)), quote=True)


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


def _link(href: str | None, label: str) -> str:
    if not href:
        return '<span class="none">—</span>'
    return f'<a href="{_t(href)}">{_t(label)}</a>'


def _row(i: int, r: ReportResult, formats: set[str]) -> str:
    if r.ok:
        status = f'<span class="status ok">✔ {STATUS_OK}</span>'
    else:
        status = f'<span class="status failed">✖ {STATUS_FAILED}</span>'
        detail = r.error.summary() if r.error else ""
        if r.error and r.error.cell_index is not None:
            # people count cells from 1 (the manifest keeps the 0-based index)
            detail = detail.replace(f"(cell {r.error.cell_index})", f"(ô lệnh thứ {r.error.cell_index + 1})")
        parts = [_t(detail)] if detail else []
        if r.notebook:
            parts.append(f'<a href="{_t(r.notebook)}">sổ tính đã chạy (.ipynb)</a>')
        if parts:
            status += '<div class="error">' + " — ".join(parts) + "</div>"
    cells = [
        f'<td class="num">{i}</td>',
        f"<td>{_t(r.job.name)}</td>",
        f"<td>{_t(r.job.scope)}</td>",
        f"<td>{status}</td>",
    ]
    if "html" in formats:
        cells.append(f"<td>{_link(r.html, 'Xem')}</td>")
    if "pdf" in formats:
        cells.append(f"<td>{_link(r.pdf, 'Tải PDF')}</td>")
    cells.append(f'<td class="when">{_t(_format_when(r.finished_at))}</td>')
    css = "ok" if r.ok else "failed"
    return f'<tr class="{css}">' + "".join(cells) + "</tr>"


def render_index(
    *,
    reports: Sequence[ReportResult],
    run_id: str,
    generated_at: datetime,
    as_of: date | None = None,
    title: str = DEFAULT_TITLE,
    sample_data: bool = False,
    formats: set[str] | frozenset[str] = frozenset({"html", "pdf"}),
    version: str | None = None,
) -> str:
    """The portal page as a string (UTF-8 HTML5)."""
    n = len(reports)
    n_bad = sum(1 for r in reports if not r.ok)
    if n_bad:
        summary = (
            f'<p class="summary bad">Hoàn thành {n - n_bad}/{n} báo cáo; {n_bad} báo cáo lỗi (xem cột Trạng thái).</p>'
        )
    else:
        summary = f'<p class="summary ok">Hoàn thành {n}/{n} báo cáo.</p>'
    band = f'<div class="sample-band" role="alert">{_t(SAMPLE_BAND)}</div>' if sample_data else ""
    band_bottom = f'<div class="sample-band bottom">{_t(SAMPLE_BAND)}</div>' if sample_data else ""
    meta = []
    if as_of is not None:
        meta.append(f'<p class="meta">Số liệu tính đến ngày <strong>{format_date(as_of)}</strong></p>')
    meta.append(
        f'<p class="meta">Lập lúc {generated_at.strftime("%H:%M")} ngày {format_date(generated_at.date())}'
        f" · Mã lần chạy: {_t(run_id)}</p>"
    )
    heads = ['<th class="num">STT</th>', "<th>Báo cáo</th>", "<th>Phạm vi</th>", "<th>Trạng thái</th>"]
    if "html" in formats:
        heads.append("<th>HTML</th>")
    if "pdf" in formats:
        heads.append("<th>PDF</th>")
    heads.append("<th>Thời điểm tạo</th>")
    rows = "\n".join(_row(i, r, set(formats)) for i, r in enumerate(reports, start=1))
    made_by = "cadre-monitor" + (f" {version}" if version else "")
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="{_t(made_by)}">
<title>{_t(title)}{" — " + _t(SAMPLE_BAND) if sample_data else ""}</title>
<style>{_CSS}</style>
</head>
<body>
{band}
<header>
<h1>{_t(title)}</h1>
{"".join(meta)}
{summary}
</header>
<main>
<table>
<caption>Danh sách báo cáo</caption>
<thead><tr>{"".join(heads)}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
</main>
<footer>
<p>Tạo tự động bởi {_t(made_by)}. Chi tiết kỹ thuật (dấu vân tay dữ liệu đầu vào, tham số, phiên bản
phần mềm, thời gian xử lý từng báo cáo): <a href="manifest.json">manifest.json</a>.</p>
</footer>
{band_bottom}
</body>
</html>
"""
