"""The analysts' explorer: ipywidgets over the indicator engine, for JupyterLab (and Voilà).

In a notebook (``notebooks/explore.ipynb``)::

    from cadre_lib.explorer.explorer import Explorer
    explorer = Explorer()
    explorer

The register is loaded once (button "Tải dữ liệu"); every control change then recomputes only what it needs:
``Engine.compute`` is cached per reference date, the trend per (date, indicator) and the drill-down per
(indicator, scope, date), so switching unit, level or date feels instant. The views' data are attributes
(``scorecard_frame``, ``chart_frame``, ``trend_frame``, ``table``, ``note``), so the explorer is tested
without a browser.

Defaults: register ``$CADRE_DATA`` or ``data/sample``, parameters ``$CADRE_PARAMS`` or
``parameters/default.yaml``, saved files ``$CADRE_EXPLORER_OUT`` or ``reports/explorer``; relative paths
are taken from the current folder when they exist there, else from the project root (so the notebook works
from ``notebooks/``). ``$CADRE_AUDIENCE=leadership`` fixes the audience to leadership: the drill-down then
shows counts per unit, never a person's name, id or birth date.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.scope import ALL
from cadre_lib.errors import CadreError, ParameterError, RegisterError
from cadre_lib.indicators.engine import LEVEL_ALL, RECORD_COLUMNS, Engine
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.params import PROJECT_ROOT, Params, load_params
from cadre_lib.register.contract import fold, label
from cadre_lib.register.validate import Register, load_register
from cadre_lib.report.context import quarter_ends
from cadre_lib.report.sections import CSS, SAMPLE_BAND, STATUS_CLASS, table_html

ROOT = PROJECT_ROOT
DATA_ENV, PARAMS_ENV, OUT_ENV, AUDIENCE_ENV = "CADRE_DATA", "CADRE_PARAMS", "CADRE_EXPLORER_OUT", "CADRE_AUDIENCE"
DEFAULT_DATA = "data/sample"
DEFAULT_PARAMS = "parameters/default.yaml"
DEFAULT_OUT = "reports/explorer"
AUDIENCES = {"analyst": "Cán bộ nghiệp vụ", "leadership": "Lãnh đạo"}
WHOLE_PROVINCE = "Toàn tỉnh"
EMPTY_NOTE = "Không có số liệu cho phạm vi này"
NO_DATA = "Không có số liệu"  # status word of a record with a target but an empty denominator
ROW_LIMIT = 200  # rows of the drill-down shown on screen (Excel gets them all)
BAR_LIMIT = 40  # child units in the bar chart (the lagging ones first)
CHART_WIDTH = 7.4  # inches

COLUMN_LABELS = {
    "row": "Dòng", "cadre_id": "Mã cán bộ", "full_name": "Họ và tên", "gender": "Giới tính",
    "birth_date": "Ngày sinh", "age": "Tuổi", "unit_id": "Mã đơn vị", "unit_name": "Đơn vị", "level": "Cấp",
    "planned_posts": "Chức danh quy hoạch", "planning_rows": "Dòng quy hoạch", "in_numerator": "Trong tử số",
    "kind": "Hình thức", "date": "Ngày", "to_unit_id": "Đơn vị đến", "from_unit_id": "Đơn vị đi",
    "post": "Chức danh", "out_of_level": "Vượt cấp", "position": "Chức vụ", "is_leader": "Lãnh đạo",
    "is_head": "Người đứng đầu", "term": "Nhiệm kỳ", "key_post": "Chủ chốt", "added_on": "Ngày đưa vào quy hoạch",
    "removed_on": "Ngày đưa ra", "removal_reason": "Lý do đưa ra", "rotation_plan_on": "Kế hoạch luân chuyển",
    "planning_review_on": "Rà soát quy hoạch", "n_total": "Số trường hợp", "n_in_numerator": "Trong tử số",
    "n_outside": "Ngoài tử số",
}
_VOCAB_COLUMNS = {"gender": "gender", "kind": "kind", "level": "level"}
COUNT_WORDS = {"people": "người", "events": "lượt", "rows": "lượt", "units": "đơn vị"}
SCORECARD_COLUMNS = [*RECORD_COLUMNS, "label", "result", "target_text", "status_text"]

_EXTRA_CSS = """<style>
td.cm-current{font-weight:700;background:#eef3fb}
.cadre-msg{border-left:4px solid #D55E00;background:#fdf1ea;padding:6px 10px;margin:4px 0}
.cadre-msg pre{white-space:pre-wrap;font-size:.85em;margin:4px 0 0 0}
.cadre-info{color:#555;font-size:.85em}
</style>"""


def _e(text: Any) -> str:
    return html.escape(unicodedata.normalize("NFC", str(text)))


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """Absolute paths as they are; a relative one from the current folder if it exists there, else from the
    project root (a notebook runs in ``notebooks/``)."""
    p = Path(os.path.expanduser(str(path).strip()))
    if p.is_absolute() or p.exists():
        return p
    return ROOT / p


def level_label(level: str) -> str:
    if level in (LEVEL_ALL, ALL):
        return "Tất cả các cấp"
    return label("level", level).capitalize()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _unique(path: Path) -> Path:
    n = 2
    out = path
    while out.exists():
        out = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return out


def _value(v: Any) -> float | None:
    return None if v is None or pd.isna(v) else float(v)


def _fonts_once() -> None:
    from cadre_lib.report import charts as mpl_style

    if not getattr(_fonts_once, "done", False):
        try:
            mpl_style._register_system_fonts()
        except Exception:  # pragma: no cover - fonts are a nicety; DejaVu Sans has every Vietnamese letter
            pass
        _fonts_once.done = True  # type: ignore[attr-defined]


@contextmanager
def _style() -> Iterator[None]:
    """The report chart style, without the constrained layout (see :func:`_margins`)."""
    import matplotlib as mpl  # noqa: PLC0415

    from cadre_lib.report.charts import rc_params  # noqa: PLC0415

    _fonts_once()
    rc = {**rc_params(dpi=96), "figure.constrained_layout.use": False}
    with mpl.rc_context(cast(Any, rc)):
        yield


def _margins(fig: Any, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in inches: the constrained layout would measure every label several times per drawing,
    the main cost of a redraw (labels use 7-9 pt; ~0.056 in per character of a 7 pt unit name)."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=min(left / w, 0.6), right=1 - right / w, top=1 - top / h, bottom=bottom / h)


def _png(fig: Any) -> bytes:
    """On-screen PNG: the constrained layout already fits the figure, so no second "tight" drawing pass."""
    import matplotlib as mpl  # noqa: PLC0415

    buf = io.BytesIO()
    with _style(), mpl.rc_context({"savefig.bbox": "standard"}):  # bbox_inches=None would mean the rc "tight"
        fig.savefig(buf, format="png")
    return buf.getvalue()


def readable(frame: pd.DataFrame, for_excel: bool = False) -> pd.DataFrame:
    """The drill-down with Vietnamese headers and values: codes as words, yes/no as Có/Không, dates as dates
    (``dd/mm/yyyy`` text on screen, date cells in Excel)."""
    out: dict[str, Any] = {}
    for col in frame.columns:
        s = frame[col]
        if col in _VOCAB_COLUMNS:
            vocab = _VOCAB_COLUMNS[col]
            s = s.map(lambda v, voc=vocab: label(voc, v) if isinstance(v, str) else v)
        elif s.dtype == bool:
            s = s.map({True: "Có", False: "Không"})
        elif pd.api.types.is_datetime64_any_dtype(s):
            days = [None if pd.isna(v) else pd.Timestamp(v).date() for v in s]
            s = pd.Series(days if for_excel else [fmt.date(d) if d else "" for d in days], index=s.index,
                          dtype=object)
        out[COLUMN_LABELS.get(col, col)] = s
    return pd.DataFrame(out, index=frame.index)


class Explorer:
    """Controls, cached computations and the four views (scorecard, child-unit chart, trend, drill-down)."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None,
                 params_file: str | os.PathLike[str] | None = None, *, audience: str | None = None,
                 lock_audience: bool = False, out_dir: str | os.PathLike[str] | None = None,
                 load: bool = True):
        import ipywidgets as w  # noqa: PLC0415

        env_audience = os.environ.get(AUDIENCE_ENV, "").strip()
        if env_audience == "leadership":  # a deployment for leaders (e.g. Voilà): no way to see names
            audience, lock_audience = "leadership", True
        audience = audience or env_audience or "analyst"
        if audience not in AUDIENCES:
            audience = "leadership"  # an unknown audience gets the safe one
        self.out_dir = resolve_path(out_dir or os.environ.get(OUT_ENV) or DEFAULT_OUT)
        self.register: Register | None = None
        self.params: Params | None = None
        self.engine: Engine | None = None
        self._records: dict[dt.date, pd.DataFrame] = {}
        self._trend_cache: dict[tuple[dt.date, str], pd.DataFrame] = {}
        self._explain_cache: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
        self._render_cache: OrderedDict[tuple[Any, ...], tuple[Any, bytes]] = OrderedDict()
        self._holding = 0
        self._scope_error: str | None = None
        self._order: list[int] = []
        self._pos = np.zeros(0, dtype=np.int64)
        self._labels: list[str] = []
        self.compute_calls = 0  # Engine.compute calls made (for tests and the benchmark)
        self.last_refresh_seconds = 0.0
        self.timings: dict[str, float] = {}  # seconds per part of the last full refresh
        self.note = ""
        self.saved: list[Path] = []
        self.chart_figure: Any = None
        self.trend_figure: Any = None
        self._clear_views()

        wide = w.Layout(width="auto", flex="1 1 auto")
        style = {"description_width": "initial"}
        self.w_data = w.Text(value=str(data_dir or os.environ.get(DATA_ENV) or DEFAULT_DATA),
                             description="Dữ liệu (thư mục hoặc tệp .xlsx):", style=style, layout=wide)
        self.w_params = w.Text(value=str(params_file or os.environ.get(PARAMS_ENV) or DEFAULT_PARAMS),
                               description="Tệp tham số:", style=style, layout=wide)
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
        self.w_audience = w.ToggleButtons(options=[(v, k) for k, v in AUDIENCES.items()], value=audience,
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
                            (self.w_indicator, "cadre-indicator"), (self.w_as_of, "cadre-as-of")):
            widget.add_class(cls)

        self.w_load.on_click(lambda _b: self.load())
        self.w_save_xlsx.on_click(lambda _b: self.save_excel())
        self.w_save_png.on_click(lambda _b: self.save_png())
        self.w_unit_level.observe(self._on_unit_level, names="value")
        self.w_search.observe(self._on_search, names="value")
        for widget in (self.w_unit, self.w_level, self.w_as_of, self.w_indicator, self.w_audience, self.w_missing):
            widget.observe(self._on_change, names="value")

        box = w.HBox
        self.widget = w.VBox([
            w.HTML(CSS + _EXTRA_CSS),
            box([self.w_data, self.w_params, self.w_load]),
            box([self.w_unit_level, self.w_search, self.w_unit]),
            box([self.w_level, self.w_as_of, self.w_audience]),
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
        from IPython.display import display  # noqa: PLC0415

        display(self.widget)

    # --- state ----------------------------------------------------------------------------------------

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

    @contextmanager
    def _hold(self) -> Iterator[None]:
        """Change several widgets without a refresh per change."""
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1

    def _clear_views(self) -> None:
        self.scorecard_frame = pd.DataFrame(columns=SCORECARD_COLUMNS)
        self.chart_frame = pd.DataFrame(columns=["unit_id", "name", "unit_level", *RECORD_COLUMNS[3:]])
        self.trend_frame = pd.DataFrame(columns=["date", *RECORD_COLUMNS[3:]])
        self.table = pd.DataFrame()
        self.chart_figure = None
        self.trend_figure = None

    # --- loading --------------------------------------------------------------------------------------

    def load(self, data_dir: str | os.PathLike[str] | None = None,
             params_file: str | os.PathLike[str] | None = None) -> bool:
        """Read the parameters and the register (once); a problem becomes a note, never a traceback."""
        with self._hold():
            if data_dir is not None:
                self.w_data.value = str(data_dir)
            if params_file is not None:
                self.w_params.value = str(params_file)
        self.register = self.params = self.engine = None
        self.note = ""
        self._records.clear()
        self._trend_cache.clear()
        self._explain_cache.clear()
        self._render_cache.clear()
        self._clear_views()
        self._render_empty()
        self.w_info.value = ""
        self.saved = []
        self.w_saved.value = ""
        self._set_note(f"Đang tải dữ liệu từ {self.data_path}…")
        self.w_load.disabled = True
        try:
            problem = self._read(self.data_path, self.params_path)
        finally:
            self.w_load.disabled = False
        if problem:
            self._set_note(problem, raw=True)
            return False
        assert self.register is not None and self.params is not None
        self._setup_controls()
        reg = self.register
        sample = " · <b>DỮ LIỆU MẪU</b>" if reg.is_sample else ""
        self.w_info.value = (f"<div class='cadre-info'>Đã tải {_e(reg.path)}: {fmt.number(len(reg.units))} đơn vị, "
                             f"{fmt.number(len(reg.cadres))} cán bộ, {fmt.number(len(reg.planning))} dòng quy hoạch"
                             f"{sample}.</div>")
        self.refresh()
        return True

    def _read(self, data: Path, params_file: Path) -> str:
        """Load into self; return an HTML note on failure, '' on success."""
        if not params_file.is_file():
            return _msg(f"Không tìm thấy tệp tham số: {params_file}. Kiểm tra đường dẫn (đường dẫn tương đối tính "
                        f"từ thư mục dự án {ROOT}).")
        try:
            params = load_params(params_file)
        except (ParameterError, OSError) as exc:
            return _msg(f"Tệp tham số {params_file} không hợp lệ. Sửa lỗi dưới đây rồi bấm “Tải dữ liệu”:",
                        str(exc))
        if not data.exists():
            return _msg(f"Không tìm thấy thư mục hoặc tệp dữ liệu: {data}. Kiểm tra đường dẫn (đường dẫn tương đối "
                        f"tính từ thư mục dự án {ROOT}; tạo dữ liệu mẫu bằng: python -m cadre_lib sample-data "
                        f"--out data/sample).")
        try:
            register = load_register(data)
        except RegisterError as exc:
            shown = "\n".join(f"- {p}" for p in exc.problems[:30])
            more = f"\n… và {len(exc.problems) - 30} lỗi khác" if len(exc.problems) > 30 else ""
            return _msg(f"Dữ liệu tại {data} chưa dùng được: {fmt.number(len(exc.problems))} lỗi. Sửa các lỗi dưới "
                        f"đây (bảng, dòng, cột) rồi bấm “Tải dữ liệu” (kiểm tra: python -m cadre_lib validate "
                        f"--data {data}).", shown + more)
        except CadreError as exc:
            return _msg(f"Không đọc được dữ liệu tại {data}:", str(exc))
        except OSError as exc:
            return _msg(f"Không đọc được dữ liệu tại {data}: {exc.strerror or exc}")
        except Exception as exc:  # an unreadable file of an unexpected kind: still a note, not a traceback
            return _msg(f"Không đọc được dữ liệu tại {data} ({type(exc).__name__}). Kiểm tra tệp bằng: python -m "
                        f"cadre_lib validate --data {data}", str(exc))
        self.params, self.register = params, register
        self.engine = Engine(register, params)
        return ""

    def _setup_controls(self) -> None:
        assert self.register is not None and self.params is not None
        h = self.register.hierarchy
        kids: list[list[int]] = [[] for _ in range(h.n)]
        roots: list[int] = []
        for u, p in enumerate(h.parent):
            (kids[p] if p >= 0 else roots).append(u)
        order: list[int] = []
        stack = roots[::-1]
        while stack:
            u = stack.pop()
            order.append(u)
            stack.extend(kids[u][::-1])
        self._order = order
        self._pos = np.empty(h.n, dtype=np.int64)
        self._pos[order] = np.arange(len(order))
        self._labels = []
        for u in range(h.n):
            name = str(h.names[u])
            p = h.parent[u]
            if p >= 0 and h.parent[p] >= 0:  # communes: with their district, names repeat across districts
                name += f" — {h.names[p]}"
            self._labels.append(name)
        present = set(map(str, h.levels))
        levels = [lv for lv in self.params.levels if lv in present]
        with self._hold():
            self._scope_error = None
            self.w_search.value = ""
            self.w_unit_level.options = [(WHOLE_PROVINCE, ALL), *((level_label(lv), lv) for lv in levels)]
            self.w_unit_level.value = ALL
            self._fill_units()
            self.w_level.options = [(level_label(LEVEL_ALL), LEVEL_ALL),
                                    *((level_label(lv), lv) for lv in self.params.levels)]
            self.w_level.value = LEVEL_ALL
            self.w_as_of.value = self.params.as_of

    def unit_choices(self, level: str = ALL, search: str = "") -> list[tuple[str, str]]:
        """Dropdown options for a unit level (hierarchy order: communes under their district), filtered by a
        name search (case- and diacritic-insensitive; the district name finds its communes)."""
        if self.register is None:
            return []
        h = self.register.hierarchy
        q = fold(search)
        if level == ALL and not q:
            return [(WHOLE_PROVINCE, ALL)]
        out = [(WHOLE_PROVINCE, ALL)] if level == ALL and q in fold(WHOLE_PROVINCE) else []
        for u in self._order:
            lv = str(h.levels[u])
            if level != ALL and lv != level:
                continue
            text = self._labels[u] + (f" ({label('level', lv)})" if level == ALL else "")
            if q and q not in fold(text):
                continue
            out.append((text, str(h.unit_ids[u])))
        return out

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
        h = self.register.hierarchy
        unit_id = str(unit_id).strip()
        with self._hold():
            self.w_search.value = ""
            if unit_id == ALL:
                self._scope_error = None
                self.w_unit_level.value = ALL
                self._fill_units(ALL)
            elif unit_id in h.unit_ids:
                self._scope_error = None
                self.w_unit_level.value = str(h.levels[h.code(unit_id)])
                self._fill_units(unit_id)
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

    def _on_change(self, _change: Any) -> None:
        if self._holding:
            return
        self._scope_error = None  # the note answered select_unit(); any change shows the controls' scope again
        self.refresh()

    # --- cached computations --------------------------------------------------------------------------

    def records(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """``Engine.compute(as_of)`` (every indicator x scope x level), computed once per date."""
        if self.engine is None or self.params is None:
            raise RuntimeError("no register loaded")
        day = as_of or self.params.as_of
        if day not in self._records:
            self.compute_calls += 1
            self._records[day] = self.engine.compute(day)
        return self._records[day]

    def _indicator_records(self, day: dt.date, indicator: str) -> pd.DataFrame:
        if day in self._records:
            t = self._records[day]
            return t[t["indicator"].to_numpy() == indicator]
        key = (day, indicator)
        if key not in self._trend_cache:
            assert self.engine is not None
            self.compute_calls += 1
            self._trend_cache[key] = self.engine.compute(day, [indicator])
        return self._trend_cache[key]

    def _explain(self, indicator: str, unit_id: str, level: str, missing: bool, day: dt.date) -> pd.DataFrame:
        key = (indicator, unit_id, level, missing, day)
        if key in self._explain_cache:
            self._explain_cache.move_to_end(key)
            return self._explain_cache[key]
        assert self.engine is not None
        frame = self.engine.explain(indicator, unit_id, level, missing=missing, as_of=day)
        frame = frame.loc[:, ~frame.columns.duplicated()]  # the cadres table repeats name/gender/birth columns
        self._explain_cache[key] = frame
        while len(self._explain_cache) > 48:
            self._explain_cache.popitem(last=False)
        return frame

    # --- refresh --------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute every view for the current controls (called on every change)."""
        if self._holding:
            return
        start = time.perf_counter()
        try:
            self._update()
        except CadreError as exc:
            self._fail(_msg("Không tính được số liệu cho lựa chọn này:", str(exc)))
        except Exception as exc:  # the explorer must stay usable whatever happens
            self._fail(_msg(f"Lỗi khi tính số liệu ({type(exc).__name__}). Thử lựa chọn khác hoặc bấm “Tải dữ liệu”.",
                            str(exc)))
        self.last_refresh_seconds = time.perf_counter() - start

    def _fail(self, note_html: str, raw: bool = True) -> None:
        self._clear_views()
        self._render_empty()
        self._set_note(note_html, raw=raw)

    def _set_note(self, text: str, raw: bool = False) -> None:
        """``raw``: ``text`` is HTML from :func:`_msg`; ``note`` keeps the plain text for tests."""
        html_text = text if raw else _msg(text)
        self.note = _plain(html_text)
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
        if self.engine is None or self.params is None or self.register is None:
            if not self.note:
                self._set_note("Chưa tải dữ liệu. Nhập đường dẫn rồi bấm “Tải dữ liệu”.")
            return
        if self._scope_error:
            return self._fail(_msg(self._scope_error))
        unit = self.unit_id
        if unit is None:
            q = self.w_search.value.strip()
            text = (f"Không tìm thấy đơn vị nào có tên chứa “{q}” ở {level_label(self.w_unit_level.value).lower()}."
                    if q else "Chọn một đơn vị.")
            return self._fail(_msg(text))
        day = self.as_of
        if day is None:
            return self._fail(_msg("Chọn ngày số liệu (ô “Số liệu đến ngày”)."))
        if day < self.params.period_start:
            return self._fail(_msg(f"Ngày số liệu {fmt.date(day)} trước ngày đầu kỳ theo dõi "
                                   f"{fmt.date(self.params.period_start)} (tham số period_start). Chọn ngày khác."))
        level = self.level
        t = self.records(day)
        sel = (t["unit_id"].to_numpy() == unit) & (t["level"].to_numpy() == level)
        scope = t[sel]
        if scope.empty:
            return self._fail(_msg(f"{EMPTY_NOTE}."))
        self.scorecard_frame = self._scorecard_frame(scope)
        if int(scope["denominator"].sum()) == 0:
            self._clear_views()
            self.scorecard_frame = self._scorecard_frame(scope)
            self._render_empty()
            note = (f"{EMPTY_NOTE}: {self.scope_name(unit)} không có {level_label(level).lower()} hoặc chưa có dữ "
                    f"liệu đến ngày {fmt.date(day)}." if level != LEVEL_ALL else
                    f"{EMPTY_NOTE}: {self.scope_name(unit)} chưa có dữ liệu đến ngày {fmt.date(day)}.")
            self._set_note(note)
            self.w_scorecard.value = f"<p class='cm-note'>{_e(EMPTY_NOTE)}.</p>"
            return
        self._set_note("")
        self.w_scorecard.value = self._scorecard_html(unit, level, day)
        t0 = time.perf_counter()
        self._update_chart(unit, level, day)
        self._update_trend(unit, level, day)
        t1 = time.perf_counter()
        self._update_table(unit, level, day)
        self.timings = {"scorecard": t0 - start, "charts": t1 - t0, "table": time.perf_counter() - t1}

    def scope_name(self, unit_id: str) -> str:
        if unit_id == ALL or self.register is None:
            return WHOLE_PROVINCE
        h = self.register.hierarchy
        return str(h.names[h.code(unit_id)])

    # --- views ----------------------------------------------------------------------------------------

    def _scorecard_frame(self, scope: pd.DataFrame) -> pd.DataFrame:
        f = scope.copy()
        f["label"] = [INDICATORS[i].label_vi for i in f["indicator"]]
        f["result"] = [fmt.share(_value(v), int(n), int(d))
                       for v, n, d in zip(f["value"], f["numerator"], f["denominator"], strict=True)]
        f["target_text"] = [fmt.target_pct(_value(x)) for x in f["target"]]
        f["status_text"] = [NO_DATA if d == 0 and not pd.isna(x) else fmt.status_word(s)
                            for s, d, x in zip(f["status"], f["denominator"], f["target"], strict=True)]
        return f.reset_index(drop=True)[SCORECARD_COLUMNS]

    def _scorecard_html(self, unit: str, level: str, day: dt.date) -> str:
        f = self.scorecard_frame
        rows, cls = [], {}
        for i, r in enumerate(f.itertuples(index=False)):
            ind = INDICATORS[r.indicator]
            name = ind.label_vi + ("" if ind.higher_is_better else " (càng thấp càng tốt)")
            rows.append([name, r.result, r.target_text, r.status_text])
            cls[(i, 3)] = STATUS_CLASS[r.status]
            cls[(i, 1)] = STATUS_CLASS[r.status]
            if r.indicator == self.indicator:
                cls[(i, 0)] = "cm-current"
        band = f"<div class='cm-band'>{SAMPLE_BAND}</div>" if self.register and self.register.is_sample else ""
        head = (f"<h4>{_e(self.scope_name(unit))} · {_e(level_label(level))} · số liệu đến ngày "
                f"{fmt.date(day)}</h4>")
        table = table_html(["Chỉ tiêu", "Kết quả (tử số/mẫu số)", "Mục tiêu", "Tình trạng"], rows, [1, 2], cls)
        assert self.params is not None
        legend = (f"<p class='cm-note'>Tình trạng: Đạt khi đạt mục tiêu; Gần đạt khi từ "
                  f"{fmt.target_pct(self.params.amber_ratio)} mục tiêu; Chưa đạt trong trường hợp còn lại; "
                  f"Chưa có mục tiêu khi tham số không đặt mục tiêu; {NO_DATA} khi mẫu số bằng 0. "
                  f"Chỉ tiêu in đậm: chỉ tiêu đang xem.</p>")
        return band + head + table + legend

    def _children(self, unit: str) -> list[str]:
        assert self.register is not None
        h = self.register.hierarchy
        kids = h.children(unit)
        if unit == ALL and len(kids) == 1:  # one province root: its departments and districts
            kids = h.children(kids[0])
        return kids

    def _update_chart(self, unit: str, level: str, day: dt.date) -> None:
        assert self.register is not None and self.params is not None
        h = self.register.hierarchy
        ind = INDICATORS[self.indicator]
        kids = self._children(unit)
        t = self._indicator_records(day, self.indicator)
        r = t[t["unit_id"].isin(kids) & (t["level"] == level) & (t["denominator"] > 0)].copy()
        codes = h.unit_ids.get_indexer(r["unit_id"])
        r.insert(1, "name", h.names[codes].astype(str))
        r.insert(2, "unit_level", h.levels[codes].astype(str))
        r["_v"] = r["value"].astype(float)
        r = r.sort_values(["_v", "name"], ascending=[ind.higher_is_better, True], kind="stable")
        self.chart_frame = r.drop(columns=["_v", "indicator"]).reset_index(drop=True)
        self.chart_figure = None
        if self.chart_frame.empty:
            why = ("không có đơn vị trực thuộc" if not kids else
                   f"các đơn vị trực thuộc không có số liệu {level_label(level).lower()}")
            self.w_chart_note.value = (f"<p class='cm-note'>Biểu đồ đơn vị trực thuộc: {_e(self.scope_name(unit))} "
                                       f"{_e(why)}.</p>")
            self.w_chart.value = b""
            return
        self.w_chart_note.value = ""
        self.chart_figure, self.w_chart.value = self._rendered(
            ("bar", self.indicator, unit, level, day), lambda: self._bar_figure(self.chart_frame, unit, level))

    def _bar_figure(self, frame: pd.DataFrame, unit: str, level: str) -> Any:
        from matplotlib.figure import Figure  # noqa: PLC0415
        from matplotlib.patches import Patch  # noqa: PLC0415
        from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

        from cadre_lib.report.charts import STATUS_COLORS, STATUS_HATCHES, TARGET_COLOR, TARGET_LINESTYLE  # noqa: PLC0415

        assert self.params is not None
        ind = INDICATORS[self.indicator]
        shown = frame.head(BAR_LIMIT).iloc[::-1]
        values = shown["value"].astype(float).to_numpy()
        with _style():
            height = 1.4 + 0.26 * len(shown)
            fig = Figure(figsize=(CHART_WIDTH, height))
            longest = max((len(n) for n in shown["name"]), default=10)
            _margins(fig, left=0.2 + 0.056 * longest, right=0.25, top=0.6, bottom=0.55)
            ax = fig.subplots()
            bars = ax.barh(shown["name"], values, color=[STATUS_COLORS[s] for s in shown["status"]],
                           edgecolor="#333333", linewidth=0.5)
            for bar, s in zip(bars, shown["status"], strict=True):
                bar.set_hatch(STATUS_HATCHES.get(s, ""))
            for y, (v, n, d) in enumerate(zip(values, shown["numerator"], shown["denominator"], strict=True)):
                ax.text(v, y, f" {fmt.share(float(v), int(n), int(d))}", va="center", fontsize=7)
            target = self.params.target(self.indicator, level)
            top = float(np.nanmax(values)) if len(values) else 0.0
            if target is not None:
                ax.axvline(target, color=TARGET_COLOR, linestyle=TARGET_LINESTYLE, linewidth=1.1)
                ax.set_xlabel(f"Đường gạch đứt: mục tiêu {fmt.target_pct(target)}", fontsize=8)
                top = max(top, float(target))
            ax.set_xlim(0, max(top * 1.3, 0.05))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.pct(v, 0)))
            ax.grid(axis="x", color="#dddddd")
            ax.grid(axis="y", visible=False)
            ax.tick_params(axis="y", labelsize=7)
            present = [s for s in ("green", "amber", "red", "none") if s in set(shown["status"])]
            ax.legend(handles=[Patch(facecolor=STATUS_COLORS[s], hatch=STATUS_HATCHES[s], edgecolor="#333333",
                                     label=fmt.status_word(s)) for s in present],
                      loc="upper right" if ind.higher_is_better else "lower right", fontsize=7,
                      frameon=True, framealpha=0.9, edgecolor="#cccccc")
            more = f" ({BAR_LIMIT}/{len(frame)} đơn vị kém nhất)" if len(frame) > BAR_LIMIT else ""
            ax.set_title(f"{ind.label_vi}\nĐơn vị trực thuộc {self.scope_name(unit)} · {level_label(level)}{more}",
                         loc="left", fontsize=9)
        return fig

    def _update_trend(self, unit: str, level: str, day: dt.date) -> None:
        assert self.params is not None
        rows = []
        for d in quarter_ends(self.params.period_start, day):
            t = self._indicator_records(d, self.indicator)
            r = t[(t["unit_id"].to_numpy() == unit) & (t["level"].to_numpy() == level)]
            rows.append(r.assign(date=pd.Timestamp(d)))
        trend = pd.concat(rows, ignore_index=True)
        self.trend_frame = trend[["date", *RECORD_COLUMNS[3:]]]
        self.trend_figure, self.w_trend.value = self._rendered(
            ("trend", self.indicator, unit, level, day), lambda: self._trend_figure(self.trend_frame, unit, level))

    def _rendered(self, key: tuple[Any, ...], build: Any) -> tuple[Any, bytes]:
        """(figure, PNG) for a chart, drawn once per key: switching audience or back to a scope seen before
        costs no drawing."""
        if key in self._render_cache:
            self._render_cache.move_to_end(key)
            return self._render_cache[key]
        fig = build()
        out = (fig, _png(fig))
        self._render_cache[key] = out
        while len(self._render_cache) > 24:
            self._render_cache.popitem(last=False)
        return out

    def _trend_figure(self, trend: pd.DataFrame, unit: str, level: str) -> Any:
        import matplotlib.dates as mdates  # noqa: PLC0415
        from matplotlib.figure import Figure  # noqa: PLC0415
        from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

        from cadre_lib.report.charts import NEUTRAL_COLOR, STATUS_COLORS, TARGET_COLOR, TARGET_LINESTYLE  # noqa: PLC0415

        assert self.params is not None
        ind = INDICATORS[self.indicator]
        dates = [d.to_pydatetime() for d in trend["date"]]
        values = trend["value"].astype(float).to_numpy()
        with _style():
            fig = Figure(figsize=(CHART_WIDTH, 3.3))
            _margins(fig, left=0.6, right=0.25, top=0.6, bottom=0.45)
            ax = fig.subplots()
            ax.plot(dates, values, "-", color=NEUTRAL_COLOR, linewidth=1.6)
            ax.scatter(dates, values, c=[STATUS_COLORS[s] for s in trend["status"]], s=22, zorder=3,
                       edgecolors="#333333", linewidths=0.5)
            target = self.params.target(self.indicator, level)
            top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
            if target is not None:
                ax.axhline(target, color=TARGET_COLOR, linestyle=TARGET_LINESTYLE, linewidth=1.1)
                ax.annotate(f"Mục tiêu {fmt.target_pct(target)}", xy=(0.01, target),
                            xycoords=("axes fraction", "data"), va="bottom", fontsize=7)
                top = max(top, float(target))
            last = trend.iloc[-1]
            if not pd.isna(last["value"]):
                ax.annotate(fmt.share(float(last["value"]), int(last["numerator"]), int(last["denominator"])),
                            xy=(dates[-1], float(last["value"])), xytext=(0, 9), textcoords="offset points",
                            ha="right", va="bottom", fontsize=7,
                            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
            ax.set_ylim(0, max(top * 1.2, 0.05))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt.pct(v, 0)))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
            ax.tick_params(axis="x", labelsize=7)
            ax.set_title(f"Diễn biến theo quý: {ind.label_vi}\n{self.scope_name(unit)} · {level_label(level)}",
                         loc="left", fontsize=9)
        return fig

    def _update_table(self, unit: str, level: str, day: dt.date) -> None:
        ind = INDICATORS[self.indicator]
        missing = bool(self.w_missing.value)
        frame = self._explain(self.indicator, unit, level, missing, day)
        n_total, n_num = len(frame), int(frame["in_numerator"].sum()) if len(frame) else 0
        word = COUNT_WORDS.get(ind.counts, "trường hợp")
        what = "cần xử lý" if missing else "trong mẫu số"
        if self.audience == "leadership":
            self.table = self._aggregate(frame)
            title = (f"<h4>Phân bổ theo đơn vị: {fmt.number(n_total)} {word} {what}, trong đó "
                     f"{fmt.number(n_num)} trong tử số</h4><p class='cm-note'>Chế độ xem dành cho lãnh đạo: không "
                     f"hiển thị danh sách cá nhân, chỉ số trường hợp theo đơn vị.</p>")
        else:
            self.table = frame
            title = (f"<h4>Danh sách: {fmt.number(n_total)} {word} {what}, trong đó {fmt.number(n_num)} trong tử số"
                     f"</h4>")
        self.w_table_title.value = title
        shown = readable(self.table.head(ROW_LIMIT))
        counts = {j for j, c in enumerate(self.table.columns) if str(c).startswith("n_")}
        rows = [["" if v is None or (not isinstance(v, str) and pd.isna(v)) else
                 (fmt.number(int(v)) if j in counts else v) for j, v in enumerate(r)]
                for r in shown.itertuples(index=False)]
        nums = [j for j, c in enumerate(self.table.columns) if pd.api.types.is_integer_dtype(self.table[c])]
        body = (table_html(list(shown.columns), rows, nums) if rows
                else "<p class='cm-note'>Không có trường hợp nào.</p>")
        if len(self.table) > ROW_LIMIT:
            body += (f"<p class='cm-note'>Hiển thị {fmt.number(ROW_LIMIT)}/{fmt.number(len(self.table))} dòng; bấm "
                     f"“Lưu Excel” để lấy đủ danh sách.</p>")
        self.w_table.value = body

    def _aggregate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Counts per unit: what leadership sees instead of people."""
        assert self.register is not None
        h = self.register.hierarchy
        ucol = "unit_id" if "unit_id" in frame.columns else "to_unit_id" if "to_unit_id" in frame.columns else None
        cols = ["unit_id", "unit_name", "level", "n_total", "n_in_numerator", "n_outside"]
        if ucol is None or frame.empty:
            return pd.DataFrame(columns=cols)
        g = frame.groupby(ucol, sort=False)["in_numerator"].agg(["size", "sum"])
        codes = h.unit_ids.get_indexer(g.index)
        out = pd.DataFrame({
            "unit_id": g.index.astype(str), "unit_name": h.names[codes].astype(str),
            "level": h.levels[codes].astype(str),
            "n_total": g["size"].to_numpy(np.int64), "n_in_numerator": g["sum"].to_numpy(np.int64),
        })
        out["n_outside"] = out["n_total"] - out["n_in_numerator"]
        out["_pos"] = [self._pos[c] if c >= 0 else len(self._pos) for c in codes]
        return out.sort_values("_pos", kind="stable").drop(columns="_pos").reset_index(drop=True)[cols]

    # --- saving ---------------------------------------------------------------------------------------

    def _stem(self) -> str:
        day = self.as_of or dt.date.today()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return _slug(f"{self.indicator}_{self.unit_id}_{self.level}_{day:%Y-%m-%d}_{stamp}")

    def _scope_ok(self) -> bool:
        if self.engine is None or self.scorecard_frame.empty or self.unit_id is None or self.note:
            self.w_saved.value = _msg("Chưa có số liệu để lưu: chọn một phạm vi có số liệu trước.")
            return False
        return True

    def save_excel(self, folder: str | os.PathLike[str] | None = None) -> Path | None:
        """The current drill-down (Vietnamese headers) and a sheet describing the selection, as .xlsx."""
        if not self._scope_ok():
            return None
        assert self.register is not None and self.unit_id is not None
        out = Path(folder) if folder else self.out_dir
        try:
            out.mkdir(parents=True, exist_ok=True)
            path = _unique(out / f"{self._stem()}.xlsx")
            info = pd.DataFrame({"Mục": ["Chỉ tiêu", "Phạm vi", "Số liệu của cấp", "Số liệu đến ngày",
                                         "Chỉ các trường hợp cần xử lý", "Người xem", "Dữ liệu", "Lập lúc"],
                                 "Giá trị": [INDICATORS[self.indicator].label_vi, self.scope_name(self.unit_id),
                                             level_label(self.level), fmt.date(self.as_of),
                                             "Có" if self.w_missing.value else "Không", AUDIENCES[self.audience],
                                             str(self.register.path),
                                             dt.datetime.now().strftime("%d/%m/%Y %H:%M")]})
            if self.register.is_sample:
                info.loc[len(info)] = ["Lưu ý", SAMPLE_BAND]
            with pd.ExcelWriter(path, engine="openpyxl") as xw:
                readable(self.table, for_excel=True).to_excel(xw, sheet_name="Danh sách", index=False)
                info.to_excel(xw, sheet_name="Thông tin", index=False)
        except OSError as exc:
            self.w_saved.value = _msg(f"Không lưu được tệp Excel vào {out}: {exc.strerror or exc}")
            return None
        self.saved = [path]
        self.w_saved.value = f"<div class='cadre-info'>Đã lưu bảng: <code>{_e(path)}</code></div>"
        return path

    def save_png(self, folder: str | os.PathLike[str] | None = None) -> list[Path]:
        """The child-unit chart (when there is one) and the trend chart, as PNG files."""
        if not self._scope_ok():
            return []
        out = Path(folder) if folder else self.out_dir
        stem = self._stem()
        paths = []
        try:
            out.mkdir(parents=True, exist_ok=True)
            for fig, suffix in ((self.chart_figure, "don-vi"), (self.trend_figure, "xu-huong")):
                if fig is None:
                    continue
                path = _unique(out / f"{stem}_{suffix}.png")
                with _style():
                    fig.savefig(path, format="png", dpi=150)
                paths.append(path)
        except OSError as exc:
            self.w_saved.value = _msg(f"Không lưu được biểu đồ vào {out}: {exc.strerror or exc}")
            return []
        self.saved = paths
        self.w_saved.value = ("<div class='cadre-info'>Đã lưu biểu đồ: " +
                              ", ".join(f"<code>{_e(p)}</code>" for p in paths) + "</div>")
        return paths


def _msg(text: str, detail: str = "") -> str:
    pre = f"<pre>{_e(detail)}</pre>" if detail else ""
    return f"<div class='cadre-msg'>{_e(text)}{pre}</div>" if text or detail else ""


def _plain(html_text: str) -> str:
    text = re.sub(r"<[^>]+>", "\n", html_text)
    return html.unescape(re.sub(r"\n+", "\n", text)).strip()
