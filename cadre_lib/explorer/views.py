"""The explorer's views: the model's frames as HTML (through :mod:`cadre_lib.report.html`) and as figures (through
:mod:`cadre_lib.report.charts`), and the notes shown instead when there is nothing to show."""

from __future__ import annotations

import html
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.scope import LEADERSHIP
from cadre_lib.core.text import escape
from cadre_lib.explorer.model import (
    EMPTY_NOTE,
    NO_DATA,
    Drilldown,
    ExplorerModel,
    Note,
    level_label,
    readable,
)
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.register.contract import label
from cadre_lib.register.validate import Register
from cadre_lib.report import charts
from cadre_lib.report.charts import screen_png
from cadre_lib.report.html import STATUS_CLASS, note, sample_band, style_tag, table_html

ROW_LIMIT = 200  # rows of the drill-down shown on screen (Excel gets them all)
BAR_LIMIT = 40  # child units in the bar chart (the lagging ones first)


def stylesheet() -> str:
    """The report classes and the explorer's own, as inline ``<style>`` elements."""
    return "\n" + style_tag() + "\n" + style_tag("cadre_lib.explorer", "explorer.css")


def message(text: str | Note, detail: str = "") -> str:
    """A note in a red-bordered box, its details (errors to fix) as preformatted text."""
    if isinstance(text, Note):
        return message(text.text, text.detail)
    pre = f"<pre>{escape(detail)}</pre>" if detail else ""
    return f"<div class='cadre-msg'>{escape(text)}{pre}</div>" if text or detail else ""


def plain(html_text: str) -> str:
    """The text of a note, without markup (what ``Explorer.note`` keeps)."""
    text = re.sub(r"<[^>]+>", "\n", html_text)
    return html.unescape(re.sub(r"\n+", "\n", text)).strip()


def info(register: Register) -> str:
    """What was loaded: the register's path and size (and the sample mark)."""
    sample = " · <b>DỮ LIỆU MẪU</b>" if register.is_sample else ""
    return (f"<div class='cadre-info'>Đã tải {escape(register.path)}: {fmt.number(len(register.units))} đơn vị, "
            f"{fmt.number(len(register.cadres))} cán bộ, {fmt.number(len(register.planning))} dòng quy hoạch"
            f"{sample}.</div>")


def saved(what: str, paths: list[Any]) -> str:
    return (f"<div class='cadre-info'>Đã lưu {what}: " + ", ".join(f"<code>{escape(p)}</code>" for p in paths)
            + "</div>")


def empty_scorecard() -> str:
    return note(f"{EMPTY_NOTE}.")


def scorecard(model: ExplorerModel) -> str:
    """The selected scope and level: every indicator's result, target and status (the selected one in bold)."""
    assert model.params is not None
    sel = model.selection
    assert sel.unit_id is not None and sel.as_of is not None
    rows, cls = [], {}
    for i, r in enumerate(model.scorecard_frame.itertuples(index=False)):
        ind = INDICATORS[r.indicator]
        name = ind.label_vi + ("" if ind.higher_is_better else " (càng thấp càng tốt)")
        rows.append([name, r.result, r.target_text, r.status_text])
        cls[(i, 3)] = STATUS_CLASS[r.status]
        cls[(i, 1)] = STATUS_CLASS[r.status]
        if r.indicator == sel.indicator:
            cls[(i, 0)] = "cm-current"
    band = sample_band() if model.register and model.register.is_sample else ""
    head = (f"<h4>{escape(model.scope_name(sel.unit_id))} · {escape(level_label(sel.level))} · số liệu đến ngày "
            f"{fmt.date(sel.as_of)}{escape(boundaries_words(model))}</h4>")
    table = table_html(["Chỉ tiêu", "Kết quả (tử số/mẫu số)", "Mục tiêu", "Tình trạng"], rows, [1, 2], cls)
    legend = (f"<p class='cm-note'>Tình trạng: Đạt khi đạt mục tiêu; Gần đạt khi từ "
              f"{fmt.target_pct(model.params.amber_ratio)} mục tiêu; Chưa đạt trong trường hợp còn lại; "
              f"Chưa có mục tiêu khi tham số không đặt mục tiêu; {NO_DATA} khi mẫu số bằng 0. "
              f"Chỉ tiêu in đậm: chỉ tiêu đang xem.</p>")
    return band + head + table + legend


