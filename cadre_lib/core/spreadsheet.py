"""Spreadsheet files the tool writes (CSV, .xlsx): text that a spreadsheet program would run as a formula is
stored as plain text.

A register holds what offices typed, so a cadre may be "named" ``=HYPERLINK("http://…";"…")``. Excel and
LibreOffice run a CSV cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some do after a tab or a
carriage return) as a formula, and openpyxl turns any string starting with ``=`` into one. So:

- in CSV, such a text gets a leading apostrophe (``'=HYPERLINK(…)``), which spreadsheets show as the text
  itself (OWASP's "CSV injection" advice);
- in .xlsx, such a text is a string cell (never a formula), with Excel's "quote prefix" so that editing
  the cell keeps it text; its value is unchanged.

Numbers, dates and booleans are not touched (``-3`` stays a number). Everything writing a spreadsheet goes
through :func:`csv_safe` or :func:`write_xlsx`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """Whether a value is text a spreadsheet could read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value: object) -> object:
    """A cell value for CSV: formula-like text with a leading apostrophe, anything else unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def _text_columns(frame: pd.DataFrame) -> list[int]:
    return [i for i, dtype in enumerate(frame.dtypes)
            if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)]


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` (headers included) whose formula-like texts start with an apostrophe."""
    out = frame.copy()
    for i in _text_columns(frame):
        s = out.iloc[:, i]
        mask = s.str.startswith(FORMULA_PREFIXES, na=False).to_numpy(dtype=bool) if len(s) else None
        if mask is not None and mask.any():
            s = s.astype(object)
            s[mask] = "'" + s[mask].astype(str)
            out.isetitem(i, s)
    out.columns = [neutralise(c) for c in out.columns]
    return out


def _plain(value: Any) -> Any:
    """A cell value openpyxl writes as it is: Python scalars; missing values as blanks."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, (str, int, float, bool, dt.date, dt.datetime, dt.time, dt.timedelta)):
        return value
    return str(value)


def _cell(ws: Any, value: Any, bold: bool = False) -> Any:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    value = _plain(value)
    if not (bold or is_formula_like(value)):
        return value
    cell = WriteOnlyCell(ws, value=value)
    if is_formula_like(value):
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(path: str | Path, sheets: pd.DataFrame | Mapping[str, pd.DataFrame]) -> None:
    """Write one frame (sheet ``Sheet1``) or several (sheet name -> frame) to ``path``, header row in bold,
    no index; formula-like texts as plain text. Not atomic: callers write to a temporary file."""
    from openpyxl import Workbook

    book = {"Sheet1": sheets} if isinstance(sheets, pd.DataFrame) else dict(sheets)
    wb = Workbook(write_only=True)
    for name, frame in book.items():
        ws = wb.create_sheet(title=str(name)[:31])
        ws.append([_cell(ws, c, bold=True) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(ws, v) for v in row])
    wb.save(str(path))
