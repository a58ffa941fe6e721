"""Shared fixtures: tiny registers written as CSV files from Python literals."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cadre_lib.params import Params, load_params

HEADERS = {
    "units": ["unit_id", "name", "level", "parent_id"],
    "cadres": ["cadre_id", "full_name", "gender", "birth_date", "unit_id", "position", "is_leader", "is_head"],
    "planning": ["cadre_id", "post", "unit_id", "term", "key_post", "added_on", "removed_on", "removal_reason"],
    "training": ["cadre_id", "course_type", "course_name", "completed_on"],
    "movements": ["cadre_id", "kind", "date", "to_unit_id", "from_unit_id", "post", "out_of_level"],
    "evaluations": ["cadre_id", "year", "rating", "evaluated_on"],
    "unit_reports": ["unit_id", "year", "rotation_plan_on", "planning_review_on"],
}

# A small province: root P (tinh) with one department D (tinh) and one district H (huyen) holding communes X1, X2.
UNITS = [
    ["P", "Tỉnh Mẫu", "tinh", ""],
    ["D", "Sở Nội vụ", "tinh", "P"],
    ["H", "Huyện Văn Giang", "huyen", "P"],
    ["X1", "Xã Xuân Quan", "xa", "H"],
    ["X2", "Xã Phụng Công", "xa", "H"],
]


def write_register(folder: Path, tables: dict[str, list[list[Any]]], headers: dict[str, list[str]] | None = None
                   ) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    heads = {**HEADERS, **(headers or {})}
    for name, rows in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(heads[name])
            for r in rows:
                w.writerow(["" if v is None else v for v in r])
    return folder


@pytest.fixture
def make_register(tmp_path: Path):
    counter = {"n": 0}

    def make(**tables: list[list[Any]]) -> Path:
        counter["n"] += 1
        base = {"units": UNITS, "cadres": [], "planning": []}
        base.update(tables)
        return write_register(tmp_path / f"reg{counter['n']}", base)

    return make


def params(**overrides: Any) -> Params:
    p = load_params(None)
    data = p.model_dump()
    data.update({"as_of": dt.date(2025, 6, 30), "period_start": dt.date(2024, 1, 1), **overrides})
    return Params.model_validate(data)
