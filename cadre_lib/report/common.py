"""What the sections share: level names, the units and levels inside a scope, a checked unit id, a record's
value as an optional float, and the units behind on each level."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from cadre_lib.core.scope import ALL, LEVEL_ALL
from cadre_lib.errors import UsageError
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.register.contract import label
from cadre_lib.report.context import HEADLINE, ReportContext

#: The statuses of a target missed.
MISSED = ("red", "amber")


def optional(value: Any) -> float | None:
    """A record's value (or target) as a float, ``None`` when missing (``None``, NaN, ``pd.NA``)."""
    return None if value is None or pd.isna(value) else float(value)


def level_name(level: str, lang: str = "vi") -> str:
    """``"Tất cả các cấp"`` for the all-levels level (or the ``ALL`` scope), else the level's label (``"cấp xã"``)."""
    if level in (LEVEL_ALL, ALL):
        return "Tất cả các cấp" if lang == "vi" else "All levels"
    return label("level", level, lang)


def level_label(ctx: ReportContext, level: str) -> str:
    """The level's name in the report's language."""
    return level_name(level, ctx.lang)


def subtree(ctx: ReportContext, unit_id: str) -> pd.DataFrame:
    """The units of the scope: the unit and every unit below it (every unit for ``ALL``)."""
    units = ctx.units
    if unit_id == ALL:
        return units
    key = ("subtree", unit_id)
    if key not in ctx.memo:
        parent = dict(zip(units.unit_id, units.parent_id, strict=True))
        keep = []
        for u in units.unit_id:
            p: Any = u
            while isinstance(p, str):
                if p == unit_id:
                    keep.append(u)
                    break
                p = parent.get(p)
        ctx.memo[key] = units[units.unit_id.isin(keep)]
    result: pd.DataFrame = ctx.memo[key]
    return result


def level_units(ctx: ReportContext, unit_id: str, level: str, *, with_scope: bool = False) -> list[str]:
    """The units of ``level`` inside the scope that are compared with one another (rankings, units behind,
    peers): the scope's own unit left out unless ``with_scope``, and never a root unit, which stands for the
    whole province (its records add up every unit below it: it is no peer of a department)."""
    sub = subtree(ctx, unit_id)
    keep = (sub.level == level) & sub.parent_id.notna()
    if not with_scope:
        keep &= sub.unit_id != unit_id
    return [str(u) for u in sub.loc[keep, "unit_id"]]


def scope_levels(ctx: ReportContext, unit_id: str) -> list[str]:
    """Levels of the report's boundaries (as_of's units) that exist in the scope (the unit's subtree), in
    parameter order."""
    present = set(subtree(ctx, unit_id)["level"])
    return [lv for lv in ctx.report_levels if lv in present]


def check_unit(ctx: ReportContext, unit_id: str) -> str:
    """The unit id as given, or a clear error: a unit not valid on as_of names its successor; an unknown one gets
    examples of the units that have a report."""
    unit_id = str(unit_id).strip()
    if unit_id in ctx.not_valid:
        raise UsageError(f"unit_id: {ctx.not_valid[unit_id]}")
    if unit_id not in set(ctx.units.unit_id):
        known = ", ".join(ctx.report_units()[:12])
        raise UsageError(f"unknown unit_id {unit_id!r} (for example: {known})")
    return unit_id


def units_behind_by_level(ctx: ReportContext, unit_id: str = ALL, indicators: Sequence[str] = HEADLINE
                          ) -> list[tuple[str, int, int, str | None, int]]:
    """Per level of the scope (the scope's own unit left out): (level, units missing at least one target of
    ``indicators`` at their level, units with a status, the indicator missed by most units, how many)."""
    t = ctx.indicators
    out = []
    for lv in scope_levels(ctx, unit_id):
        ids = level_units(ctx, unit_id, lv)
        r = t[(t.level == lv) & t.unit_id.isin(ids) & t.indicator.isin(indicators) & (t.status != "none")]
        if r.empty:
            continue
        bad = r[r.status.isin(MISSED)]
        per_ind = bad.groupby("indicator").size()
        top = None
        if len(per_ind):
            rank = {k: i for i, k in enumerate(indicators)}
            top = min(per_ind.index, key=lambda i: (-int(per_ind[i]), -INDICATORS[i].weight, rank[i]))
        out.append((lv, int(bad.unit_id.nunique()), int(r.unit_id.nunique()), top,
                    int(per_ind[top]) if top else 0))
    return out
