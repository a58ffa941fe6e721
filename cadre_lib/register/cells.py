"""Cells that hold no usable value, found before any parsing: Excel error values, formulas saved without
their value, and cells longer than their column allows.

The workbook reader shows an error cell as its error text (``#N/A``, as a CSV export from Excel does) and a
formula saved without a value as :data:`FORMULA_MARK` followed by the formula, so that one vectorised check
finds both in CSV and Excel tables alike. Limits are per column (:func:`max_length`), documented in
``docs/data-contract.md``: nothing of a megabyte reaches a report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from cadre_lib.register.arrowtext import as_arrow_text
from cadre_lib.register.contract import ColumnSpec

#: Prefix of a formula cell saved without its value (a NUL cannot be typed in a cell nor occur in a CSV
#: file the reader accepts).
FORMULA_MARK = "\x00="

#: Excel's error values, with what usually causes them.
EXCEL_ERRORS: dict[str, str] = {
    "#N/A": "a lookup found no match",
    "#REF!": "the formula points at cells that were deleted",
    "#VALUE!": "the formula got text where it needs a number or a date",
    "#DIV/0!": "a division by zero",
    "#NAME?": "the formula uses an unknown name or function",
    "#NUM!": "an impossible number",
    "#NULL!": "ranges that do not intersect",
    "#SPILL!": "the result of the formula has no room to spill",
    "#CALC!": "the formula cannot be calculated",
    "#GETTING_DATA": "the value was still being fetched",
    "#FIELD!": "a missing field of a linked data type",
    "#BLOCKED!": "blocked external content",
    "#CONNECT!": "a failed connection",
    "#BUSY!": "the value was still being computed",
    "#UNKNOWN!": "a data type this Excel does not know",
}

#: Longest cell (in characters) of each column type, and of the text columns that differ.
TYPE_LIMITS: dict[str, int] = {"id": 50, "code": 100, "date": 30, "int": 20, "bool": 20, "text": 500}
COLUMN_LIMITS: dict[tuple[str, str], int] = {
    ("units", "name"): 200,
    ("cadres", "full_name"): 100,
    ("cadres", "position"): 300,
    ("planning", "post"): 300,
    ("planning", "term"): 20,
    ("planning", "removal_reason"): 1000,
    ("training", "course_name"): 300,
    ("movements", "post"): 300,
}
_PREVIEW = 60


def max_length(table: str, spec: ColumnSpec) -> int:
    """Longest accepted cell of a column, in characters."""
    kind = "code" if spec.vocabulary else spec.type
    return COLUMN_LIMITS.get((table, spec.name), TYPE_LIMITS.get(kind, TYPE_LIMITS["text"]))


def column_letter(position: int) -> str:
    """Spreadsheet letters of a 0-based column position: 0 -> A, 27 -> AB."""
    out = ""
    n = position + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def preview(text: str) -> str:
    """The start of an over-long text, with its length."""
    return f"{text[:_PREVIEW]}… ({len(text):,} characters)"


@dataclass
class BadCells:
    """Cells of a column (positions ``index``) with one kind of problem, and the values to show."""

    index: np.ndarray
    code: str
    message: str
    values: list[str]


def screen(values: pd.Series, table: str, spec: ColumnSpec, marked: bool = True) -> list[BadCells]:
    """The cells of one column that hold an Excel error, a formula without its value, or too much text.
    Vectorised: one length pass (Arrow offsets) and, when ``marked`` (the file may hold such cells), one
    prefix pass; Python only sees the flagged cells."""
    if not len(values):
        return []
    arr = as_arrow_text(values)
    out: list[BadCells] = []
    if marked:
        flagged = pc.or_(pc.starts_with(arr, "#"), pc.starts_with(arr, "\x00"))
        if pc.any(flagged).as_py():
            idx = np.flatnonzero(np.asarray(pc.fill_null(flagged, False).to_numpy(zero_copy_only=False), dtype=bool))
            cells = [str(v) for v in values.iloc[idx]]
            errors = [(i, v) for i, v in zip(idx, cells, strict=True) if v.upper() in EXCEL_ERRORS]
            for err in sorted({v.upper() for _, v in errors}):
                hit = [(i, v) for i, v in errors if v.upper() == err]
                out.append(BadCells(np.array([i for i, _ in hit], dtype=np.int64), "excel_error",
                                    f"the cell shows the Excel error {err} ({EXCEL_ERRORS[err]}), not a value: fix "
                                    "the formula or the data it uses in the original workbook, or type the value",
                                    [v for _, v in hit]))
            formulas = [(i, v[len(FORMULA_MARK):]) for i, v in zip(idx, cells, strict=True)
                        if v.startswith(FORMULA_MARK)]
            if formulas:
                out.append(BadCells(np.array([i for i, _ in formulas], dtype=np.int64), "formula_without_value",
                                    "the cell holds a formula saved without its value (as some programs write "
                                    "files): open the file in Excel or LibreOffice and save it, so that every "
                                    "formula keeps its value", ["=" + f[:_PREVIEW] for _, f in formulas]))
    limit = max_length(table, spec)
    longest = pc.max(pc.binary_length(arr)).as_py()  # bytes >= characters: most columns stop here
    if longest is not None and longest > limit:
        long = pc.fill_null(pc.greater(pc.utf8_length(arr), limit), False)
        idx = np.flatnonzero(np.asarray(long.to_numpy(zero_copy_only=False), dtype=bool))
        if len(idx):
            fix = ("shorten it, or keep long notes in a column the register does not read" if spec.type == "text"
                   else "no code, date or number is this long: check the cell (text pasted into the wrong column?)")
            out.append(BadCells(idx.astype(np.int64), "too_long",
                                f"the cell is too long for column '{spec.name}' (at most {limit:,} characters, see "
                                f"docs/data-contract.md): {fix}", [preview(str(v)) for v in values.iloc[idx]]))
    return out
