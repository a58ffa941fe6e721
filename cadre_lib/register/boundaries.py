"""Data contract v2 checks of units that start and end (``valid_from``/``valid_to``) and of
``unit_successors``: the refusals (problems) and the warnings of docs/data-contract.md.

Refused: valid_to before valid_from; a unit valid on a day its parent is not; a successor given for a unit
that never ends; several successors without exactly one primary; a cycle of successors (unknown units and
successors, duplicate pairs and unreadable dates are found by the common checks of ``validate``).
Warnings: a successor not valid on the day after its predecessor ends; a planning row (on added_on) or a
movement (on its date, to_unit_id) that names a unit on a date outside its validity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cadre_lib.errors import Problem

#: Warnings of one kind listed row by row before they are summed up.
MAX_ROW_WARNINGS = 20


def _fmt(day: object) -> str:
    return "" if pd.isna(day) else pd.Timestamp(day).strftime("%d/%m/%Y")  # type: ignore[arg-type]


def _span(vf: object, vt: object) -> str:
    a, b = _fmt(vf), _fmt(vt)
    if not a and not b:
        return "always"
    if not a:
        return f"until {b}"
    if not b:
        return f"from {a}"
    return f"{a}–{b}"


def check_units(units: pd.DataFrame, succ: pd.DataFrame, source: str, succ_source: str, succ_parsed: bool
                ) -> list[Problem]:
    problems: list[Problem] = []
    vf, vt = units["valid_from"], units["valid_to"]
    bad = (vt < vf).fillna(False).to_numpy()
    for r, v, f in zip(units["_row"][bad], vt[bad], vf[bad], strict=True):
        problems.append(Problem("units", f"valid_to is before valid_from ({_fmt(f)})", source, int(r), "valid_to",
                                _fmt(v)))
    ids = pd.Index(units["unit_id"])
    if ids.has_duplicates:
        return problems  # reported by the key check; the lookups below need unique ids
    ppos = ids.get_indexer(units["parent_id"].where(units["parent_id"].notna(), "\x00"))
    has_parent = ppos >= 0
    pvf = vf.to_numpy()[np.maximum(ppos, 0)]
    pvt = vt.to_numpy()[np.maximum(ppos, 0)]
    cvf, cvt = vf.to_numpy(), vt.to_numpy()
    early = has_parent & ~pd.isna(pvf) & (pd.isna(cvf) | (cvf < pvf))
    late = has_parent & ~pd.isna(pvt) & (pd.isna(cvt) | (cvt > pvt))
    pid = units["parent_id"].to_numpy()
    for i in np.flatnonzero(early & ~bad):
        problems.append(Problem("units", f"the unit starts before its parent {pid[i]} (valid "
                                f"{_span(pvf[i], pvt[i])}): a unit must be valid only on days its parent is",
                                source, int(units["_row"].iat[i]), "valid_from", _fmt(cvf[i]) or "(blank)"))
    for i in np.flatnonzero(late & ~bad):
        problems.append(Problem("units", f"the unit outlives its parent {pid[i]} (valid {_span(pvf[i], pvt[i])}): "
                                "a unit must be valid only on days its parent is", source,
                                int(units["_row"].iat[i]), "valid_to", _fmt(cvt[i]) or "(blank)"))
    if not succ_parsed or succ.empty:
        return problems
    src = ids.get_indexer(succ["unit_id"])
    dst = ids.get_indexer(succ["successor_id"])
    known = (src >= 0) & (dst >= 0)
    rows = succ["_row"].to_numpy()
    never = (src >= 0) & pd.isna(cvt[np.maximum(src, 0)])
    for i in np.flatnonzero(never):
        problems.append(Problem("unit_successors", "a successor is given for a unit that never ends (its valid_to "
                                "in units is blank)", succ_source, int(rows[i]), "unit_id", succ["unit_id"].iat[i]))
    primary = succ["primary"].to_numpy(dtype=bool) if "primary" in succ else np.zeros(len(succ), bool)
    frame = pd.DataFrame({"u": succ["unit_id"].to_numpy(), "p": primary, "row": rows})
    groups = frame.groupby("u", sort=False).agg(n=("p", "size"), k=("p", "sum"), first=("row", "min"),
                                                 rows=("row", lambda r: ", ".join(map(str, r))))
    for uid, g in groups.loc[(groups["n"] > 1) & (groups["k"] != 1)].iterrows():
        problems.append(Problem("unit_successors", f"the unit has {g['n']} successors (rows {g['rows']}) and "
                                f"{g['k']} marked primary: mark exactly one primary", succ_source, int(g["first"]),
                                "unit_id", uid))
    problems += _cycles(src, dst, known, rows, succ["successor_id"].to_numpy(), succ_source, len(ids))
    return problems


def _cycles(src: np.ndarray, dst: np.ndarray, known: np.ndarray, rows: np.ndarray, values: np.ndarray,
            source: str, n: int) -> list[Problem]:
    """Rows whose edge lies on a cycle of successors (any successor, primary or not): both ends in one
    strongly connected component (Tarjan's algorithm, iterative), or a unit given as its own successor."""
    adj: dict[int, list[int]] = {}
    for i in np.flatnonzero(known):
        adj.setdefault(int(src[i]), []).append(int(dst[i]))
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    comp: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    counter = 0
    for root in adj:
        if root in index:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            v, k = work.pop()
            if k == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            nxt = adj.get(v, [])
            if k < len(nxt):
                work.append((v, k + 1))
                w = nxt[k]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = v
                    if w == v:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    bad = [i for i in np.flatnonzero(known) if comp.get(int(src[i])) == comp.get(int(dst[i]), -1)]
    return [Problem("unit_successors", "cycle of successors: following successors leads back to this unit",
                    source, int(rows[i]), "successor_id", values[i]) for i in sorted(bad, key=lambda j: rows[j])]


def _row_warnings(source: str, rows: np.ndarray, column: str, values: np.ndarray, message: str) -> list[str]:
    out = [str(Problem("", message, source, int(r), column, v)) for r, v in zip(rows[:MAX_ROW_WARNINGS],
                                                                                values[:MAX_ROW_WARNINGS],
                                                                                strict=True)]
    if len(rows) > MAX_ROW_WARNINGS:
        out.append(f"{source}: ... and {len(rows) - MAX_ROW_WARNINGS} more rows that {message.split(':')[0]} "
                   "(data quality lists them)")
    return out


def outside_validity(units: pd.DataFrame, ids: pd.Series, days: pd.Series) -> np.ndarray:
    """Per row: the named unit (known) is not valid on the row's date (rows without a date are fine)."""
    index = pd.Index(units["unit_id"])
    pos = index.get_indexer(ids.where(ids.notna(), "\x00"))
    vf = units["valid_from"].to_numpy()[np.maximum(pos, 0)]
    vt = units["valid_to"].to_numpy()[np.maximum(pos, 0)]
    d = days.to_numpy()
    before = ~pd.isna(vf) & (d < vf)
    after = ~pd.isna(vt) & (d > vt)
    out: np.ndarray = (pos >= 0) & ~pd.isna(d) & (before | after)
    return out


def warnings(units: pd.DataFrame, succ: pd.DataFrame, planning: pd.DataFrame, movements: pd.DataFrame,
             src: dict[str, str]) -> list[str]:
    out: list[str] = []
    if not len(units) or pd.Index(units["unit_id"]).has_duplicates:
        return out
    if units["valid_from"].isna().all() and units["valid_to"].isna().all():
        return out
    if len(succ):
        ids = pd.Index(units["unit_id"])
        s = ids.get_indexer(succ["unit_id"])
        d = ids.get_indexer(succ["successor_id"])
        ok = (s >= 0) & (d >= 0)
        end = units["valid_to"].to_numpy()[np.maximum(s, 0)]
        next_day = pd.Series(end + np.timedelta64(1, "D"))
        late = ok & ~pd.isna(end) & outside_validity(units, succ["successor_id"], next_day)
        source = src.get("unit_successors", "unit_successors")
        for i in np.flatnonzero(late):
            out.append(str(Problem("", f"the successor is not valid on {_fmt(next_day.iat[i])}, the day after "
                                   f"{succ['unit_id'].iat[i]} ends", source, int(succ["_row"].iat[i]),
                                   "successor_id", succ["successor_id"].iat[i])))
    for table, frame, column, date_col in (("planning", planning, "unit_id", "added_on"),
                                           ("movements", movements, "to_unit_id", "date")):
        if not len(frame):
            continue
        mask = outside_validity(units, frame[column], frame[date_col])
        if mask.any():
            out += _row_warnings(src.get(table, table), frame["_row"].to_numpy()[mask], column,
                                 frame[column].to_numpy()[mask],
                                 f"names a unit on a date outside its validity ({date_col})")
    return out
