"""The report context: everything a report shows, computed once per run and shared by every notebook.

The runner builds it once (``build_context``) and saves it; each notebook loads it with
``load_context(..., context_file=...)``. Run alone (vanilla papermill), a notebook builds it itself.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from cadre_lib import __version__
from cadre_lib.core.files import now_iso, resolve_path
from cadre_lib.core.scope import (
    ALL,
    ANALYST,
    AUDIENCES,
    LEADERSHIP,
    LEVEL_ALL,
    UNIT_SELECTION,
    UNIT_SELECTORS,
    Audience,
)
from cadre_lib.errors import ParameterError, UsageError
from cadre_lib.indicators.engine import Boundaries, Engine
from cadre_lib.indicators.quality import QualityReport, assess
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.params import Params, load_params
from cadre_lib.register.hierarchy import Hierarchy, day_number
from cadre_lib.register.validate import Register, load_register

HEADLINE = [
    "young_share_planning",
    "female_share_planning",
    "young_share_key_planning",
    "leadership_training_coverage",
    "rotation_plan_coverage",
    "planning_review_on_time",
]


def quarter_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Quarter ends from the first one on or after ``start`` up to ``end``, and ``end`` itself."""
    out: list[dt.date] = []
    y, q = start.year, (start.month - 1) // 3 + 1
    while True:
        month = 3 * q
        last = dt.date(y + (month == 12), 1 if month == 12 else month + 1, 1) - dt.timedelta(days=1)
        if last > end:
            break
        if last >= start:
            out.append(last)
        q += 1
        if q == 5:
            y, q = y + 1, 1
    if not out or out[-1] != end:
        out.append(end)
    return out


