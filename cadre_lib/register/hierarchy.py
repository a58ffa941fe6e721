"""The unit hierarchy as integer arrays: each unit's ancestors (itself included), for scope expansion."""

from __future__ import annotations

from dataclasses import dataclass

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

    @classmethod
    def from_units(cls, units: pd.DataFrame) -> Hierarchy:
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
        return cls(ids, units["name"].to_numpy(), units["level"].to_numpy(), parent.astype(np.int64), offsets,
                   values)

    @property
    def n(self) -> int:
        return len(self.unit_ids)

    def code(self, unit_id: str) -> int:
        """Position of a unit, -1 for ALL; KeyError if unknown."""
        if unit_id == ALL:
            return -1
        pos = self.unit_ids.get_indexer([unit_id])[0]
        if pos < 0:
            raise KeyError(unit_id)
        return int(pos)

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
