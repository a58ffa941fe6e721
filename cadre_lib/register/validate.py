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

from cadre_lib.errors import Problem, RegisterError
from cadre_lib.register import boundaries
from cadre_lib.register.arrowtext import isin_many, lookup, nfc_series
from cadre_lib.register.cells import column_letter, screen
from cadre_lib.register.contract import ColumnSpec, TableSpec, code_map, fold, tables
from cadre_lib.register.hierarchy import Hierarchy
from cadre_lib.register.sources import RawTable, read_register

TABLE_ORDER = ["units", "unit_successors", "cadres", "planning", "training", "movements", "evaluations", "unit_reports"]
_MIN_DATE = pd.Timestamp("1900-01-01")
#: Headers of a numbering column (STT, TT): ignored without a warning.
_NUMBERING = {"stt", "tt", "so tt", "so thu tu", "no"}


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
    unit_successors: pd.DataFrame = field(default_factory=pd.DataFrame)  # v2; empty for a v1 register
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
        self.skip: dict[str, np.ndarray] = {}  # column -> rows already reported (error cells ...)

    def add(self, mask: np.ndarray, column: str, message: str, values: pd.Series | None = None,
            codes: np.ndarray | None = None) -> None:
        """One problem per row of ``mask``, showing the row's value: ``values[row]``, or
        ``values[codes[row]]`` when ``values`` holds the distinct values of the column."""
        if column in self.skip:
            mask = mask & ~self.skip[column]
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        if values is None:
            vals: Any = [None] * len(idx)
        else:
            vals = values.iloc[idx if codes is None else codes[idx]].to_numpy()
        rows = self.raw.rows[idx]
        for r, v in zip(rows, vals, strict=True):
            self.problems.append(Problem(self.raw.name, message, self.raw.source, int(r), column, v))



def _parse_dates(s: pd.Series) -> pd.Series:
    t = s.str.replace(r"[ T]00:00(:00)?(\.0+)?$", "", regex=True)
    out = pd.to_datetime(t, format="%Y-%m-%d", errors="coerce")
    rest = out.isna() & (t != "")
    if rest.any():
        out = out.where(~rest, pd.to_datetime(t.where(rest, ""), format="%d/%m/%Y", errors="coerce"))
    return out.astype("datetime64[s]")


def _excel_serials(u: pd.Series, bad: np.ndarray) -> np.ndarray:
    """Which unreadable dates are numbers of days since 1899-12-30 between 1910 and 2099 (how Excel stores
    a date): the column was saved as numbers, not dates."""
    if not bad.any():
        return bad
    num = pd.to_numeric(u.where(bad, None), errors="coerce")
    return ((num >= 3653) & (num <= 73050)).fillna(False).to_numpy(dtype=bool) & bad


def _screen(values: pd.Series, spec: ColumnSpec, col: _Collector) -> pd.Series:
    """Report the Excel error cells, formulas without a value and over-long cells of a column; they are
    blanked (and no other problem is reported for them)."""
    bad_cells = screen(values, col.raw.name, spec, col.raw.marked)
    if not bad_cells:
        return values
    bad = np.zeros(len(values), dtype=bool)
    for b in bad_cells:
        bad[b.index] = True
        col.problems.extend(Problem(col.raw.name, b.message, col.raw.source, int(r), spec.name, v, b.code)
                            for r, v in zip(col.raw.rows[b.index], b.values, strict=True))
    col.skip[spec.name] = bad
    return values.where(~bad, "")


