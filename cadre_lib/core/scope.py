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

#: The band on the first page of every report built from sample data.
SAMPLE_BAND = "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ"
