"""Registries of the data contract: tables, columns, column aliases and code vocabularies.

Everything here is read from ``cadre_lib/register/*.yaml``: adding an alias or a label is a data change.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_FOLD_TABLE = str.maketrans({"đ": "d", "Đ": "d", "_": " ", "-": " ", ".": " "})


def fold(text: object) -> str:
    """Case-, diacritic-, space- and underscore-insensitive key: ``"Cấp  Tỉnh"`` -> ``"cap tinh"``."""
    s = unicodedata.normalize("NFD", str(text).translate(_FOLD_TABLE))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.casefold().split())




@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    nullable: bool
    optional: bool
    aliases: tuple[str, ...]

    @property
    def vocabulary(self) -> str | None:
        return self.type.split(":", 1)[1] if self.type.startswith("code:") else None


@dataclass(frozen=True)
class TableSpec:
    name: str
    required: bool
    aliases: tuple[str, ...]
    key: tuple[str, ...]
    columns: dict[str, ColumnSpec]

    def header_map(self) -> dict[str, str]:
        """folded header -> canonical column name."""
        out: dict[str, str] = {}
        for col in self.columns.values():
            for alias in (col.name, *col.aliases):
                out[fold(alias)] = col.name
        return out


def _load_yaml(name: str) -> Any:
    text = resources.files("cadre_lib").joinpath("register", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def tables() -> dict[str, TableSpec]:
    raw = _load_yaml("contract.yaml")["tables"]
    out: dict[str, TableSpec] = {}
    for tname, t in raw.items():
        cols = {
            cname: ColumnSpec(
                name=cname,
                type=c["type"],
                nullable=bool(c.get("nullable", False)),
                optional=bool(c.get("optional", False)),
                aliases=tuple(c.get("aliases", [])),
            )
            for cname, c in t["columns"].items()
        }
        out[tname] = TableSpec(
            name=tname,
            required=bool(t.get("required", False)),
            aliases=tuple(t.get("aliases", [])),
            key=tuple(t.get("key", [])),
            columns=cols,
        )
    return out


@cache
def _codes() -> dict[str, dict[str, dict[str, Any]]]:
    data: dict[str, dict[str, dict[str, Any]]] = _load_yaml("codes.yaml")
    return data


@cache
def code_map(vocabulary: str) -> dict[str, str]:
    """folded accepted label -> canonical code, for one vocabulary."""
    out: dict[str, str] = {}
    for code, entry in _codes()[vocabulary].items():
        for label in (code, *entry.get("accept", []), entry.get("vi", ""), entry.get("en", "")):
            if label:
                out[fold(label)] = code
    return out


def codes(vocabulary: str) -> list[str]:
    return list(_codes()[vocabulary])


def label(vocabulary: str, code: str, language: str = "vi") -> str:
    entry = _codes()[vocabulary].get(code)
    if entry is None:
        return code
    return str(entry.get(language) or code)