def _parse_column(raw_values: pd.Series, spec: ColumnSpec, col: _Collector) -> pd.Series:
    name = spec.name
    if spec.type in ("id", "text"):
        s = nfc_series(raw_values)
        blank = (s == "").to_numpy()
        if not spec.nullable:
            col.add(blank, name, "a value is required")
        return s.where(~blank, None) if spec.nullable else s
    # Dates, numbers, booleans and codes repeat a few thousand distinct values over millions of cells:
    # parse the distinct values (``u``) once, then spread the results back through the codes.
    codes, uniques = pd.factorize(raw_values, use_na_sentinel=False)
    u = nfc_series(pd.Series(uniques))
    blank = (u == "").to_numpy()
    if not spec.nullable and spec.type != "bool":
        col.add(blank[codes], name, "a value is required")

    def report(bad: np.ndarray, message: str) -> None:
        col.add(bad[codes], name, message, u, codes)

    def spread(parsed: pd.Series) -> pd.Series:
        return parsed.take(codes).set_axis(raw_values.index)

    if spec.type == "date":
        dates = _parse_dates(u)
        bad = dates.isna().to_numpy() & ~blank
        serial = _excel_serials(u, bad)
        report(serial, "looks like an Excel serial number (a date stored as a number): format the column as a "
               "date in Excel (Format Cells > Date) and save again, or type YYYY-MM-DD or DD/MM/YYYY")
        report(bad & ~serial, "not a date (use YYYY-MM-DD or DD/MM/YYYY)")
        early = (dates < _MIN_DATE).fillna(False).to_numpy()
        report(early, "implausible date (before 1900)")
        return spread(dates.where(~early))
    if spec.type == "int":
        num = pd.to_numeric(u.where(~blank, None), errors="coerce")
        bad = (num.isna() | (num % 1 != 0) | ~(num.abs() < 2**63)).to_numpy() & ~blank
        report(bad, "not a whole number")
        return spread(num.where(~bad).astype("Int64"))
    vocab = spec.vocabulary or "bool"
    mapping = code_map(vocab)
    mapped = pd.Series([mapping.get(fold(v)) if isinstance(v, str) and v else None for v in u], dtype=object)
    bad = mapped.isna().to_numpy() & ~blank
    if spec.type == "bool":
        report(bad, "not a yes/no value (use true/false, 1/0, x/blank, có/không, yes/no)")
        return pd.Series((mapped == "true").to_numpy(dtype=bool)[codes], index=raw_values.index)
    assert spec.vocabulary is not None, spec.type
    allowed = sorted(set(mapping.values()))
    report(bad, f"unknown {vocab} code (allowed: {', '.join(allowed)})")
    return pd.Series(mapped.to_numpy()[codes], index=raw_values.index, dtype=object)


