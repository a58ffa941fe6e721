"""The explorer's model: the register, the parameters, the engine, its caches, the selection and the frames behind
each view. It imports neither ipywidgets nor matplotlib, so it is usable (and tested) alone::

    model = ExplorerModel()
    assert model.load(Path("data/sample"), Path("parameters/default.yaml")) is None
    model.select(Selection("H", "all", model.params.as_of, "young_share_planning"))
    model.scorecard_frame, model.chart_frame(), model.trend_frame(), model.drilldown()

``Engine.compute`` is cached per (reference date, boundaries date), the trend per (date, indicator, boundaries)
and the drill-down per (indicator, scope, level, missing, date, boundaries), so switching unit, level or date
costs little.

Boundaries (data contract v2): the figures are counted on the units of the reference date (``Selection.latest``
false: R = as_of, as the reports do), or on the register's latest ones (``latest``: R = the last day the units
changed, e.g. 01/7/2025, so that the history of today's units can be read at any date). The unit picker lists the
units valid on R; trends are counted on R too.

A leadership selection never gets people: :meth:`ExplorerModel.drilldown` then returns counts per unit, never a
person's name, id or birth date.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cadre_lib import fmt
from cadre_lib.core.files import PROJECT_ROOT
from cadre_lib.core.scope import ALL, ANALYST, AUDIENCES, LEADERSHIP, LEVEL_ALL
from cadre_lib.errors import CadreError, ParameterError, RegisterError
from cadre_lib.indicators.engine import RECORD_COLUMNS, Engine
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.params import Params, load_params
from cadre_lib.register.contract import fold, label
from cadre_lib.register.hierarchy import Hierarchy
from cadre_lib.register.validate import Register, load_register
from cadre_lib.report.common import level_name, optional
from cadre_lib.report.context import quarter_ends

DATA_ENV, PARAMS_ENV, OUT_ENV, AUDIENCE_ENV = "CADRE_DATA", "CADRE_PARAMS", "CADRE_EXPLORER_OUT", "CADRE_AUDIENCE"
DEFAULT_DATA = "data/sample"
DEFAULT_PARAMS = "parameters/default.yaml"
DEFAULT_OUT = "reports/explorer"
#: The audiences in the order of the toggle, with their names on screen.
AUDIENCE_NAMES: dict[str, str] = {ANALYST: "Cán bộ nghiệp vụ", LEADERSHIP: "Lãnh đạo"}
#: The boundaries toggle (``Selection.latest``): the units of the chosen date, or the register's latest ones.
BOUNDARY_NAMES: dict[bool, str] = {False: "Theo ngày số liệu", True: "Hiện nay (mới nhất)"}
WHOLE_PROVINCE = "Toàn tỉnh"
#: The boundaries key of every day of a register whose units never change (see :meth:`ExplorerModel.epoch`).
EARLY = dt.date(1900, 1, 1)
EMPTY_NOTE = "Không có số liệu cho phạm vi này"
NO_DATA = "Không có số liệu"  # status word of a record with a target but an empty denominator

COLUMN_LABELS = {
    "row": "Dòng", "cadre_id": "Mã cán bộ", "full_name": "Họ và tên", "gender": "Giới tính",
    "birth_date": "Ngày sinh", "age": "Tuổi", "unit_id": "Mã đơn vị", "unit_name": "Đơn vị", "level": "Cấp",
    "planned_posts": "Chức danh quy hoạch", "planning_rows": "Dòng quy hoạch", "in_numerator": "Trong tử số",
    "kind": "Hình thức", "date": "Ngày", "to_unit_id": "Đơn vị đến", "from_unit_id": "Đơn vị đi",
    "post": "Chức danh", "out_of_level": "Vượt cấp", "position": "Chức vụ", "is_leader": "Lãnh đạo",
    "is_head": "Người đứng đầu", "term": "Nhiệm kỳ", "key_post": "Chủ chốt", "added_on": "Ngày đưa vào quy hoạch",
    "removed_on": "Ngày đưa ra", "removal_reason": "Lý do đưa ra", "rotation_plan_on": "Kế hoạch luân chuyển",
    "planning_review_on": "Rà soát quy hoạch", "n_total": "Số trường hợp", "n_in_numerator": "Trong tử số",
    "n_outside": "Ngoài tử số", "people": "Số người", "planned_people": "Người được quy hoạch",
}
_VOCAB_COLUMNS = {"gender": "gender", "kind": "kind", "level": "level"}
SCORECARD_COLUMNS = [*RECORD_COLUMNS, "label", "result", "target_text", "status_text"]
CHART_COLUMNS = ["unit_id", "name", "unit_level", *RECORD_COLUMNS[3:]]
TREND_COLUMNS = ["date", *RECORD_COLUMNS[3:]]
AGGREGATE_COLUMNS = ["unit_id", "unit_name", "level", "n_total", "n_in_numerator", "n_outside"]


def level_label(level: str) -> str:
    """The level (or the ``ALL`` scope) as the controls show it: ``"Cấp xã"``, ``"Tất cả các cấp"``."""
    return level_name(level).capitalize()


def choose_audience(audience: str | None, lock: bool, env: str = "") -> tuple[str, bool]:
    """(audience, locked) from the constructor's wishes and ``$CADRE_AUDIENCE``: the environment's
    ``leadership`` wins and locks (a deployment for leaders, e.g. Voilà, has no way to see names); an unknown
    audience gets the safe one."""
    env = env.strip()
    if env == LEADERSHIP:
        return LEADERSHIP, True
    chosen = audience or env or ANALYST
    return (chosen if chosen in AUDIENCES else LEADERSHIP), lock


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


@dataclass(frozen=True)
class Selection:
    """What the controls select: a scope (``ALL`` or a unit id; ``None`` when a search finds nothing), the level of
    the records, the reference date, the indicator, the audience and "only the cases to act on"."""

    unit_id: str | None = ALL
    level: str = LEVEL_ALL
    as_of: dt.date | None = None
    indicator: str = next(iter(INDICATORS))
    audience: str = ANALYST
    missing: bool = False
    latest: bool = False  # count on the register's latest boundaries instead of those of as_of


@dataclass(frozen=True)
class Note:
    """Why something could not be shown: a sentence and, optionally, details (errors to fix)."""

    text: str
    detail: str = ""


@dataclass(frozen=True)
class Drilldown:
    """What the table view shows: ``table`` (people or events; counts per unit for leadership) and the size of
    the explanation behind it."""

    table: pd.DataFrame
    n_total: int
    n_in_numerator: int


class ExplorerModel:
    """The register, the parameters and the engine of one load, with the cached computations and the frames of the
    current selection."""

    def __init__(self) -> None:
        self.register: Register | None = None
        self.params: Params | None = None
        self.engine: Engine | None = None
        self.selection = Selection()
        self.compute_calls = 0  # Engine.compute calls made (for tests and the benchmark)
        self._records: dict[tuple[dt.date, dt.date], pd.DataFrame] = {}
        self._trend_cache: dict[tuple[dt.date, str, dt.date], pd.DataFrame] = {}
        self._explain_cache: OrderedDict[tuple[Any, ...], pd.DataFrame] = OrderedDict()
        self._order: list[int] = []
        self._pos = np.zeros(0, dtype=np.int64)
        self._labels: list[str] = []
        self._change_days = np.zeros(0, dtype="datetime64[D]")
        self.scorecard_frame = pd.DataFrame(columns=SCORECARD_COLUMNS)

    # --- loading --------------------------------------------------------------------------------------

    def load(self, data: Path, params_file: Path) -> Note | None:
        """Read the parameters and the register; a problem is returned as a note (never raised)."""
        self.register = self.params = self.engine = None
        self._records.clear()
        self._trend_cache.clear()
        self._explain_cache.clear()
        self.scorecard_frame = pd.DataFrame(columns=SCORECARD_COLUMNS)
        problem = self._read(data, params_file)
        if problem is None:
            self._index_units()
            assert self.register is not None
            self._change_days = np.array(self.register.hierarchy.change_days(), dtype="datetime64[D]")
        return problem

    def _read(self, data: Path, params_file: Path) -> Note | None:
        if not params_file.is_file():
            return Note(f"Không tìm thấy tệp tham số: {params_file}. Kiểm tra đường dẫn (đường dẫn tương đối tính "
                        f"từ thư mục dự án {PROJECT_ROOT}).")
        try:
            params = load_params(params_file)
        except (ParameterError, OSError) as exc:
            return Note(f"Tệp tham số {params_file} không hợp lệ. Sửa lỗi dưới đây rồi bấm “Tải dữ liệu”:",
                        str(exc))
        if not data.exists():
            return Note(f"Không tìm thấy thư mục hoặc tệp dữ liệu: {data}. Kiểm tra đường dẫn (đường dẫn tương đối "
                        f"tính từ thư mục dự án {PROJECT_ROOT}; tạo dữ liệu mẫu bằng: python -m cadre_lib sample-data "
                        f"--out data/sample).")
        try:
            register = load_register(data)
        except RegisterError as exc:
            shown = "\n".join(f"- {p}" for p in exc.problems[:30])
            more = f"\n… và {len(exc.problems) - 30} lỗi khác" if len(exc.problems) > 30 else ""
            return Note(f"Dữ liệu tại {data} chưa dùng được: {fmt.number(len(exc.problems))} lỗi. Sửa các lỗi dưới "
                        f"đây (bảng, dòng, cột) rồi bấm “Tải dữ liệu” (kiểm tra: python -m cadre_lib validate "
                        f"--data {data}).", shown + more)
        except CadreError as exc:
            return Note(f"Không đọc được dữ liệu tại {data}:", str(exc))
        except OSError as exc:
            return Note(f"Không đọc được dữ liệu tại {data}: {exc.strerror or exc}")
        except Exception as exc:  # an unreadable file of an unexpected kind: still a note, not a traceback
            return Note(f"Không đọc được dữ liệu tại {data} ({type(exc).__name__}). Kiểm tra tệp bằng: python -m "
                        f"cadre_lib validate --data {data}", str(exc))
        self.params, self.register = params, register
        self.engine = Engine(register, params)
        return None

    def _index_units(self) -> None:
        """The hierarchy order (communes under their district) and the units' names in the controls."""
        assert self.register is not None
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

    # --- units ----------------------------------------------------------------------------------------

    def latest_boundaries(self) -> dt.date | None:
        """The register's latest boundaries: the last day its units changed (a unit started, or the day after one
        ended); ``None`` for a register whose units never change (every date has the same units)."""
        if self.register is None:
            return None
        return self.register.hierarchy.last_change()

    def epoch(self, day: dt.date) -> dt.date:
        """The cache key of boundaries date ``day``: the last day on or before it on which the units changed (every
        day from then to the next change has the same units, hence the same figures); before the first change, the
        day before it; :data:`EARLY` for a register whose units never change. Moving the date within one epoch
        reuses every computation already made."""
        changes = self._change_days
        if not len(changes):
            return EARLY
        i = int(np.searchsorted(changes, np.datetime64(day, "D"), side="right"))
        return (changes[0] - np.timedelta64(1, "D") if i == 0 else changes[i - 1]).astype(dt.date)

    def boundaries_date(self, selection: Selection | None = None) -> dt.date:
        """R of a selection (default: the current one): its reference date, or the latest boundaries."""
        assert self.params is not None
        s = selection or self.selection
        day = s.as_of or self.params.as_of
        latest = self.latest_boundaries() if s.latest else None
        return latest or day

    def _valid(self, day: dt.date | None) -> np.ndarray:
        assert self.engine is not None
        return self.engine.boundaries(day or self.boundaries_date()).valid

    def unit_levels(self, day: dt.date | None = None) -> list[str]:
        """The levels of the parameters that a unit valid on boundaries date ``day`` has (default: the
        selection's)."""
        if self.engine is None:
            return []
        return self.engine.boundaries(day or self.boundaries_date()).levels

    def unit_choices(self, level: str = ALL, search: str = "", day: dt.date | None = None) -> list[tuple[str, str]]:
        """Dropdown options for a unit level among the units valid on boundaries date ``day`` (default: the
        selection's), in hierarchy order (old communes under their district), filtered by a name search (case-
        and diacritic-insensitive; the district name finds its communes)."""
        if self.register is None:
            return []
        h = self.register.hierarchy
        valid = self._valid(day)
        q = fold(search)
        if level == ALL and not q:
            return [(WHOLE_PROVINCE, ALL)]
        out = [(WHOLE_PROVINCE, ALL)] if level == ALL and q in fold(WHOLE_PROVINCE) else []
        for u in self._order:
            if not valid[u]:
                continue
            lv = str(h.levels[u])
            if level != ALL and lv != level:
                continue
            text = self._labels[u] + (f" ({label('level', lv)})" if level == ALL else "")
            if q and q not in fold(text):
                continue
            out.append((text, str(h.unit_ids[u])))
        return out

    def knows(self, unit_id: str) -> bool:
        """``unit_id`` is ``ALL`` or a unit of the loaded register."""
        return self.register is not None and (unit_id == ALL or unit_id in self.register.hierarchy.unit_ids)

    def valid_on(self, unit_id: str, day: dt.date | None = None) -> bool:
        """``unit_id`` is ``ALL`` or a unit valid on boundaries date ``day`` (default: the selection's)."""
        if not self.knows(unit_id):
            return False
        return unit_id == ALL or bool(self._valid(day)[self.register.hierarchy.code(unit_id)])  # type: ignore[union-attr]

    def placed_at(self, unit_id: str, day: dt.date | None = None) -> str | None:
        """The unit valid on ``day`` where the items of ``unit_id`` are placed (itself when valid; its successor),
        ``None`` when there is none."""
        assert self.engine is not None and self.register is not None
        h = self.register.hierarchy
        if unit_id == ALL:
            return ALL
        place = self.engine.boundaries(day or self.boundaries_date()).place
        u = h.code(unit_id)
        to = u if place is None else int(place[u])
        return None if to < 0 else str(h.unit_ids[to])

    def unit_level(self, unit_id: str) -> str:
        """The level of a unit of the register."""
        assert self.register is not None
        h = self.register.hierarchy
        return str(h.levels[h.code(unit_id)])

    def scope_name(self, unit_id: str) -> str:
        if unit_id == ALL or self.register is None:
            return WHOLE_PROVINCE
        h = self.register.hierarchy
        return str(h.names[h.code(unit_id)])

    def not_valid_note(self, unit_id: str, day: dt.date) -> str:
        """Why a unit of the register is no scope on boundaries date ``day``: its validity and its successor."""
        assert self.register is not None
        h = self.register.hierarchy
        span = f" (tồn tại {span_words(h, h.code(unit_id))})"
        start = h.validity(h.code(unit_id))[0]
        if start is not None and start > day:
            return (f"{self.scope_name(unit_id)} (mã “{unit_id}”) chưa thành lập vào ngày {fmt.date(day)}{span}. Chọn "
                    f"địa giới “{BOUNDARY_NAMES[True]}” để xem số liệu của đơn vị trước ngày thành lập (gồm số liệu "
                    f"của các đơn vị trước khi sắp xếp), hoặc chọn ngày số liệu từ ngày {fmt.date(start)}.")
        to = self.placed_at(unit_id, day)
        tail = (f"số liệu của đơn vị được tính vào đơn vị kế thừa {self.scope_name(to)} (mã “{to}”)" if to else
                "không có đơn vị kế thừa: số liệu của đơn vị chỉ tính vào toàn tỉnh")
        return (f"{self.scope_name(unit_id)} (mã “{unit_id}”) không có trong địa giới ngày {fmt.date(day)}{span}; "
                f"{tail}. Chọn đơn vị trong danh sách, hoặc chọn ngày số liệu khi đơn vị còn tồn tại.")

    def children(self, unit: str, day: dt.date | None = None) -> list[str]:
        """The units right below ``unit`` valid on boundaries date ``day`` (default: the selection's; below the
        province root for ``ALL`` when one root is valid)."""
        assert self.register is not None
        h = self.register.hierarchy
        valid = self._valid(day)

        def kids_of(u: str) -> list[str]:
            return [k for k in h.children(u) if valid[h.code(k)]]

        kids = kids_of(unit)
        if unit == ALL and len(kids) == 1:  # one province root: its departments and districts (communes)
            kids = kids_of(kids[0])
        return kids

    # --- cached computations --------------------------------------------------------------------------

    def records(self, as_of: dt.date | None = None, boundaries: dt.date | None = None) -> pd.DataFrame:
        """``Engine.compute(as_of, boundaries=R)`` (every indicator x scope x level; R default as_of), computed once
        per (date, R)."""
        if self.engine is None or self.params is None:
            raise RuntimeError("no register loaded")
        day = as_of or self.params.as_of
        key = (day, self.epoch(boundaries or day))
        if key not in self._records:
            self.compute_calls += 1
            self._records[key] = self.engine.compute(day, boundaries=key[1])
        return self._records[key]

    def indicator_records(self, day: dt.date, indicator: str, boundaries: dt.date | None = None) -> pd.DataFrame:
        """One indicator's records at ``day`` on boundaries ``boundaries`` (default ``day``), from the full
        computation of that (day, R) when there is one."""
        r = self.epoch(boundaries or day)
        if (day, r) in self._records:
            t = self._records[(day, r)]
            return t[t["indicator"].to_numpy() == indicator]
        key = (day, indicator, r)
        if key not in self._trend_cache:
            assert self.engine is not None
            self.compute_calls += 1
            self._trend_cache[key] = self.engine.compute(day, [indicator], boundaries=r)
        return self._trend_cache[key]

    def explain(self, indicator: str, unit_id: str, level: str, missing: bool, day: dt.date,
                boundaries: dt.date | None = None) -> pd.DataFrame:
        """``Engine.explain`` (the rows behind a record), the last 48 kept."""
        key = (indicator, unit_id, level, missing, day, self.epoch(boundaries or day))
        if key in self._explain_cache:
            self._explain_cache.move_to_end(key)
            return self._explain_cache[key]
        assert self.engine is not None
        frame = self.engine.explain(indicator, unit_id, level, missing=missing, as_of=day,
                                    boundaries=key[-1])
        frame = frame.loc[:, ~frame.columns.duplicated()]  # the cadres table repeats name/gender/birth columns
        self._explain_cache[key] = frame
        while len(self._explain_cache) > 48:
            self._explain_cache.popitem(last=False)
        return frame

    # --- the selection and its frames -----------------------------------------------------------------

    def select(self, selection: Selection) -> Note | None:
        """Take the selection and compute its scorecard. A note when there is nothing to show: the scorecard is
        then empty, or (a scope without data) its records all have an empty denominator."""
        if self.engine is None or self.params is None:
            raise RuntimeError("no register loaded")
        self.selection = selection
        self.scorecard_frame = pd.DataFrame(columns=SCORECARD_COLUMNS)
        unit, level, day = selection.unit_id, selection.level, selection.as_of
        if unit is None:
            return Note("Chọn một đơn vị.")
        if day is None:
            return Note("Chọn ngày số liệu (ô “Số liệu đến ngày”).")
        if day < self.params.period_start:
            return Note(f"Ngày số liệu {fmt.date(day)} trước ngày đầu kỳ theo dõi "
                        f"{fmt.date(self.params.period_start)} (tham số period_start). Chọn ngày khác.")
        r = self.boundaries_date(selection)
        if not self.valid_on(unit, r):
            return Note(self.not_valid_note(unit, r))
        t = self.records(day, r)
        scope = t[(t["unit_id"].to_numpy() == unit) & (t["level"].to_numpy() == level)]
        if scope.empty:
            return Note(f"{EMPTY_NOTE}.")
        self.scorecard_frame = self._scorecard_frame(scope)
        if int(scope["denominator"].sum()) == 0:
            name = self.scope_name(unit)
            return Note(f"{EMPTY_NOTE}: {name} không có {level_label(level).lower()} hoặc chưa có dữ liệu đến ngày "
                        f"{fmt.date(day)}." if level != LEVEL_ALL else
                        f"{EMPTY_NOTE}: {name} chưa có dữ liệu đến ngày {fmt.date(day)}.")
        return None

    @staticmethod
    def _scorecard_frame(scope: pd.DataFrame) -> pd.DataFrame:
        f = scope.copy()
        f["label"] = [INDICATORS[i].label_vi for i in f["indicator"]]
        f["result"] = [fmt.share(optional(v), int(n), int(d))
                       for v, n, d in zip(f["value"], f["numerator"], f["denominator"], strict=True)]
        f["target_text"] = [fmt.target_pct(optional(x)) for x in f["target"]]
        f["status_text"] = [NO_DATA if d == 0 and not pd.isna(x) else fmt.status_word(s)
                            for s, d, x in zip(f["status"], f["denominator"], f["target"], strict=True)]
        return f.reset_index(drop=True)[SCORECARD_COLUMNS]

    def _current(self) -> tuple[str, str, dt.date, str]:
        s = self.selection
        assert s.unit_id is not None and s.as_of is not None
        return s.unit_id, s.level, s.as_of, s.indicator

    def unit_changes(self) -> list[dt.date]:
        """The days of the selection's trend period (after its first point) on which a unit whose items the scope
        counts on the selection's boundaries started or ended: where the trend's units changed."""
        assert self.params is not None and self.register is not None and self.engine is not None
        unit, _, day, _ = self._current()
        h = self.register.hierarchy
        place = self.engine.boundaries(self.boundaries_date()).place
        if place is None:
            return []
        inside = np.ones(h.n, dtype=bool) if unit == ALL else np.isin(place, h.descendants(unit))
        return h.changes_between(quarter_ends(self.params.period_start, day)[0], day, inside)

    def chart_frame(self) -> pd.DataFrame:
        """The child units of the scope with data at the level, the lagging ones first (then by name)."""
        assert self.register is not None
        unit, level, day, indicator = self._current()
        h = self.register.hierarchy
        bounds = self.boundaries_date()
        t = self.indicator_records(day, indicator, bounds)
        r = t[t["unit_id"].isin(self.children(unit)) & (t["level"] == level) & (t["denominator"] > 0)].copy()
        codes = h.unit_ids.get_indexer(r["unit_id"])
        r.insert(1, "name", h.names[codes].astype(str))
        r.insert(2, "unit_level", h.levels[codes].astype(str))
        r["_v"] = r["value"].astype(float)
        r = r.sort_values(["_v", "name"], ascending=[INDICATORS[indicator].higher_is_better, True], kind="stable")
        return r.drop(columns=["_v", "indicator"]).reset_index(drop=True)

    def trend_frame(self) -> pd.DataFrame:
        """The scope's record at every quarter end of the period up to the reference date (and at that date), every
        point on the selection's boundaries (R = the reference date, or the latest), as the reports do."""
        assert self.params is not None
        unit, level, day, indicator = self._current()
        bounds = self.boundaries_date()
        rows = []
        for d in quarter_ends(self.params.period_start, day):
            t = self.indicator_records(d, indicator, bounds)
            r = t[(t["unit_id"].to_numpy() == unit) & (t["level"].to_numpy() == level)]
            rows.append(r.assign(date=pd.Timestamp(d)))
        return pd.concat(rows, ignore_index=True)[TREND_COLUMNS]

    def target(self) -> float | None:
        """The target of the selected indicator at the selected level (``None`` without one)."""
        assert self.params is not None
        return self.params.target(self.selection.indicator, self.selection.level)

    def drilldown(self) -> Drilldown:
        """The rows behind the selected record (only those to act on when ``missing``); for leadership, counts
        per unit instead of people."""
        unit, level, day, indicator = self._current()
        frame = self.explain(indicator, unit, level, self.selection.missing, day, self.boundaries_date())
        n_num = int(frame["in_numerator"].sum()) if len(frame) else 0
        table = self.aggregate(frame) if self.selection.audience == LEADERSHIP else frame
        return Drilldown(table, len(frame), n_num)

    def aggregate(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Counts per unit (hierarchy order): what leadership sees instead of people."""
        assert self.register is not None
        h = self.register.hierarchy
        ucol = "unit_id" if "unit_id" in frame.columns else "to_unit_id" if "to_unit_id" in frame.columns else None
        if ucol is None or frame.empty:
            return pd.DataFrame(columns=AGGREGATE_COLUMNS)
        g = frame.groupby(ucol, sort=False)["in_numerator"].agg(["size", "sum"])
        codes = h.unit_ids.get_indexer(g.index)
        out = pd.DataFrame({
            "unit_id": g.index.astype(str), "unit_name": h.names[codes].astype(str),
            "level": h.levels[codes].astype(str),
            "n_total": g["size"].to_numpy(np.int64), "n_in_numerator": g["sum"].to_numpy(np.int64),
        })
        out["n_outside"] = out["n_total"] - out["n_in_numerator"]
        out["_pos"] = [self._pos[c] if c >= 0 else len(self._pos) for c in codes]
        return out.sort_values("_pos", kind="stable").drop(columns="_pos").reset_index(drop=True)[AGGREGATE_COLUMNS]


def span_words(h: Hierarchy, u: int) -> str:
    """``đến ngày 30/06/2025``, ``từ ngày 01/07/2025``: a unit's validity in words."""
    lo, hi = h.validity(u)
    parts = ([f"từ ngày {fmt.date(lo)}"] if lo else []) + ([f"đến ngày {fmt.date(hi)}"] if hi else [])
    return " ".join(parts) or "không giới hạn"


def default_paths(data_dir: str | os.PathLike[str] | None, params_file: str | os.PathLike[str] | None,
                  out_dir: str | os.PathLike[str] | None) -> tuple[str, str, str]:
    """(register, parameters, output folder) as given, else from the environment, else the defaults."""
    return (str(data_dir or os.environ.get(DATA_ENV) or DEFAULT_DATA),
            str(params_file or os.environ.get(PARAMS_ENV) or DEFAULT_PARAMS),
            str(out_dir or os.environ.get(OUT_ENV) or DEFAULT_OUT))
