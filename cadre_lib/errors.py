"""Typed exceptions. User errors (bad input, bad parameters) derive from :class:`CadreError`
and are printed by the CLI without a traceback, with exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


class CadreError(Exception):
    """Base class of every error caused by the user's input (exit code 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One problem found in the register, located as the user sees it in the spreadsheet."""

    table: str
    message: str
    source: str = ""  # file name, or "workbook.xlsx[sheet]"
    row: int | None = None  # spreadsheet row, header = row 1
    column: str | None = None
    value: object = None

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


class RegisterError(CadreError):
    """The register cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"the register has {n} problem{'s' if n != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class ParameterError(CadreError):
    """The parameters file or a command-line parameter is invalid."""


class UsageError(CadreError):
    """A command was called with arguments that do not fit (unknown unit, indicator, ...)."""


class LockError(CadreError):
    """Another run holds the lock."""