def _parse_table(raw: RawTable, spec: TableSpec, warnings: list[str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    col = _Collector(raw)
    header_map = spec.header_map()
    chosen: dict[str, str] = {}
    position: dict[str, int] = {}  # by position: two headers may read the same once stripped
    for pos, header in enumerate(raw.frame.columns):
        canon = header_map.get(fold(header))
        if canon is None:
            if str(header).strip() and fold(header) not in _NUMBERING:
                warnings.append(f"{raw.source}: extra column '{header}' ignored")
            continue
        if canon in chosen:
            col.problems.append(
                Problem(raw.name, f"columns {column_letter(position[canon])} ('{chosen[canon]}') and "
                        f"{column_letter(pos)} ('{header}') both mean '{canon}': keep one of them", raw.source,
                        raw.header_row, str(header), code="duplicate_column")
            )
            continue
        chosen[canon] = str(header)
        position[canon] = pos
    missing = [c.name for c in spec.columns.values() if not c.optional and c.name not in chosen]
    for m in missing:
        aliases = ", ".join(spec.columns[m].aliases[:3])
        col.problems.append(
            Problem(raw.name, f"required column '{m}' is missing (also accepted: {aliases})", raw.source,
                    raw.header_row, m)
        )
    if missing:
        return None, col.problems
    n = len(raw.frame)
    data: dict[str, Any] = {}
    for cspec in spec.columns.values():
        if cspec.name in chosen:
            values = _screen(raw.frame.iloc[:, position[cspec.name]].reset_index(drop=True), cspec, col)
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


def _duplicated(frame: pd.DataFrame, key: list[str]) -> np.ndarray:
    """``frame.duplicated(key, keep=False)`` through integer group codes (missing values are equal)."""
    group = np.zeros(len(frame), dtype=np.int64)
    n_groups = 1
    for k in key:
        codes, uniques = pd.factorize(frame[k], use_na_sentinel=False)
        group = group * len(uniques) + codes
        n_groups *= len(uniques)
        if n_groups > 4 * len(frame):  # keep the codes dense enough for bincount
            group, uniques = pd.factorize(group)
            n_groups = len(uniques)
    dup: np.ndarray = np.bincount(group, minlength=n_groups)[group] > 1
    return dup


def _duplicates(frame: pd.DataFrame, key: list[str], table: str, source: str) -> list[Problem]:
    dup = _duplicated(frame, key)
    if not dup.any():
        return []
    sub = frame.loc[dup]
    first_row = sub.groupby(key, sort=False)["_row"].transform("min")
    what = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
    column = key[-1] if len(key) > 1 else key[0]
    out = []
    for cells, first in zip(sub[[*key, "_row"]].to_numpy(dtype=object), first_row, strict=True):
        row = cells[-1]
        if row == first:
            continue
        value = cells[0] if len(key) == 1 else tuple(cells[:-1])
        out.append(Problem(table, f"duplicate {what}, already on row {first}", source, int(row), column, value))
    return out


def _cross_checks(t: dict[str, pd.DataFrame], src: dict[str, str], today: dt.date, parsed: set[str]
                  ) -> list[Problem]:
    problems: list[Problem] = []
    units, cadres = t["units"], t["cadres"]
    for name, spec in tables().items():
        if spec.key and name in t:
            problems += _duplicates(t[name], list(spec.key), name, src.get(name, name))
    known_ids = {"units": units["unit_id"].dropna().unique(), "cadres": cadres["cadre_id"].dropna().unique()}
    refs = [  # (table, column, target table, what)
        ("units", "parent_id", "units", "parent unit (not in units)"),
        ("cadres", "unit_id", "units", "unit (not in units)"),
        ("planning", "cadre_id", "cadres", "cadre (not in cadres)"),
        ("planning", "unit_id", "units", "unit (not in units)"),
        ("training", "cadre_id", "cadres", "cadre (not in cadres)"),
        ("movements", "cadre_id", "cadres", "cadre (not in cadres)"),
        ("movements", "to_unit_id", "units", "unit (not in units)"),
        ("movements", "from_unit_id", "units", "unit (not in units)"),
        ("evaluations", "cadre_id", "cadres", "cadre (not in cadres)"),
        ("unit_reports", "unit_id", "units", "unit (not in units)"),
        ("unit_successors", "unit_id", "units", "unit (not in units)"),
        ("unit_successors", "successor_id", "units", "successor (not in units)"),
    ]
    refs = [r for r in refs if r[0] in parsed and r[2] in parsed]
    known: dict[tuple[str, str], np.ndarray] = {}
    for target, ids in known_ids.items():  # one hash of the ids per target table
        todo = [(table, column) for table, column, tgt, _ in refs if tgt == target]
        known.update(zip(todo, isin_many([t[table][column] for table, column in todo], ids), strict=True))
    _match_id_case(t, refs, known_ids, known)
    for table, column, _, what in refs:
        v = t[table][column]
        mask = v.notna().to_numpy() & (v != "").to_numpy() & ~known[table, column]
        problems.extend(_where(t[table], mask, table, src.get(table, table), column, f"unknown {what}"))

    p = t["planning"]
    problems += _where(p, (p["removed_on"] < p["added_on"]).fillna(False), "planning", src.get("planning", ""),
                       "removed_on", "removed_on is before added_on")
    c = t["cadres"]
    problems += _where(c, (c["birth_date"] > pd.Timestamp(today)).fillna(False), "cadres", src.get("cadres", ""),
                       "birth_date", "birth date in the future")
    if "units" in parsed:
        problems += _cycles(units, src.get("units", "units"))
        problems += boundaries.check_units(units, t["unit_successors"], src.get("units", "units"),
                                           src.get("unit_successors", "unit_successors"), "unit_successors" in parsed)
    return problems


def _id_key(values: pd.Series) -> pd.Series:
    return values.str.casefold().str.replace(r"\s+", "", regex=True)


def _match_id_case(t: dict[str, pd.DataFrame], refs: list[tuple[str, str, str, str]],
                   known_ids: dict[str, np.ndarray], known: dict[tuple[str, str], np.ndarray]) -> None:
    """A reference that differs from one known id only by capitals or spaces ('kc', 'K C' for 'KC') names that
    id: it is rewritten as the id, in place. Only the references not found as they are are looked at."""
    keys: dict[str, pd.Series] = {}
    for table, column, target, _ in refs:
        if known[table, column].all():
            continue
        v = t[table][column]
        miss = v.notna().to_numpy() & (v != "").to_numpy() & ~known[table, column]
        if not miss.any():
            continue
        if target not in keys:
            ids = pd.Series(known_ids[target], dtype="str")
            folded = _id_key(ids)
            unique = ~folded.duplicated(keep=False)
            keys[target] = pd.Series(ids[unique].to_numpy(), index=folded[unique].to_numpy())
        by_key = keys[target]
        idx = np.flatnonzero(miss)
        pos = lookup(_id_key(v.iloc[idx].astype("str")), pd.Series(by_key.index))
        hit = pos >= 0
        if hit.any():
            fixed = v.copy()
            fixed.iloc[idx[hit]] = by_key.to_numpy()[pos[hit]]
            t[table][column] = fixed
            found = known[table, column].copy()
            found[idx[hit]] = True
            known[table, column] = found


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
    warnings: list[str] = list(raw.warnings)
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
    warnings += boundaries.warnings(typed["units"], typed["unit_successors"], typed["planning"],
                                    typed["movements"], sources)
    hierarchy = Hierarchy.from_units(typed["units"], typed["unit_successors"])
    return Register(path=Path(path), hierarchy=hierarchy, sources=sources, files=raw.files, warnings=warnings,
                    is_sample=raw.is_sample, **typed)
