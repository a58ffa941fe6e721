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

import pandas as pd

from cadre_lib import __version__
from cadre_lib.core.files import now_iso, resolve_path
from cadre_lib.core.scope import ALL, ANALYST, AUDIENCES, LEADERSHIP, LEVEL_ALL, UNIT_SELECTORS, Audience
from cadre_lib.errors import ParameterError, UsageError
from cadre_lib.indicators.engine import Engine
from cadre_lib.indicators.quality import QualityReport, assess
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.params import Params, load_params
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
    params: Params
    indicators: pd.DataFrame
    trends: pd.DataFrame  # indicator records at quarter ends (column "date"), headline indicators
    units: pd.DataFrame  # unit_id, name, level, parent_id (no personal data)
    quality: QualityReport
    provenance: dict[str, Any]
    is_sample: bool
    previous: pd.DataFrame | None = None
    previous_as_of: dt.date | None = None
    register: Register | None = field(default=None, repr=False)  # for analyst action lists only

    @property
    def as_of(self) -> dt.date:
        return self.params.as_of

    @property
    def lang(self) -> str:
        return self.params.language

    @cached_property
    def _unit_info(self) -> dict[str, tuple[str, str]]:
        return {str(u): (str(n), str(lv)) for u, n, lv in zip(self.units.unit_id, self.units.name, self.units.level,
                                                               strict=True)}

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

    def engine(self) -> Engine:
        if self.register is None:
            raise RuntimeError("this context was built without the register (leadership audience)")
        return Engine(self.register, self.params)

    def report_units(self, selection: str | list[str] = "default") -> list[str]:
        """Unit codes that get a report: a selector of :data:`cadre_lib.core.scope.UNIT_SELECTORS`
        (``default`` or ``""``: departments and district-level units, the children of the roots;
        ``all``; ``none``; ``departments`` / ``districts``: children of the roots at level tinh / huyen;
        ``communes``: units at level xa), or unit codes (a list, or ``"VG,KC"``)."""
        units = self.units
        if selection == "":
            selection = "default"
        if isinstance(selection, str) and selection in UNIT_SELECTORS:
            roots = set(units.loc[units.parent_id.isna(), "unit_id"])
            top = units[units.parent_id.isin(roots)]
            chosen = {
                "default": top,
                "all": units,
                "none": units.iloc[0:0],
                "departments": top[top.level == "tinh"],
                "districts": top[top.level == "huyen"],
                "communes": units[units.level == "xa"],
            }[selection]
            return [str(u) for u in chosen.unit_id]
        wanted = selection if isinstance(selection, list) else [s.strip() for s in selection.split(",") if s.strip()]
        known = set(units.unit_id)
        unknown = [u for u in wanted if u not in known]
        if unknown:
            raise UsageError(f"--units: unknown unit(s) {', '.join(unknown)}; use a unit code, "
                             f"or one of {', '.join(UNIT_SELECTORS)}")
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


def build_context(data_dir: str | Path, params_file: str | Path | None = None, as_of: str | dt.date | None = None,
                  *, audience: Audience = LEADERSHIP, previous_dir: Path | None = None,
                  register: Register | None = None, params: Params | None = None) -> ReportContext:
    params = params or load_params(params_file or None, as_of or None)
    register = register or load_register(data_dir)
    engine = Engine(register, params)
    indicators = engine.compute()
    frames = []
    for day in quarter_ends(params.period_start, params.as_of):
        t = engine.compute(day, HEADLINE)
        t.insert(0, "date", pd.Timestamp(day))
        frames.append(t)
    trends = pd.concat(frames, ignore_index=True)
    units = register.units[["unit_id", "name", "level", "parent_id"]].copy()
    prev, prev_as_of = _previous(previous_dir)
    provenance = {
        "register": str(Path(data_dir)),
        "files": dict(register.files),
        "parameters": json.loads(params.model_dump_json()),
        "parameters_file": str(params_file or "parameters/default.yaml"),
        "as_of": params.as_of.isoformat(),
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
