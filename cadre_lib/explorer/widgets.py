"""The explorer's controls and event handlers: the :class:`Explorer` widget, for JupyterLab (and Voilà).

In a notebook (``notebooks/explore.ipynb``)::

    from cadre_lib.explorer import Explorer
    explorer = Explorer()
    explorer

The register is loaded once (button "Tải dữ liệu"); every control change then recomputes only what it needs (the
model's caches, :mod:`cadre_lib.explorer.model`), so switching unit, level or date feels instant. The views' data
are attributes (``scorecard_frame``, ``chart_frame``, ``trend_frame``, ``table``, ``note``), so the explorer is
tested without a browser.

Defaults: register ``$CADRE_DATA`` or ``data/sample``, parameters ``$CADRE_PARAMS`` or
``parameters/default.yaml``, saved files ``$CADRE_EXPLORER_OUT`` or ``reports/explorer``; relative paths
are taken from the current folder when they exist there, else from the project root (so the notebook works
from ``notebooks/``). ``$CADRE_AUDIENCE=leadership`` fixes the audience to leadership: the drill-down then
shows counts per unit, never a person's name, id or birth date.

Boundaries: **Địa giới** counts on the units of the chosen date (as the reports do) or on the register's latest
ones (today's units, their predecessors' history included); the unit picker lists the units valid on that day,
and a unit that is no longer valid gives way to its successor.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from cadre_lib.core.files import resolve_path
from cadre_lib.core.scope import ALL, LEVEL_ALL
from cadre_lib.errors import CadreError
from cadre_lib.explorer import export, views
from cadre_lib.explorer.model import (
    AUDIENCE_ENV,
    AUDIENCE_NAMES,
    BOUNDARY_NAMES,
    CHART_COLUMNS,
    SCORECARD_COLUMNS,
    TREND_COLUMNS,
    WHOLE_PROVINCE,
    ExplorerModel,
    Selection,
    choose_audience,
    default_paths,
    level_label,
)
from cadre_lib.indicators.engine import Engine
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.params import Params
from cadre_lib.register.validate import Register


class Explorer:
    """Controls, cached computations and the four views (scorecard, child-unit chart, trend, drill-down)."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None,
                 params_file: str | os.PathLike[str] | None = None, *, audience: str | None = None,
                 lock_audience: bool = False, out_dir: str | os.PathLike[str] | None = None,
                 load: bool = True):
        audience, lock_audience = choose_audience(audience, lock_audience, os.environ.get(AUDIENCE_ENV, ""))
        data, params, out = default_paths(data_dir, params_file, out_dir)
        self.out_dir = resolve_path(out)
        self.model = ExplorerModel()
        self._charts = views.ChartCache()
        self._holding = 0
        self._scope_error: str | None = None
        self.last_refresh_seconds = 0.0
        self.timings: dict[str, float] = {}  # seconds per part of the last full refresh
        self.note = ""
        self.saved: list[Path] = []
        self._clear_views()

        wide = w.Layout(width="auto", flex="1 1 auto")
        style = {"description_width": "initial"}
        self.w_data = w.Text(value=data, description="Dữ liệu (thư mục hoặc tệp .xlsx):", style=style, layout=wide)
        self.w_params = w.Text(value=params, description="Tệp tham số:", style=style, layout=wide)
        self.w_load = w.Button(description="Tải dữ liệu", icon="folder-open", button_style="primary")
        self.w_unit_level = w.Dropdown(options=[(WHOLE_PROVINCE, ALL)], value=ALL, description="Cấp đơn vị:",
                                       style=style)
        self.w_search = w.Text(value="", placeholder="Tìm đơn vị theo tên…", description="Tìm:", style=style,
                               continuous_update=True)
        self.w_unit = w.Dropdown(options=[(WHOLE_PROVINCE, ALL)], value=ALL, description="Đơn vị:", style=style,
                                 layout=w.Layout(width="420px"))
        self.w_level = w.Dropdown(options=[(level_label(LEVEL_ALL), LEVEL_ALL)], value=LEVEL_ALL,
                                  description="Số liệu của cấp:", style=style)
        self.w_as_of = w.DatePicker(value=None, description="Số liệu đến ngày:", style=style)
        self.w_indicator = w.Dropdown(options=[(ind.label_vi, k) for k, ind in INDICATORS.items()],
                                      value=next(iter(INDICATORS)), description="Chỉ tiêu:", style=style,
                                      layout=w.Layout(width="720px"))
        self.w_boundaries = w.ToggleButtons(options=[(BOUNDARY_NAMES[False], False), (BOUNDARY_NAMES[True], True)],
                                            value=False, description="Địa giới:", style=style,
                                            tooltips=["Các đơn vị tồn tại vào ngày số liệu",
                                                      "Các đơn vị hiện nay (mới nhất trong dữ liệu)"])
        self.w_audience = w.ToggleButtons(options=[(v, k) for k, v in AUDIENCE_NAMES.items()], value=audience,
                                          description="Người xem:", style=style, disabled=lock_audience)
        self.w_missing = w.Checkbox(value=False, description="Chỉ các trường hợp cần xử lý", indent=False)
        self.w_save_xlsx = w.Button(description="Lưu Excel", icon="file-excel-o")
        self.w_save_png = w.Button(description="Lưu biểu đồ PNG", icon="image")
        self.w_info = w.HTML()
        self.w_note = w.HTML()
        self.w_saved = w.HTML()
        self.w_scorecard = w.HTML()
        self.w_chart = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.w_trend = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.w_chart_note = w.HTML()
        self.w_table_title = w.HTML()
        self.w_table = w.HTML(layout=w.Layout(max_height="480px", overflow="auto"))
        for widget, cls in ((self.w_scorecard, "cadre-scorecard"), (self.w_unit, "cadre-unit"),
                            (self.w_unit_level, "cadre-unit-level"), (self.w_level, "cadre-level"),
                            (self.w_note, "cadre-note"), (self.w_table, "cadre-table"),
                            (self.w_indicator, "cadre-indicator"), (self.w_as_of, "cadre-as-of"),
                            (self.w_boundaries, "cadre-boundaries")):
            widget.add_class(cls)

        self.w_load.on_click(lambda _b: self.load())
        self.w_save_xlsx.on_click(lambda _b: self.save_excel())
        self.w_save_png.on_click(lambda _b: self.save_png())
        self.w_unit_level.observe(self._on_unit_level, names="value")
        self.w_search.observe(self._on_search, names="value")
        for widget in (self.w_unit, self.w_level, self.w_indicator, self.w_audience, self.w_missing):
            widget.observe(self._on_change, names="value")
        for widget in (self.w_as_of, self.w_boundaries):
            widget.observe(self._on_boundaries, names="value")

        box = w.HBox
        self.widget = w.VBox([
            w.HTML(views.stylesheet()),
            box([self.w_data, self.w_params, self.w_load]),
            box([self.w_unit_level, self.w_search, self.w_unit]),
            box([self.w_level, self.w_as_of, self.w_boundaries]),
            self.w_audience,
            self.w_indicator,
            self.w_info,
            self.w_note,
            self.w_scorecard,
            self.w_chart_note,
            box([self.w_chart, self.w_trend], layout=w.Layout(flex_flow="row wrap")),
            self.w_table_title,
            box([self.w_missing, self.w_save_xlsx, self.w_save_png]),
            self.w_saved,
            self.w_table,
        ])
        if load:
            self.load()
        else:
            self._set_note("Bấm “Tải dữ liệu” để bắt đầu.")

    # --- display ------------------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def show(self) -> None:
        from IPython.display import display

        display(self.widget)

    # --- state ----------------------------------------------------------------------------------------

    @property
    def register(self) -> Register | None:
        return self.model.register

    @property
    def params(self) -> Params | None:
        return self.model.params

    @property
    def engine(self) -> Engine | None:
        return self.model.engine

    @property
    def compute_calls(self) -> int:
        """``Engine.compute`` calls made (for tests and the benchmark)."""
        return self.model.compute_calls

    @property
    def data_path(self) -> Path:
        return resolve_path(self.w_data.value)

    @property
    def params_path(self) -> Path:
        return resolve_path(self.w_params.value)

    @property
    def unit_id(self) -> str | None:
        value: str | None = self.w_unit.value
        return value

    @property
    def level(self) -> str:
        return str(self.w_level.value)

    @property
    def as_of(self) -> dt.date | None:
        value: dt.date | None = self.w_as_of.value
        return value

    @property
    def indicator(self) -> str:
        return str(self.w_indicator.value)

    @property
    def audience(self) -> str:
        return str(self.w_audience.value)

    @property
    def selection(self) -> Selection:
        """What the controls select."""
        return Selection(self.unit_id, self.level, self.as_of, self.indicator, self.audience,
                         bool(self.w_missing.value), bool(self.w_boundaries.value))

    @property
    def boundaries_date(self) -> dt.date | None:
        """R of the controls: the chosen date, or the register's latest boundaries."""
        if self.params is None:
            return None
        return self.model.boundaries_date(self.selection)

    def records(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """``Engine.compute(as_of)`` (every indicator x scope x level), computed once per date."""
        return self.model.records(as_of)

    def unit_choices(self, level: str = ALL, search: str = "") -> list[tuple[str, str]]:
        """Dropdown options for a unit level among the units valid on the controls' boundaries date, filtered by a
        name search (see :meth:`ExplorerModel.unit_choices`)."""
        return self.model.unit_choices(level, search, self.boundaries_date)

    def scope_name(self, unit_id: str) -> str:
        return self.model.scope_name(unit_id)

    @contextmanager
    def _hold(self) -> Iterator[None]:
        """Change several widgets without a refresh per change."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def _clear_views(self) -> None:
        self.model.scorecard_frame = pd.DataFrame(columns=SCORECARD_COLUMNS)
        self.chart_frame = pd.DataFrame(columns=CHART_COLUMNS)
        self.trend_frame = pd.DataFrame(columns=TREND_COLUMNS)
        self.table = pd.DataFrame()
        self.chart_figure: Any = None
        self.trend_figure: Any = None

    @property
    def scorecard_frame(self) -> pd.DataFrame:
        return self.model.scorecard_frame

    # --- loading --------------------------------------------------------------------------------------

    def load(self, data_dir: str | os.PathLike[str] | None = None,
             params_file: str | os.PathLike[str] | None = None) -> bool:
        """Read the parameters and the register (once); a problem becomes a note, never a traceback."""
        with self._hold():
            if data_dir is not None:
                self.w_data.value = str(data_dir)
            if params_file is not None:
                self.w_params.value = str(params_file)
        self.note = ""
        self._charts.clear()
        self._clear_views()
        self._render_empty()
        self.w_info.value = ""
        self.saved = []
        self.w_saved.value = ""
        self._set_note(f"Đang tải dữ liệu từ {self.data_path}…")
        self.w_load.disabled = True
        try:
            problem = self.model.load(self.data_path, self.params_path)
        finally:
            self.w_load.disabled = False
        if problem:
            self._set_note(views.message(problem), raw=True)
            return False
        assert self.register is not None
        self._setup_controls()
        self.w_info.value = views.info(self.register)
        self.refresh()
        return True

    def _setup_controls(self) -> None:
        assert self.params is not None
        with self._hold():
            self._scope_error = None
            self.w_search.value = ""
            self.w_as_of.value = self.params.as_of
            self.w_boundaries.value = False
            self.w_boundaries.disabled = self.model.latest_boundaries() is None  # units that never change
            self.w_unit_level.value = ALL
            self._fill_levels()
            self.w_level.value = LEVEL_ALL

    def _fill_levels(self) -> None:
        """Levels and units of the controls' boundaries date; the unit (or its successor) and levels kept when
        they still exist that day."""
        day = self.boundaries_date
        unit, level, unit_level = self.unit_id, self.level, self.w_unit_level.value
        levels = self.model.unit_levels(day)
        self.w_unit_level.options = [(WHOLE_PROVINCE, ALL), *((level_label(lv), lv) for lv in levels)]
        # the unit, else its successor on R, else the whole province (going back in time: several predecessors)
        keep = unit if unit is None or self.model.valid_on(unit, day) else self.model.placed_at(unit, day)
        if keep is None:
            keep, unit_level = ALL, ALL
        elif keep != ALL:
            unit_level = self.model.unit_level(keep)
        self.w_unit_level.value = unit_level if unit_level in (ALL, *levels) else ALL
        self._fill_units(keep)
        self.w_level.options = [(level_label(LEVEL_ALL), LEVEL_ALL), *((level_label(lv), lv) for lv in levels)]
        self.w_level.value = level if level in levels else LEVEL_ALL

    def _fill_units(self, keep: str | None = None) -> None:
        options = self.unit_choices(self.w_unit_level.value, self.w_search.value)
        self.w_unit.options = options
        values = [v for _, v in options]
        if keep in values:
            self.w_unit.value = keep
        elif values:
            self.w_unit.value = values[0]

    def select_unit(self, unit_id: str) -> bool:
        """Show one unit (any level) or ``ALL``; an unknown id gives a note, not an error."""
        if self.register is None:
            self._set_note("Chưa tải dữ liệu.")
            return False
        unit_id = str(unit_id).strip()
        with self._hold():
            self.w_search.value = ""
            if unit_id == ALL:
                self._scope_error = None
                self.w_unit_level.value = ALL
                self._fill_units(ALL)
            elif self.model.valid_on(unit_id, self.boundaries_date):
                self._scope_error = None
                self.w_unit_level.value = self.model.unit_level(unit_id)
                self._fill_units(unit_id)
            elif self.model.knows(unit_id):
                day = self.boundaries_date
                assert day is not None
                self._scope_error = self.model.not_valid_note(unit_id, day)
            else:
                self._scope_error = (f"Không có đơn vị mã “{unit_id}” trong danh mục đơn vị của dữ liệu đã tải. "
                                     f"Chọn đơn vị trong danh sách hoặc tìm theo tên.")
        self.refresh()
        return self._scope_error is None

    # --- events ---------------------------------------------------------------------------------------

    def _on_unit_level(self, _change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self._scope_error = None
            self._fill_units()
        self.refresh()

    def _on_search(self, _change: Any) -> None:
        if self._holding:
            return
        with self._hold():
            self._scope_error = None
            self._fill_units(keep=self.unit_id)
        self.refresh()

    def _on_boundaries(self, _change: Any) -> None:
        """A new date or boundaries toggle: the unit picker and the levels follow the units valid on R."""
        if self._holding:
            return
        if self.params is not None and self.as_of is not None:
            with self._hold():
                self._scope_error = None
                self._fill_levels()
        self.refresh()

    def _on_change(self, _change: Any) -> None:
        if self._holding:
            return
        self._scope_error = None  # the note answered select_unit(); any change shows the controls' scope again
        self.refresh()

    # --- refresh --------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute every view for the current controls (called on every change)."""
        if self._holding:
            return
        start = time.perf_counter()
        try:
            self._update()
        except CadreError as exc:
            self._fail(views.message("Không tính được số liệu cho lựa chọn này:", str(exc)))
        except Exception as exc:  # the explorer must stay usable whatever happens
            self._fail(views.message(f"Lỗi khi tính số liệu ({type(exc).__name__}). Thử lựa chọn khác hoặc bấm "
                                     f"“Tải dữ liệu”.", str(exc)))
        self.last_refresh_seconds = time.perf_counter() - start

    def _fail(self, note_html: str) -> None:
        self._clear_views()
        self._render_empty()
        self._set_note(note_html, raw=True)

    def _set_note(self, text: str, raw: bool = False) -> None:
        """``raw``: ``text`` is HTML from :func:`views.message`; ``note`` keeps the plain text for tests."""
        html_text = text if raw else views.message(text)
        self.note = views.plain(html_text)
        self.w_note.value = html_text

    def _render_empty(self) -> None:
        self.w_scorecard.value = ""
        self.w_chart.value = b""
        self.w_trend.value = b""
        self.w_chart_note.value = ""
        self.w_table_title.value = ""
        self.w_table.value = ""

    def _update(self) -> None:
        start = time.perf_counter()
        if self.engine is None:
            if not self.note:
                self._set_note("Chưa tải dữ liệu. Nhập đường dẫn rồi bấm “Tải dữ liệu”.")
            return
        if self._scope_error:
            return self._fail(views.message(self._scope_error))
        if self.unit_id is None:
            q = self.w_search.value.strip()
            text = (f"Không tìm thấy đơn vị nào có tên chứa “{q}” ở {level_label(self.w_unit_level.value).lower()}."
                    if q else "Chọn một đơn vị.")
            return self._fail(views.message(text))
        problem = self.model.select(self.selection)
        if problem is not None:
            if self.scorecard_frame.empty:
                return self._fail(views.message(problem))
            scorecard = self.scorecard_frame  # a scope without data: the scorecard of empty records, a note
            self._clear_views()
            self.model.scorecard_frame = scorecard
            self._render_empty()
            self._set_note(problem.text)
            self.w_scorecard.value = views.empty_scorecard()
            return
        self._set_note("")
        self.w_scorecard.value = views.scorecard(self.model)
        t0 = time.perf_counter()
        self._update_chart()
        self._update_trend()
        t1 = time.perf_counter()
        self._update_table()
        self.timings = {"scorecard": t0 - start, "charts": t1 - t0, "table": time.perf_counter() - t1}

    def _key(self, kind: str) -> tuple[Any, ...]:
        s = self.model.selection
        return (kind, s.indicator, s.unit_id, s.level, s.as_of, s.latest)

    def _update_chart(self) -> None:
        self.chart_frame = self.model.chart_frame()
        self.chart_figure = None
        if self.chart_frame.empty:
            self.w_chart_note.value = views.no_chart(self.model)
            self.w_chart.value = b""
            return
        self.w_chart_note.value = ""
        self.chart_figure, self.w_chart.value = self._charts.get(
            self._key("bar"), lambda: views.units_chart(self.model, self.chart_frame))

    def _update_trend(self) -> None:
        self.trend_frame = self.model.trend_frame()
        self.trend_figure, self.w_trend.value = self._charts.get(
            self._key("trend"), lambda: views.trend_chart(self.model, self.trend_frame))

    def _update_table(self) -> None:
        drill = self.model.drilldown()
        self.table = drill.table
        self.w_table_title.value = views.table_title(self.model, drill)
        self.w_table.value = views.table(self.table)

    # --- saving ---------------------------------------------------------------------------------------

    def _scope_ok(self) -> bool:
        if self.engine is None or self.scorecard_frame.empty or self.unit_id is None or self.note:
            self.w_saved.value = views.message("Chưa có số liệu để lưu: chọn một phạm vi có số liệu trước.")
            return False
        return True

    def save_excel(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """The current drill-down (Vietnamese headers) and a sheet describing the selection, as .xlsx."""
        if not self._scope_ok():
            return None
        out = Path(folder) if folder else self.out_dir
        try:
            path = export.write_excel(self.model, self.table, out)
        except OSError as exc:
            self.w_saved.value = views.message(f"Không lưu được tệp Excel vào {out}: {exc.strerror or exc}")
            return None
        self.saved = [path]
        self.w_saved.value = views.saved("bảng", [path])
        return path

    def save_png(self, folder: str | os.PathLike[str] | None = None) -> list[Path]:
        """The child-unit chart (when there is one) and the trend chart, as PNG files."""
        if not self._scope_ok():
            return []
        out = Path(folder) if folder else self.out_dir
        try:
            paths = export.write_pngs(self.model, [(self.chart_figure, "don-vi"), (self.trend_figure, "xu-huong")],
                                      out)
        except OSError as exc:
            self.w_saved.value = views.message(f"Không lưu được biểu đồ vào {out}: {exc.strerror or exc}")
            return []
        self.saved = paths
        self.w_saved.value = views.saved("biểu đồ", paths)
        return paths