def boundaries_words(model: ExplorerModel) -> str:
    """`` · theo địa giới ngày 01/07/2025 (hiện nay)``: the boundaries the figures are counted on, for a register
    whose units change (empty otherwise)."""
    if model.latest_boundaries() is None:
        return ""
    r = model.boundaries_date()
    return f" · theo địa giới ngày {fmt.date(r)}" + (" (hiện nay)" if model.selection.latest else "")


def no_chart(model: ExplorerModel) -> str:
    """Why there is no child-unit chart."""
    sel = model.selection
    assert sel.unit_id is not None
    why = ("không có đơn vị trực thuộc" if not model.children(sel.unit_id) else
           f"các đơn vị trực thuộc không có số liệu {level_label(sel.level).lower()}")
    return note(f"Biểu đồ đơn vị trực thuộc: {model.scope_name(sel.unit_id)} {why}.")


def units_chart(model: ExplorerModel, frame: pd.DataFrame) -> Any:
    """The child units of the scope (the lagging ones first) as status-coloured bars."""
    sel = model.selection
    assert sel.unit_id is not None
    subtitle = f"Đơn vị trực thuộc {model.scope_name(sel.unit_id)} · {level_label(sel.level)}"
    return charts.units_figure(frame, sel.indicator, model.target(), subtitle, BAR_LIMIT)


def trend_chart(model: ExplorerModel, frame: pd.DataFrame) -> Any:
    """The scope's record at quarter ends, dots coloured by status."""
    sel = model.selection
    assert sel.unit_id is not None
    subtitle = f"{model.scope_name(sel.unit_id)} · {level_label(sel.level)}{boundaries_words(model)}"
    return charts.status_trend_figure(frame, sel.indicator, model.target(), subtitle, model.unit_changes())


def table_title(model: ExplorerModel, drill: Drilldown) -> str:
    word = label("counts", INDICATORS[model.selection.indicator].counts)
    what = "cần xử lý" if model.selection.missing else "trong mẫu số"
    if model.selection.audience == LEADERSHIP:
        return (f"<h4>Phân bổ theo đơn vị: {fmt.number(drill.n_total)} {word} {what}, trong đó "
                f"{fmt.number(drill.n_in_numerator)} trong tử số</h4><p class='cm-note'>Chế độ xem dành cho lãnh "
                f"đạo: không hiển thị danh sách cá nhân, chỉ số trường hợp theo đơn vị.</p>")
    return (f"<h4>Danh sách: {fmt.number(drill.n_total)} {word} {what}, trong đó "
            f"{fmt.number(drill.n_in_numerator)} trong tử số</h4>")


def table(frame: pd.DataFrame) -> str:
    """The first :data:`ROW_LIMIT` rows of the drill-down, with Vietnamese headers and values."""
    shown = readable(frame.head(ROW_LIMIT))
    counts = {j for j, c in enumerate(frame.columns) if str(c).startswith("n_")}
    rows = [["" if v is None or (not isinstance(v, str) and pd.isna(v)) else
             (fmt.number(int(v)) if j in counts else v) for j, v in enumerate(r)]
            for r in shown.itertuples(index=False)]
    nums = [j for j, c in enumerate(frame.columns) if pd.api.types.is_integer_dtype(frame[c])]
    body = table_html(list(shown.columns), rows, nums) if rows else note("Không có trường hợp nào.")
    if len(frame) > ROW_LIMIT:
        body += note(f"Hiển thị {fmt.number(ROW_LIMIT)}/{fmt.number(len(frame))} dòng; bấm “Lưu Excel” để lấy "
                     f"đủ danh sách.")
    return body


class ChartCache:
    """(figure, PNG) per chart key, drawn once: switching audience or back to a scope seen before costs no
    drawing. The last ``size`` charts are kept."""

    def __init__(self, size: int = 24):
        self.size = size
        self._cache: OrderedDict[tuple[Any, ...], tuple[Any, bytes]] = OrderedDict()

    def clear(self) -> None:
        self._cache.clear()

    def get(self, key: tuple[Any, ...], build: Callable[[], Any]) -> tuple[Any, bytes]:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        fig = build()
        out = (fig, screen_png(fig))
        self._cache[key] = out
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return out
