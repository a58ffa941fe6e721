"""Writing tables: JSON, CSV (UTF-8 with BOM, so Excel shows Vietnamese right) or Excel; atomically. Text a
spreadsheet would run as a formula is stored as plain text (:mod:`cadre_lib.core.spreadsheet`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from cadre_lib.core.files import atomic_write
from cadre_lib.core.spreadsheet import csv_safe, write_xlsx
from cadre_lib.errors import UsageError


def _format(out: str | None, fmt: str | None, default: str) -> str:
    if fmt:
        return fmt
    if out:
        ext = Path(out).suffix.lower().lstrip(".")
        if ext in {"json", "csv", "xlsx"}:
            return ext
        raise UsageError(f"cannot tell the format of {out!r}: use --format or a .json/.csv/.xlsx name")
    return default


def _json_ready(frame: pd.DataFrame) -> list[dict[str, Any]]:
    text = frame.to_json(orient="records", date_format="iso", force_ascii=False)
    data: list[dict[str, Any]] = json.loads(text)
    return data


def write_table(frame: pd.DataFrame, out: str | None, fmt: str | None = None, default: str = "csv") -> None:
    kind = _format(out, fmt, default)
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    if out is None:
        if kind == "xlsx":
            raise UsageError("--format xlsx needs --out FILE")
        if kind == "json":
            json.dump(_json_ready(frame), sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
        else:
            csv_safe(frame).to_csv(sys.stdout, index=False)
        return
    path = Path(out)
    if kind == "json":
        atomic_write(path, lambda p: p.write_text(
            json.dumps(_json_ready(frame), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"))
    elif kind == "csv":
        atomic_write(path, lambda p: csv_safe(frame).to_csv(p, index=False, encoding="utf-8-sig"))
    else:
        atomic_write(path, lambda p: write_xlsx(p, frame))


def write_indicators(frame: pd.DataFrame, out: str | None, fmt: str | None = None) -> None:
    from cadre_lib.indicators.engine import records

    kind = _format(out, fmt, "json")
    if kind == "json":
        text = json.dumps(records(frame), ensure_ascii=False, indent=1) + "\n"
        if out is None:
            sys.stdout.write(text)
        else:
            atomic_write(Path(out), lambda p: p.write_text(text, encoding="utf-8"))
        return
    write_table(frame, out, kind)
