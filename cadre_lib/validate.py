"""Validation: typed parsing of every column and the cross-table checks of the data contract.

``load_register(path)`` returns a :class:`Register` or raises :class:`RegisterError` listing every
problem at once (table, spreadsheet row, column, value).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem, RegisterError
from .hierarchy import Hierarchy
from .sources import RawTable, read_register
from .vocab import ColumnSpec, TableSpec, code_map, fold, tables

TABLE_ORDER = ["units", "cadres", "planning", "training", "movements", "evaluations", "unit_reports"]
_MIN_DATE = pd.Timestamp("1900-01-01")


@dataclass
class Register:
    """A validated register: one typed DataFrame per table (canonical columns plus ``_row``, the
    spreadsheet row) and the unit hierarchy."""

    path: Path
    units: pd.DataFrame
    cadres: pd.DataFrame
    planning: pd.DataFrame
    training: pd.DataFrame
    movements: pd.DataFrame
    evaluations: pd.DataFrame
    unit_reports: pd.DataFrame
    hierarchy: Hierarchy
    sources: dict[str, str] = field(default_factory=dict)  # table -> file/sheet as the user sees it
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256
    warnings: list[str] = field(default_factory=list)
    is_sample: bool = False

    def table(self, name: str) -> pd.DataFrame:
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "sample_data": self.is_sample,
            "rows": {name: int(len(self.table(name))) for name in TABLE_ORDER},
            "units_by_level": {str(k): int(v) for k, v in self.units["level"].value_counts().sort_index().items()},
            "files": dict(self.files),
            "warnings": list(self.warnings),
        }


# --- column parsing -------------------------------------------------------------------------------


class _Collector:
    def __init__(self, raw: RawTable):
        self.raw = raw
        self.problems: list[Problem] = []

    def add(self, mask: np.ndarray, column: str, message: str, values: pd.Series | None = None) -> None:
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        vals = values.to_numpy()[idx] if values is not None else [None] * len(idx)
        rows = self.raw.rows[idx]
        for r, v in zip(rows, vals, strict=True):
            self.problems.append(Problem(self.raw.name, message, self.raw.source, int(r), column, v))


def _nfc(s: pd.Series) -> pd.Series:
    """NFC-normalise a text column (vectorised with pyarrow when the column is Arrow-backed)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(s.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        out = pc.utf8_normalize(arr, form="NFC")
        return pd.Series(out.to_pandas(types_mapper=pd.ArrowDtype).astype("str"), index=s.index)
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return s.astype(str).str.normalize("NFC")


def _map_values(s: pd.Series, mapping: dict[str, str | None]) -> pd.Series:
    """``s.map(mapping)`` through the distinct values only (fast on large, repetitive columns)."""
    codes, uniques = pd.factorize(s)
    table = np.array([mapping.get(u) for u in uniques] + [None], dtype=object)
    return pd.Series(table[codes], index=s.index, dtype=object)


def _parse_dates(s: pd.Series) -> pd.Series:
    t = s.str.replace(r"[ T]00:00(:00)?(\.0+)?$", "", regex=True)
    out = pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")
    rest = out.isna() & (t != "")
    if rest.any():
        out = out.where(~rest, pd.to_datetime(t.where(rest, ""), format="%d/%m/%Y", errors="coerce"))
    return out.astype("datetime64[s]")


def _parse_column(raw_values: pd.Series, spec: ColumnSpec, col: _Collector) -> pd.Series:
    s = _nfc(raw_values)
    blank = (s == "").to_numpy()
    name = spec.name
    if not spec.nullable and spec.type != "bool":
        col.add(blank, name, "a value is required")
    if spec.type in ("id", "text"):
        return s.where(~blank, None) if spec.nullable else s
    if spec.type == "date":
        out = _parse_dates(s)
        bad = (out.isna().to_numpy() & ~blank)
        col.add(bad, name, "not a date (use YYYY-MM-DD or DD/MM/YYYY)", s)
        early = (out < _MIN_DATE).fillna(False).to_numpy()
        col.add(early, name, "implausible date (before 1900)", s)
        return out.where(~early)
    if spec.type == "int":
        num = pd.to_numeric(s.where(~blank, None), errors="coerce")
        bad = ((num.isna() | (num % 1 != 0)).to_numpy() & ~blank)
        col.add(bad, name, "not a whole number", s)
        return num.where(~pd.Series(bad, index=num.index)).astype("Int64")
    if spec.type == "bool":
        mapping = code_map("bool")
        uniq = {v: mapping.get(fold(v)) for v in pd.unique(s) if v != ""}
        mapped = _map_values(s, uniq)
        bad = (mapped.isna().to_numpy() & ~blank)
        col.add(bad, name, "not a yes/no value (use true/false, 1/0, x/blank, có/không, yes/no)", s)
        return (mapped == "true").fillna(False).astype(bool)
    vocab = spec.vocabulary
    assert vocab is not None, spec.type
    mapping = code_map(vocab)
    uniq = {v: mapping.get(fold(v)) for v in pd.unique(s) if v != ""}
    mapped = _map_values(s, uniq)
    bad = (mapped.isna().to_numpy() & ~blank)
    allowed = sorted(set(mapping.values()))
    col.add(bad, name, f"unknown {vocab} code (allowed: {', '.join(allowed)})", s)
    return mapped.astype(object)


def _parse_table(raw: RawTable, spec: TableSpec, warnings: list[str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    col = _Collector(raw)
    header_map = spec.header_map()
    chosen: dict[str, str] = {}
    for header in raw.frame.columns:
        canon = header_map.get(fold(header))
        if canon is None:
            if str(header).strip():
                warnings.append(f"{raw.source}: extra column '{header}' ignored")
            continue
        if canon in chosen:
            col.problems.append(
                Problem(raw.name, f"columns '{chosen[canon]}' and '{header}' both mean '{canon}'", raw.source,
                        1, str(header))
            )
            continue
        chosen[canon] = str(header)
    missing = [c.name for c in spec.columns.values() if not c.optional and c.name not in chosen]
    for m in missing:
        aliases = ", ".join(spec.columns[m].aliases[:3])
        col.problems.append(
            Problem(raw.name, f"required column '{m}' is missing (also accepted: {aliases})", raw.source, 1, m)
        )
    if missing:
        return None, col.problems
    n = len(raw.frame)
    data: dict[str, Any] = {}
    for cspec in spec.columns.values():
        if cspec.name in chosen:
            values = raw.frame[chosen[cspec.name]]
            values = values.reset_index(drop=True)
        else:
            values = pd.Series([""] * n, dtype=object)
        data[cspec.name] = _parse_column(values, cspec, col)
    frame = pd.DataFrame(data)
    frame["_row"] = raw.rows.astype(np.int64)
    return frame, col.problems


def _empty_table(spec: TableSpec) -> pd.DataFrame:
    dtypes = {"date": "datetime64[s]", "int": "Int64", "bool": bool}
    data = {c.name: pd.Series(dtype=dtypes.get(c.type, object)) for c in spec.columns.values()}
    data["_row"] = pd.Series(dtype=np.int64)
    return pd.DataFrame(data)


# --- cross-table checks ---------------------------------------------------------------------------


def _where(frame: pd.DataFrame, mask: pd.Series | np.ndarray, table: str, source: str, column: str,
           message: str) -> list[Problem]:
    m = np.asarray(mask, dtype=bool)
    sub = frame.loc[m]
    return [
        Problem(table, message, source, int(r), column, v)
        for r, v in zip(sub["_row"], sub[column] if column in sub else [None] * len(sub), strict=True)
    ]


def _duplicates(frame: pd.DataFrame, key: list[str], table: str, source: str) -> list[Problem]:
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return []
    first_row = frame.loc[dup].groupby(key, sort=False)["_row"].transform("min")
    out = []
    sub = frame.loc[dup]
    for (_, r), first in zip(sub.iterrows(), first_row, strict=True):
        if r["_row"] == first:
            continue
        value = r[key[0]] if len(key) == 1 else tuple(r[k] for k in key)
        what = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
        out.append(Problem(table, f"duplicate {what}, already on row {first}", source, int(r["_row"]),
                           key[-1] if len(key) > 1 else key[0], value))
    return out


def _cross_checks(t: dict[str, pd.DataFrame], src: dict[str, str], today: dt.date, parsed: set[str]
                  ) -> list[Problem]:
    problems: list[Problem] = []
    units, cadres = t["units"], t["cadres"]
    for name, spec in tables().items():
        if spec.key and name in t:
            problems += _duplicates(t[name], list(spec.key), name, src.get(name, name))
    unit_ids = pd.Index(units["unit_id"].dropna().unique().astype(object))
    cadre_ids = pd.Index(cadres["cadre_id"].dropna().unique().astype(object))

    def ref(table: str, column: str, index: pd.Index, what: str) -> None:
        target = "units" if index is unit_ids else "cadres"
        if table not in parsed or target not in parsed:
            return
        f = t[table]
        v = f[column]
        known = index.get_indexer(v.to_numpy(dtype=object)) >= 0
        mask = v.notna().to_numpy() & (v != "").to_numpy() & ~known
        problems.extend(_where(f, mask, table, src.get(table, table), column, f"unknown {what}"))

    ref("units", "parent_id", unit_ids, "parent unit (not in units)")
    ref("cadres", "unit_id", unit_ids, "unit (not in units)")
    ref("planning", "cadre_id", cadre_ids, "cadre (not in cadres)")
    ref("planning", "unit_id", unit_ids, "unit (not in units)")
    ref("training", "cadre_id", cadre_ids, "cadre (not in cadres)")
    ref("movements", "cadre_id", cadre_ids, "cadre (not in cadres)")
    ref("movements", "to_unit_id", unit_ids, "unit (not in units)")
    ref("movements", "from_unit_id", unit_ids, "unit (not in units)")
    ref("evaluations", "cadre_id", cadre_ids, "cadre (not in cadres)")
    ref("unit_reports", "unit_id", unit_ids, "unit (not in units)")

    p = t["planning"]
    problems += _where(p, (p["removed_on"] < p["added_on"]).fillna(False), "planning", src.get("planning", ""),
                       "removed_on", "removed_on is before added_on")
    c = t["cadres"]
    problems += _where(c, (c["birth_date"] > pd.Timestamp(today)).fillna(False), "cadres", src.get("cadres", ""),
                       "birth_date", "birth date in the future")
    if "units" in parsed:
        problems += _cycles(units, src.get("units", "units"))
    return problems


def _cycles(units: pd.DataFrame, source: str) -> list[Problem]:
    parent = dict(zip(units["unit_id"], units["parent_id"], strict=True))
    row = dict(zip(units["unit_id"], units["_row"], strict=True))
    in_cycle: set[str] = set()
    state: dict[str, int] = {}
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = parent[node]
        if node is not None and state.get(node) == 1 and node in path:
            in_cycle.update(path[path.index(node):])
        for n in path:
            state[n] = 2
    out = []
    for u in sorted(in_cycle, key=lambda x: row[x]):
        out.append(Problem("units", "parent cycle: the unit is its own ancestor", source, int(row[u]), "parent_id",
                           parent[u]))
    if not units.empty and not in_cycle and not units["parent_id"].isna().any():
        out.append(Problem("units", "no root unit (a unit with a blank parent_id)", source))
    return out


def _problem_order(p: Problem) -> tuple[int, int, int]:
    t = TABLE_ORDER.index(p.table) if p.table in TABLE_ORDER else -1
    cols = list(tables()[p.table].columns) if p.table in tables() else []
    c = cols.index(p.column) if p.column in cols else -1
    return (t, p.row or 0, c)


def load_register(path: str | Path, *, today: dt.date | None = None) -> Register:
    """Read, parse and validate a register. Raises :class:`RegisterError` with every problem found."""
    raw = read_register(path)
    problems = list(raw.problems)
    warnings: list[str] = []
    typed: dict[str, pd.DataFrame] = {}
    sources: dict[str, str] = {}
    parsed: set[str] = set()
    for name in TABLE_ORDER:
        spec = tables()[name]
        rt = raw.tables.get(name)
        if rt is None:
            typed[name] = _empty_table(spec)
            continue
        sources[name] = rt.source
        frame, probs = _parse_table(rt, spec, warnings)
        problems += probs
        typed[name] = frame if frame is not None else _empty_table(spec)
        if frame is not None:
            parsed.add(name)
        if name == "units" and frame is not None and frame.empty:
            problems.append(Problem(name, "the table has no data rows", rt.source))
    problems += _cross_checks(typed, sources, today or dt.date.today(), parsed)
    if problems:
        raise RegisterError(sorted(problems, key=_problem_order))
    hierarchy = Hierarchy.from_units(typed["units"])
    return Register(path=Path(path), hierarchy=hierarchy, sources=sources, files=raw.files, warnings=warnings,
                    is_sample=raw.is_sample, **typed)
