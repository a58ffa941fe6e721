"""Shared fixtures: tiny registers written as CSV files from Python literals."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cadre_lib.params import Params, load_params
from cadre_lib.register.sample import TABLE_COLUMNS

# canonical headers, from the data contract registry; units with the four columns of a v1 register
HEADERS = {**TABLE_COLUMNS, "units": ["unit_id", "name", "level", "parent_id"]}

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


@pytest.fixture
def paths(make_register, tmp_path: Path) -> tuple[Path, Path]:
    """The hand-computed register of tests/test_indicators.py and a parameters file (the explorer tests)."""
    import json

    import yaml
    from test_indicators import CADRES, EVALUATIONS, MOVEMENTS, PLANNING, TRAINING, UNIT_REPORTS

    reg = make_register(cadres=CADRES, planning=PLANNING, training=TRAINING, movements=MOVEMENTS,
                        evaluations=EVALUATIONS, unit_reports=UNIT_REPORTS)
    pfile = tmp_path / "params.yaml"
    pfile.write_text(yaml.safe_dump(json.loads(params().model_dump_json()), allow_unicode=True), encoding="utf-8")
    return reg, pfile

