"""Reading the raw tables of a register: a folder of ``<table>.csv`` / ``<table>.xlsx`` files, or one
workbook whose sheets are named after the tables. Cells are returned as text, with the spreadsheet row
number of every data row (header = row 1), so that every later problem can point at the cell."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cadre_lib.core.files import sha256_file
from cadre_lib.errors import Problem
from cadre_lib.register.contract import fold, tables

SAMPLE_MARKER = "SAMPLE_DATA.txt"


@dataclass
class RawTable:
    name: str
    source: str  # as shown to the user: "cadres.csv" or "register.xlsx[cadres]"
    frame: pd.DataFrame  # text cells, original headers
    rows: np.ndarray  # spreadsheet row number of each data row


@dataclass
class RawRegister:
    path: Path
    tables: dict[str, RawTable]
    problems: list[Problem]
    files: dict[str, str]  # file name -> sha256
    is_sample: bool




def _table_name(stem: str) -> str | None:
    key = fold(stem)
    for spec in tables().values():
        if key == fold(spec.name) or key in {fold(a) for a in spec.aliases}:
            return spec.name
    return None


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:  # NaN
            return ""
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    return str(v).strip()


def _frame_from_rows(rows: Sequence[Sequence[object]], table: str, source: str) -> RawTable | Problem:
    texts = [[_cell_text(v) for v in r] for r in rows]
    header_at = next((i for i, r in enumerate(texts) if any(r)), None)
    if header_at is None:
        return Problem(table, "the sheet is empty (no header row)", source)
    header = texts[header_at]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    body = [(r + [""] * width)[:width] for r in texts[header_at + 1 :]]
    numbers = np.arange(header_at + 2, header_at + 2 + len(body))
    keep = np.array([any(r) for r in body], dtype=bool) if body else np.zeros(0, dtype=bool)
    frame = pd.DataFrame([r for r, k in zip(body, keep, strict=True) if k], columns=header, dtype=object)
    if frame.empty:
        frame = pd.DataFrame({h: pd.Series(dtype=object) for h in header})
    return RawTable(table, source, frame.astype(object), numbers[keep])


_CSV_OPTIONS: dict[str, Any] = {
    "dtype": str,
    "keep_default_na": False,
    "na_filter": False,
    "skip_blank_lines": False,
    "quoting": csv.QUOTE_MINIMAL,
}


def _parse_csv(data: bytes, encoding: str, sep: str) -> pd.DataFrame:
    """The cells of a CSV file as text, as pandas' C parser reads them with ``_CSV_OPTIONS``. A regular
    UTF-8 file (a header of distinct names, every row as wide as the header) is read by Arrow's
    multithreaded reader, which gives the same cells several times faster; anything else by pandas."""
    frame = _parse_regular_csv(data, sep) if encoding == "utf-8" else None
    if frame is None:
        _check_widths(data, encoding, sep)
        frame = pd.read_csv(io.BytesIO(data), encoding=encoding, sep=sep, **_CSV_OPTIONS)
    return frame


class _WideRows(Exception):
    def __init__(self, rows: list[int], width: int, header: int):
        self.rows, self.width, self.header = rows, width, header


def _check_widths(data: bytes, encoding: str, sep: str) -> None:
    """Rows with more cells than the header would shift every value (pandas takes the first as an
    index): refuse them, naming the rows."""
    reader = csv.reader(io.StringIO(data.decode(encoding)), delimiter=sep)
    header = next(reader, [])
    wide = [(n, len(r)) for n, r in enumerate(reader, start=2) if len(r) > len(header)]
    if wide:
        raise _WideRows([n for n, _ in wide], wide[0][1], len(header))


def _parse_regular_csv(data: bytes, sep: str) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.csv as pv

    try:
        names = [str(c) for c in pd.read_csv(io.BytesIO(data), sep=sep, nrows=0, **_CSV_OPTIONS).columns]
        if len(set(names)) != len(names):
            return None
        table = pv.read_csv(
            io.BytesIO(data),
            parse_options=pv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                              strings_can_be_null=False, null_values=[]),
        )
    except (pa.ArrowException, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None  # irregular rows, or a header pandas reads otherwise: pandas decides
    if table.column_names != names:
        return None
    columns = {i: pd.array(table.column(i), dtype="str") for i in range(table.num_columns)}
    return pd.DataFrame(columns).set_axis(names, axis=1)


def _read_csv(path: Path, table: str) -> RawTable | Problem:
    source = path.name
    raw = path.read_bytes()
    if not raw[:4096].strip() and not raw.strip():  # (the prefix spares a copy of a large file)
        return Problem(table, "the file is empty", source)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
        first = raw.decode(encoding).split("\n", 1)[0]
    else:
        encoding = "utf-8"  # the parsers read the bytes (pandas decodes utf-8-sig in Python first)
        if raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        try:
            raw.decode("utf-8")  # only a check: the parser reads the bytes itself
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            return Problem(
                table,
                f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}); in Excel use "
                "'File > Save As > CSV UTF-8 (Comma delimited) (*.csv)', or save the sheet as .xlsx",
                source,
            )
        end = raw.find(b"\n")
        first = raw[: end if end >= 0 else len(raw)].decode(encoding)
    sep = ";" if first.count(";") > first.count(",") and first.count("\t") == 0 else ","
    if first.count("\t") > max(first.count(","), first.count(";")):
        sep = "\t"
    try:
        frame = _parse_csv(raw, encoding, sep)
    except pd.errors.EmptyDataError:
        return Problem(table, "the file is empty", source)
    except pd.errors.ParserError as exc:
        return Problem(table, f"the file is not a readable CSV table: {exc}", source)
    except _WideRows as exc:
        more = f" (rows {', '.join(map(str, exc.rows[:10]))}{', ...' if len(exc.rows) > 10 else ''})"
        return Problem(table, f"the row has {exc.width} cells but the header has {exc.header} columns"
                       + (more if len(exc.rows) > 1 else "") + "; remove the extra cells or add a header", source,
                       exc.rows[0])
    del raw
    # strip every cell (vectorised on the Arrow strings; columns by position, headers may repeat)
    headers = [str(c).strip() for c in frame.columns]
    frame = pd.DataFrame({i: frame.iloc[:, i].fillna("").str.strip() for i in range(frame.shape[1])})
    frame.columns = headers
    rows = np.arange(2, len(frame) + 2)
    if len(frame):
        blank = np.ones(len(frame), dtype=bool)
        for i in range(frame.shape[1]):
            blank &= (frame.iloc[:, i] == "").to_numpy()
        if blank.any():
            frame = frame.loc[~blank].reset_index(drop=True)
            rows = rows[~blank]
    return RawTable(table, source, frame, rows)


def _read_xlsx_sheets(path: Path) -> tuple[dict[str, RawTable], list[Problem]]:
    import python_calamine

    out: dict[str, RawTable] = {}
    problems: list[Problem] = []
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for unreadable files
        return {}, [Problem(path.stem, f"cannot read the workbook: {exc}", path.name)]
    for sheet in wb.sheet_names:
        table = _table_name(sheet)
        if table is None:
            continue
        source = f"{path.name}[{sheet}]"
        if table in out:
            problems.append(Problem(table, f"two sheets hold the table '{table}'", source))
            continue
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        result = _frame_from_rows(rows, table, source)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            out[table] = result
    return out, problems


def read_register(path: str | Path) -> RawRegister:
    """Read every table found at ``path`` (folder or workbook). Missing required tables are problems."""
    p = Path(path)
    found: dict[str, RawTable] = {}
    problems: list[Problem] = []
    files: dict[str, str] = {}
    if not p.exists():
        return RawRegister(p, {}, [Problem("register", f"no such file or folder: {p}")], {}, False)
    if p.is_file():
        if p.suffix.lower() not in {".xlsx", ".xlsm"}:
            problems.append(Problem("register", "a register is a folder of tables or one .xlsx workbook", p.name))
            return RawRegister(p, {}, problems, {}, False)
        files[p.name] = sha256_file(p)
        found, problems = _read_xlsx_sheets(p)
        is_sample = (p.parent / SAMPLE_MARKER).exists()
    else:
        is_sample = (p / SAMPLE_MARKER).exists()
        candidates = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(("~$", ".")))
        by_table: dict[str, list[Path]] = {}
        workbooks: list[Path] = []
        for f in candidates:
            ext = f.suffix.lower()
            if ext not in {".csv", ".xlsx", ".xlsm"}:
                continue
            table = _table_name(f.stem)
            if table is None:
                if ext in {".xlsx", ".xlsm"}:
                    workbooks.append(f)
                continue
            by_table.setdefault(table, []).append(f)
        if not by_table and len(workbooks) == 1:
            return read_register(workbooks[0])
        for table, fs in by_table.items():
            if len(fs) > 1:
                names = ", ".join(f.name for f in fs)
                problems.append(Problem(table, f"the table is given twice ({names}); keep one file"))
                continue
            f = fs[0]
            files[f.name] = sha256_file(f)
            if f.suffix.lower() == ".csv":
                result = _read_csv(f, table)
                if isinstance(result, Problem):
                    problems.append(result)
                else:
                    found[table] = result
            else:
                sheets, probs = _read_xlsx_sheets(f)
                problems.extend(probs)
                if table in sheets:
                    found[table] = sheets[table]
                else:
                    # a single-table workbook: take its first sheet whatever its name
                    import python_calamine

                    wb = python_calamine.CalamineWorkbook.from_path(str(f))
                    first = wb.sheet_names[0]
                    res = _frame_from_rows(
                        wb.get_sheet_by_name(first).to_python(skip_empty_area=False), table, f"{f.name}[{first}]"
                    )
                    if isinstance(res, Problem):
                        problems.append(res)
                    else:
                        found[table] = res
    for spec in tables().values():
        if spec.required and spec.name not in found and not any(pr.table == spec.name for pr in problems):
            problems.append(
                Problem(spec.name, f"required table '{spec.name}' is missing (expected {spec.name}.csv, "
                        f"{spec.name}.xlsx or a sheet named '{spec.name}')")
            )
    return RawRegister(p, found, problems, files, is_sample)
