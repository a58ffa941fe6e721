"""The unit hierarchy as integer arrays: each unit's ancestors (itself included), for scope expansion; each
unit's validity dates and primary successor (data contract v2), for placing items on a boundaries date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from cadre_lib.core.scope import ALL


@dataclass(frozen=True)
class Hierarchy:
    unit_ids: pd.Index  # position = unit code
    names: np.ndarray
    levels: np.ndarray  # level code of each unit (str)
    parent: np.ndarray  # parent position, -1 for roots
    anc_offsets: np.ndarray  # CSR: ancestors of unit u (self first) are anc_values[off[u]:off[u+1]]
    anc_values: np.ndarray
    # v2: validity as day numbers (inclusive; blank = unbounded) and the primary successor (-1: none)
    valid_from: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    valid_to: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    primary: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def from_units(cls, units: pd.DataFrame, successors: pd.DataFrame | None = None) -> Hierarchy:
        ids = pd.Index(units["unit_id"].astype(str))
        parent = ids.get_indexer(units["parent_id"].where(units["parent_id"].notna(), "\x00"))
        chains: list[list[int]] = []
        for u in range(len(ids)):
            chain = [u]
            p = parent[u]
            while p >= 0:
                chain.append(int(p))
                p = parent[p]
            chains.append(chain)
        lengths = np.array([len(c) for c in chains], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        values = np.array([a for c in chains for a in c], dtype=np.int64)
        vf = _days(units["valid_from"], _MIN_DAY) if "valid_from" in units else np.full(len(ids), _MIN_DAY)
        vt = _days(units["valid_to"], _MAX_DAY) if "valid_to" in units else np.full(len(ids), _MAX_DAY)
        primary = np.full(len(ids), -1, dtype=np.int64)
        if successors is not None and len(successors):
            src = ids.get_indexer(successors["unit_id"])
            dst = ids.get_indexer(successors["successor_id"])
            n_succ = np.bincount(src[src >= 0], minlength=len(ids))
            flag = successors["primary"].to_numpy(dtype=bool) if "primary" in successors else np.zeros(len(src), bool)
            take = (src >= 0) & (dst >= 0) & (flag | (n_succ[np.maximum(src, 0)] == 1))
            primary[src[take]] = dst[take]
        return cls(ids, units["name"].to_numpy(), units["level"].to_numpy(), parent.astype(np.int64), offsets,
                   values, vf, vt, primary)

    @property
    def n(self) -> int:
        return len(self.unit_ids)

    @property
    def has_validity(self) -> bool:
        """Whether any unit ends or starts (a v1 register: none)."""
        return bool((self.valid_from > _MIN_DAY).any() or (self.valid_to < _MAX_DAY).any())

    def valid_on(self, day: dt.date) -> np.ndarray:
        """Per unit: valid_from <= day <= valid_to."""
        d = day_number(day)
        out: np.ndarray = (self.valid_from <= d) & (d <= self.valid_to)
        return out

    def place(self, day: dt.date) -> np.ndarray:
        """Per unit: the unit its items are placed at on boundaries date ``day``: itself when valid on ``day``,
        else the first unit valid on ``day`` reached by following primary successors; -1 when there is none.
        One lookup per unit (chains are validated acyclic), so items are placed by one gather."""
        valid = self.valid_on(day)
        pos = np.arange(self.n, dtype=np.int64)
        todo = np.flatnonzero(~valid)
        for _ in range(self.n + 1):
            if not len(todo):
                break
            pos[todo] = self.primary[pos[todo]]
            live = pos[todo] >= 0
            todo = todo[live]
            todo = todo[~valid[pos[todo]]]
        pos[~valid[np.maximum(pos, 0)] & (pos >= 0)] = -1  # defensive: never place at an invalid unit
        return pos

    def validity(self, unit: int) -> tuple[dt.date | None, dt.date | None]:
        """(valid_from, valid_to) of a unit, ``None`` where unbounded."""
        lo, hi = int(self.valid_from[unit]), int(self.valid_to[unit])
        return (_date(lo) if lo > _MIN_DAY else None), (_date(hi) if hi < _MAX_DAY else None)

    def change_days(self) -> list[dt.date]:
        """The days the units changed (a unit started, or the day after one ended), in order: between two of them
        every day has the same units. Empty when no unit starts or ends (a v1 register)."""
        starts = self.valid_from[self.valid_from > _MIN_DAY]
        days = np.unique(np.concatenate([starts, self.valid_to[self.valid_to < _MAX_DAY] + 1]))
        return [_date(int(d)) for d in days]

    def last_change(self) -> dt.date | None:
        """The last day the units changed: from that day on the register's latest boundaries hold. ``None`` when
        no unit starts or ends (a v1 register)."""
        days = self.change_days()
        return days[-1] if days else None

    def changes_between(self, start: dt.date, end: dt.date, units: np.ndarray) -> list[dt.date]:
        """The days in (start, end] on which one of ``units`` (a mask) started, or the day after it ended."""
        lo, hi = day_number(start), day_number(end)
        days = np.concatenate([self.valid_from[units], self.valid_to[units] + 1])
        days = days[(days > lo) & (days <= hi)]
        return [_date(int(d)) for d in np.unique(days)]

    def successor_on(self, unit: int, day: dt.date) -> int:
        """Where the items of ``unit`` are placed on ``day`` (-1: nowhere)."""
        return int(self.place(day)[unit])

    def code(self, unit_id: str) -> int:
        """Position of a unit, -1 for ALL; KeyError if unknown."""
        if unit_id == ALL:
            return -1
        return self._positions[unit_id]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {str(u): i for i, u in enumerate(self.unit_ids)}

    def expand(self, unit_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For items located at ``unit_codes``: (item index, scope) pairs, one per ancestor of the item's
        unit (itself included) plus one for ALL (scope code ``n``)."""
        counts = self.anc_offsets[unit_codes + 1] - self.anc_offsets[unit_codes]
        item = np.repeat(np.arange(len(unit_codes)), counts)
        starts = np.repeat(self.anc_offsets[unit_codes], counts)
        within = np.arange(len(item)) - np.repeat(np.cumsum(counts) - counts, counts)
        scope = self.anc_values[starts + within]
        items = np.concatenate([item, np.arange(len(unit_codes))])
        scopes = np.concatenate([scope, np.full(len(unit_codes), self.n, dtype=np.int64)])
        return items, scopes

    def descendants(self, unit_id: str) -> np.ndarray:
        """Positions of the unit's subtree (itself included); every unit for ALL."""
        if unit_id == ALL:
            return np.arange(self.n)
        u = self.code(unit_id)
        counts = np.diff(self.anc_offsets)
        owner = np.repeat(np.arange(self.n), counts)
        return np.unique(owner[self.anc_values == u])

    def children(self, unit_id: str) -> list[str]:
        if unit_id == ALL:
            mask = self.parent < 0
        else:
            mask = self.parent == self.code(unit_id)
        return [str(x) for x in self.unit_ids[mask]]


_MIN_DAY = np.iinfo(np.int64).min // 2
_MAX_DAY = np.iinfo(np.int64).max // 2


def _date(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=day)


def day_number(day: dt.date | pd.Timestamp) -> int:
    """Days since 1970-01-01."""
    return int(np.datetime64(pd.Timestamp(day).date(), "D").astype(np.int64))


def _days(values: pd.Series, blank: int) -> np.ndarray:
    """Dates as day numbers, ``blank`` where missing."""
    v = pd.to_datetime(values)
    days = v.to_numpy(dtype="datetime64[D]").astype(np.int64)
    out: np.ndarray = np.where(v.isna().to_numpy(), blank, days)
    return out