@dataclass
class ReportContext:
    """What every report of a run shows. Figures are counted on the boundaries of as_of (R = as_of): ``units``
    are the units valid on as_of (the scopes of the report), ``levels`` the levels of that day, and the trend
    points (``trends``) are counted on the same boundaries, so today's units carry their predecessors' history.
    ``register_units`` keeps every unit of the register (ended ones too: their names, validity and the unit
    they are placed at on as_of)."""

    params: Params
    indicators: pd.DataFrame
    trends: pd.DataFrame  # indicator records at quarter ends (column "date"), headline indicators, R = as_of
    units: pd.DataFrame  # unit_id, name, level, parent_id of the units valid on as_of (no personal data)
    quality: QualityReport
    provenance: dict[str, Any]
    is_sample: bool
    previous: pd.DataFrame | None = None
    previous_as_of: dt.date | None = None
    register: Register | None = field(default=None, repr=False)  # for analyst action lists only
    #: Levels that a unit valid on as_of has (``Engine.boundaries(as_of).levels``); ``None``: those of ``units``.
    levels: list[str] | None = None
    #: Every unit of the register: unit_id, name, level, parent_id, valid_from, valid_to, placed_id (the unit
    #: its items are placed at on as_of; missing: unplaced). ``None``: ``units`` (a register without validity).
    register_units: pd.DataFrame | None = None
    #: Per scope (ALL or a unit valid on as_of): the days inside the trend period on which a unit whose items
    #: the scope counts started or ended (e.g. 01/07/2025), for the trend charts.
    unit_changes: dict[str, list[dt.date]] = field(default_factory=dict)
    #: Why a unit of the register that is not valid on as_of has no report (the engine's message, naming the
    #: successor its items are placed at).
    not_valid: dict[str, str] = field(default_factory=dict)
    #: When the previous run counted on other boundaries: per (scope, level) of today, the scope of the previous
    #: run that counts exactly the same units' items (its published record is compared), or ``None`` (then the
    #: previous as_of re-computed on today's boundaries, ``previous_rebased``, is compared).
    previous_sources: dict[tuple[str, str], str | None] | None = None
    previous_rebased: pd.DataFrame | None = None

    @property
    def as_of(self) -> dt.date:
        return self.params.as_of

    @property
    def lang(self) -> str:
        return self.params.language

    @property
    def report_levels(self) -> list[str]:
        """The levels of the report (those of as_of's units), in parameter order."""
        if self.levels is not None:
            return list(self.levels)
        present = set(self.units.level)
        return [lv for lv in self.params.levels if lv in present]

    @property
    def all_units(self) -> pd.DataFrame:
        return self.units if self.register_units is None else self.register_units

    @cached_property
    def memo(self) -> dict[Any, Any]:
        """Results the sections derive from the context more than once (a scope's units, its ranked findings),
        computed once per kernel: the context does not change while a report runs."""
        return {}

    @cached_property
    def _unit_info(self) -> dict[str, tuple[str, str]]:
        u = self.all_units
        return {str(i): (str(n), str(lv)) for i, n, lv in zip(u.unit_id, u.name, u.level, strict=True)}

    @cached_property
    def _record_pos(self) -> dict[tuple[str, str, str], int]:
        t = self.indicators
        keys = zip(t.indicator, t.unit_id, t.level, strict=True)
        return {(str(i), str(u), str(lv)): pos for pos, (i, u, lv) in enumerate(keys)}

    def unit_name(self, unit_id: str) -> str:
        if unit_id == ALL:
            return "Toàn tỉnh" if self.lang == "vi" else "Whole province"
        return self._unit_info[unit_id][0]

    def unit_level(self, unit_id: str) -> str | None:
        if unit_id == ALL:
            return None
        return self._unit_info[unit_id][1]

    def record(self, indicator: str, unit_id: str = ALL, level: str = LEVEL_ALL) -> pd.Series:
        """The indicator record of one scope (KeyError if there is none)."""
        return self.indicators.iloc[self._record_pos[(indicator, unit_id, level)]]

    def previous_record(self, indicator: str, unit_id: str = ALL, level: str = LEVEL_ALL
                        ) -> tuple[pd.Series | None, str | None]:
        """The previous run's figure to compare with this scope, and the scope of the previous run it is from
        (``None``: re-computed on today's boundaries, see ``previous_sources``); ``(None, None)`` without one.

        On the same boundaries it is the previous run's record of the same scope. When units changed in between
        (the previous run predates the reform), it is the previous record of the scope that counted exactly the
        same units' items (the unit itself, or the one old unit it continues); a scope that gathers several old
        units (a merged commune) gets the previous as_of re-computed from the register on today's boundaries."""
        prev = self.previous
        if prev is None or prev.empty:
            return None, None
        source = unit_id if self.previous_sources is None else self.previous_sources.get((unit_id, level))
        if source is None:
            return self._previous_from(self.previous_rebased, indicator, unit_id, level), None
        return self._previous_from(prev, indicator, source, level), source

    @cached_property
    def _previous_pos(self) -> dict[int, dict[tuple[str, str, str], int]]:
        out = {}
        for frame in (self.previous, self.previous_rebased):
            if frame is not None:
                keys = zip(frame.indicator, frame.unit_id, frame.level, strict=True)
                out[id(frame)] = {(str(i), str(u), str(lv)): pos for pos, (i, u, lv) in enumerate(keys)}
        return out

    def _previous_from(self, frame: pd.DataFrame | None, indicator: str, unit_id: str, level: str
                       ) -> pd.Series | None:
        if frame is None:
            return None
        pos = self._previous_pos.get(id(frame), {}).get((indicator, unit_id, level))
        return None if pos is None else frame.iloc[pos]

    def engine(self) -> Engine:
        if self.register is None:
            raise RuntimeError("this context was built without the register (leadership audience)")
        return Engine(self.register, self.params)

    def report_units(self, selection: str | list[str] = "default") -> list[str]:
        """Unit codes that get a report, among the units valid on as_of: a selector of
        :data:`cadre_lib.core.scope.UNIT_SELECTION` (``default`` or ``""``: the province's departments and the
        district-level units, the children of the roots at level tinh or huyen — after 01/7/2025 the departments
        only, the communes being ranked in the overview; ``all``: every unit valid on as_of, communes included;
        ``none``; ``departments``; ``districts`` (none after the reform); ``communes``), or unit codes (a list, or
        ``"X12019,S-NV"``). A code of a unit that is not valid on as_of is an error naming its successor."""
        units = self.units
        if selection == "":
            selection = "default"
        if isinstance(selection, str) and selection in UNIT_SELECTION:
            roots = set(units.loc[units.parent_id.isna(), "unit_id"])
            top = units.parent_id.isin(roots).to_numpy()
            keep = np.zeros(len(units), dtype=bool)
            for level, top_only in UNIT_SELECTION[selection]:
                part = top if top_only else np.ones(len(units), dtype=bool)
                keep |= part & (True if level is None else (units.level == level).to_numpy())
            return [str(u) for u in units.unit_id[keep]]
        wanted = selection if isinstance(selection, list) else [s.strip() for s in selection.split(",") if s.strip()]
        problems = [self.not_valid[u] for u in wanted if u in self.not_valid]
        if problems:
            problems[-1] += " (a report counts on the units valid on its as_of; --as-of changes both)"
        known = set(units.unit_id)
        unknown = [u for u in wanted if u not in known and u not in self.not_valid]
        if unknown:
            problems.append(f"unknown unit(s) {', '.join(unknown)}; use a unit code, or one of "
                            f"{', '.join(UNIT_SELECTORS)}")
        if problems:
            raise UsageError("--units: " + "; ".join(problems))
        return wanted

    def save(self, path: Path) -> None:
        _ = self._record_pos, self._unit_info  # build the lookups once, for every notebook that loads this
        with path.open("wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)


def _previous(previous_dir: Path | None) -> tuple[pd.DataFrame | None, dt.date | None]:
    if previous_dir is None:
        return None, None
    f = previous_dir / "indicators.json"
    m = previous_dir / "manifest.json"
    if not f.exists():
        return None, None
    try:
        frame = pd.DataFrame(json.loads(f.read_text(encoding="utf-8")))
        as_of = None
        if m.exists():
            raw = json.loads(m.read_text(encoding="utf-8")).get("parameters", {}).get("as_of")
            as_of = dt.date.fromisoformat(raw) if raw else None
        return frame, as_of
    except (ValueError, OSError, KeyError):
        return None, None


def _unit_changes(h: Hierarchy, bounds: Boundaries, start: dt.date, end: dt.date) -> dict[str, list[dt.date]]:
    """Per scope (ALL and the units valid on the boundaries date): the days in (start, end] on which a unit whose
    items the scope counts (placed in its subtree; every unit for ALL, unplaced ones included) started or ended
    (the day after its valid_to). Scopes without a change are left out."""
    if bounds.place is None:
        return {}
    out = {ALL: h.changes_between(start, end, np.ones(h.n, dtype=bool))}
    for u in np.flatnonzero(bounds.valid):
        uid = str(h.unit_ids[u])
        out[uid] = h.changes_between(start, end, np.isin(bounds.place, h.descendants(uid)))
    return {k: v for k, v in out.items() if v}


def _previous_sources(h: Hierarchy, before: Boundaries, now: Boundaries, levels: list[str]
                      ) -> dict[tuple[str, str], str | None]:
    """Per (scope, level) of ``now``: the scope of ``before`` whose record counts exactly the same units' items
    (every unit w of the register that existed on ``before`` is placed inside the old scope on ``before`` iff it
    is placed inside the new scope on ``now``, at that level), or ``None`` when there is none (a scope that
    gathers several old units, or lost some: a district's own rows unplaced after the reform). Units founded after
    ``before`` are left out of the comparison: nothing of a consistent register is typed on them before they
    exist (data quality lists what is)."""
    assert before.place is not None and now.place is not None
    n = h.n
    lv = h.levels
    existed = h.valid_from <= day_number(before.day)

    def inside(place: np.ndarray, scope: int, level: str) -> np.ndarray:
        ok = place >= 0
        if scope >= 0:
            sub = np.zeros(n, dtype=bool)
            sub[h.descendants(str(h.unit_ids[scope]))] = True
            ok &= sub[np.maximum(place, 0)]
        if level != LEVEL_ALL:
            ok &= lv[np.maximum(place, 0)] == level
        return ok

    out: dict[tuple[str, str], str | None] = {}
    for u in [-1, *np.flatnonzero(now.valid).tolist()]:
        uid = ALL if u < 0 else str(h.unit_ids[u])
        if u < 0:
            candidate = -1
        elif before.valid[u]:
            candidate = u
        else:
            olds = np.flatnonzero(before.valid & (now.place == u))
            candidate = int(olds[0]) if len(olds) == 1 else -2
        for level in [LEVEL_ALL, *levels]:
            if u < 0 and level == LEVEL_ALL:
                out[(uid, level)] = ALL  # (ALL, all) counts every item on any boundaries
                continue
            same = candidate >= -1 and (level == LEVEL_ALL or level in before.levels) and np.array_equal(
                inside(before.place, candidate, level)[existed], inside(now.place, u, level)[existed])
            out[(uid, level)] = (ALL if candidate < 0 else str(h.unit_ids[candidate])) if same else None
    return out


def build_context(data_dir: str | Path, params_file: str | Path | None = None, as_of: str | dt.date | None = None,
                  *, audience: Audience = LEADERSHIP, previous_dir: Path | None = None,
                  register: Register | None = None, params: Params | None = None) -> ReportContext:
    params = params or load_params(params_file or None, as_of or None)
    register = register or load_register(data_dir)
    engine = Engine(register, params)
    day = params.as_of
    bounds = engine.boundaries(day)  # R = as_of for the figures and for every trend point
    indicators = engine.compute(day, boundaries=day)
    frames = []
    points = quarter_ends(params.period_start, day)
    for point in points:
        t = engine.compute(point, HEADLINE, boundaries=day)
        t.insert(0, "date", pd.Timestamp(point))
        frames.append(t)
    trends = pd.concat(frames, ignore_index=True)
    h = register.hierarchy
    every = register.units[["unit_id", "name", "level", "parent_id"]].copy()
    every["valid_from"] = register.units["valid_from"] if "valid_from" in register.units else pd.NaT
    every["valid_to"] = register.units["valid_to"] if "valid_to" in register.units else pd.NaT
    place = bounds.place if bounds.place is not None else np.arange(h.n)
    every["placed_id"] = np.where(place >= 0, h.unit_ids.to_numpy()[np.maximum(place, 0)], None)
    units = every.loc[bounds.valid, ["unit_id", "name", "level", "parent_id"]].reset_index(drop=True)
    not_valid = {str(u): engine.not_valid_message(str(u), day) for u in h.unit_ids[~bounds.valid]}
    prev, prev_as_of = _previous(previous_dir)
    sources, rebased = None, None
    if prev is not None and prev_as_of is not None and bounds.place is not None:
        before = engine.boundaries(prev_as_of)
        assert before.place is not None
        if not (np.array_equal(before.place, bounds.place) and np.array_equal(before.valid, bounds.valid)):
            sources = _previous_sources(h, before, bounds, bounds.levels)
            rebased = engine.compute(prev_as_of, boundaries=day)
    provenance = {
        "register": str(Path(data_dir)),
        "files": dict(register.files),
        "parameters": json.loads(params.model_dump_json()),
        "parameters_file": str(params_file or "parameters/default.yaml"),
        "as_of": params.as_of.isoformat(),
        "boundaries": day.isoformat(),
        "toolkit_version": __version__,
        "generated_at": now_iso(),
        "indicators": list(INDICATORS),
    }
    return ReportContext(
        params=params,
        indicators=indicators,
        trends=trends,
        units=units,
        quality=assess(register, params),
        provenance=provenance,
        is_sample=register.is_sample,
        previous=prev,
        previous_as_of=prev_as_of,
        register=register if audience == ANALYST else None,
        levels=list(bounds.levels),
        register_units=every if h.has_validity else None,
        unit_changes=_unit_changes(h, bounds, points[0], day),
        not_valid=not_valid,
        previous_sources=sources,
        previous_rebased=rebased,
    )


def _resolve(path: str) -> str:
    """Paths in notebook parameters are relative to the project root, wherever the kernel runs."""
    return str(resolve_path(path)) if path else ""


def load_context(data_dir: str = "", params_file: str = "", as_of: str = "", audience: str = LEADERSHIP,
                 context_file: str = "") -> ReportContext:
    """The notebooks' entry point: the runner's precomputed context, or a fresh one."""
    import warnings

    warnings.filterwarnings("ignore", module="matplotlib")  # report readers must not see library warnings
    if audience not in AUDIENCES:
        raise ParameterError(f"audience must be {' or '.join(map(repr, AUDIENCES))}, not {audience!r}")
    if context_file:
        with Path(context_file).open("rb") as f:
            ctx: ReportContext = pickle.load(f)  # written by our own runner
        if audience == LEADERSHIP:
            ctx.register = None
        return ctx
    return build_context(_resolve(data_dir or "data/sample"), _resolve(params_file) or None, as_of or None,
                         audience=cast(Audience, audience))
