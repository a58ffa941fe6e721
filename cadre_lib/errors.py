"""Typed exceptions. User errors (bad input, bad parameters) derive from :class:`CadreError`
and are printed by the CLI without a traceback, with exit code 2."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class CadreError(Exception):
    """Base class of every error caused by the user's input (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in the register, located as the user sees it in the spreadsheet."""

    table: str
    message: str
    source: str = ""  # file name, or "workbook.xlsx[sheet]"
    row: int | None = None  # spreadsheet row, as the spreadsheet shows it
    column: str | None = None
    value: object = None
    code: str = ""  # a stable identifier of the kind of problem (see problem_code)

    def __str__(self) -> str:
        where = self.source or self.table
        parts = [where]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        text = ", ".join(parts) + f": {self.message}"
        if self.value is not None and self.value != "":
            text += f" (value: {self.value!r})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The problem for other tools (``validate --format json``): plain JSON values."""
        value = self.value
        if isinstance(value, tuple):
            value = [_plain(v) for v in value]
        else:
            value = _plain(value)
        return {"table": self.table, "file": self.source or None, "row": self.row, "column": self.column,
                "value": value, "code": problem_code(self), "message": self.message}


def _plain(v: object) -> object:
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if hasattr(v, "item"):  # numpy scalars
        return _plain(v.item())
    return str(v)


#: Codes of the problems raised before codes were given at the source: the first pattern that matches.
_CODES = [
    (r"^required table .* is missing", "missing_table"),
    (r"^required column .* is missing", "missing_column"),
    (r"both mean", "duplicate_column"),
    (r"^a value is required", "required"),
    (r"^not a date", "not_a_date"),
    (r"^looks like an Excel serial number", "excel_serial_date"),
    (r"^implausible date", "implausible_date"),
    (r"^not a whole number", "not_a_number"),
    (r"^not a yes/no value", "not_a_boolean"),
    (r"^unknown \w+ code", "unknown_code"),
    (r"^duplicate ", "duplicate_key"),
    (r"^unknown (parent unit|unit|cadre)", "unknown_reference"),
    (r"^removed_on is before added_on", "removed_before_added"),
    (r"^birth date in the future", "future_birth_date"),
    (r"^parent cycle", "parent_cycle"),
    (r"^no root unit", "no_root"),
    (r"no data rows", "no_rows"),
    (r"is empty", "empty"),
]


def problem_code(p: Problem) -> str:
    """``p.code``, or the code of its kind of message; ``invalid`` when neither says more."""
    if p.code:
        return p.code
    for pattern, code in _CODES:
        if re.search(pattern, p.message):
            return code
    return "invalid"


class RegisterError(CadreError):
    """The register cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"the register has {n} problem{'s' if n != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ParameterError(CadreError):
    """The parameters file or a command-line parameter is invalid (``file``, ``line``, ``column`` when known)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None):
        super().__init__(message)
        self.file, self.line, self.column = file, line, column


class UsageError(CadreError):
    """A command was called with arguments that do not fit (unknown unit, indicator, ...)."""


class LockError(CadreError):
    """Another run holds the lock."""
