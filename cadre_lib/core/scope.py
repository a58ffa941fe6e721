"""The words the layers agree on: the whole-province scope, the all-levels level, audiences, unit selectors."""

from __future__ import annotations

from typing import Literal, get_args

#: The scope of the whole register (every unit), as ``unit_id`` of indicator records.
ALL = "ALL"
#: The level of records that count every level together.
LEVEL_ALL = "all"

Audience = Literal["leadership", "analyst"]
#: ``leadership`` output names nobody; ``analyst`` output may list people.
AUDIENCES: tuple[str, ...] = get_args(Audience)
LEADERSHIP: Audience = "leadership"
ANALYST: Audience = "analyst"

#: Named selections of report units (``run --units``, ``schedule.yaml``); anything else is a list of unit codes.
UnitSelector = Literal["default", "all", "none", "departments", "districts", "communes"]
UNIT_SELECTORS: tuple[str, ...] = get_args(UnitSelector)
#: What each selector picks among the units valid on as_of: parts (level, or ``None`` for any; only the children of
#: a root?). ``default`` is what leaders get from ``make report``: the province's departments and, while the
#: district level exists, the district-level units; after 01/7/2025 there is no district level, so the 104
#: communes get no report of their own by default: the overview ranks them all (PHỤ LỤC A) and ``--units
#: communes`` or ``all`` gives a report per commune. A selector for a level that no unit has on as_of is empty.
UNIT_SELECTION: dict[str, tuple[tuple[str | None, bool], ...]] = {
    "default": (("tinh", True), ("huyen", True)),
    "all": ((None, False),),
    "none": (),
    "departments": (("tinh", True),),
    "districts": (("huyen", True),),
    "communes": (("xa", False),),
}
assert tuple(UNIT_SELECTION) == UNIT_SELECTORS

#: The band on the first page of every report built from sample data.
SAMPLE_BAND = "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ"
