"""Reading the raw tables of a register: a folder of ``<table>.csv`` / ``<table>.xlsx`` files, or one
workbook whose sheets are named after the tables. Cells are returned as text, with the spreadsheet row
number of every data row, so that every later problem can point at the cell.

Files as offices make them are read as they are: title rows above the header (the header is the first of
the first 15 rows that names every required column), comma-, semicolon- or tab-separated text in UTF-8,
UTF-16 or Windows-1258, Windows line ends, trailing blank rows. What cannot be read (a binary file, a text
file named ``.xlsx``, a legacy encoding that is not Windows-1258, an empty file) is a :class:`Problem` that
says how to re-save the file. Excel error cells and formulas saved without their value are kept as
markers (:mod:`cadre_lib.register.cells`) that validation names as such.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from cadre_lib.core.files import sha256_file
from cadre_lib.errors import Problem
from cadre_lib.register.cells import FORMULA_MARK
from cadre_lib.register.contract import fold, tables

SAMPLE_MARKER = "SAMPLE_DATA.txt"
#: The header is looked for in the first rows of a sheet or file (title rows above it are skipped).
HEADER_SEARCH_ROWS = 15
_CSV_HEAD_BYTES = 1 << 18  # enough text for the first 15 records of any sane file
_SEPARATORS = (",", ";", "\t")


@dataclass
class RawTable:
    name: str
    source: str  # as shown to the user: "cadres.csv" or "register.xlsx[cadres]"
    frame: pd.DataFrame  # text cells, original headers
    rows: np.ndarray  # spreadsheet row number of each data row
    header_row: int = 1  # spreadsheet row of the header (below any title rows)
    marked: bool = True  # cells may hold Excel errors or formula markers (False: the file has no '#')


@dataclass
class RawRegister:
    path: Path
    tables: dict[str, RawTable]
    problems: list[Problem]
    files: dict[str, str]  # file name -> sha256
    is_sample: bool
    warnings: list[str] = field(default_factory=list)


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


# --- the header row ---------------------------------------------------------------------------------


@cache
def _header_keys(table: str) -> tuple[dict[str, str], frozenset[str]]:
    spec = tables()[table]
    return spec.header_map(), frozenset(c.name for c in spec.columns.values() if not c.optional)


def _header_score(cells: Sequence[str], table: str) -> tuple[bool, int]:
    """(names every required column, how many columns it names) for one candidate header row."""
    header_map, required = _header_keys(table)
    named = {header_map[k] for k in (fold(c) for c in cells if c) if k in header_map}
    return required <= named, len(named)


def find_header(rows: Sequence[Sequence[str]], table: str) -> int | None:
    """Index of the header row: the first of the first 15 rows that names every required column (aliases
    included); else the one of them that names most columns (its missing columns are then reported); None
    when none of them names any column."""
    best: tuple[int, int] | None = None  # (columns named, index)
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if not any(cells):
            continue
        complete, n = _header_score(cells, table)
        if complete:
            return i
        if n and (best is None or n > best[0]):
            best = (n, i)
    return None if best is None else best[1]


def _no_header(table: str, source: str, rows: Sequence[Sequence[str]]) -> Problem:
    spec = tables()[table]
    required = ", ".join(c.name for c in spec.columns.values() if not c.optional)
    if not any(any(r) for r in rows):
        return Problem(table, "the sheet is empty (no header row)" if "[" in source else "the file is empty",
                       source, code="empty")
    return Problem(table, f"no header row found: none of the first {HEADER_SEARCH_ROWS} rows names the columns "
                   f"of the table ({required}, or their Vietnamese names, see docs/data-contract.md)", source,
                   code="no_header")


# --- workbooks --------------------------------------------------------------------------------------


def _frame_from_rows(rows: Sequence[Sequence[object]], table: str, source: str,
                     marks: dict[tuple[int, int], str] | None = None) -> RawTable | Problem:
    texts = [[_cell_text(v) for v in r] for r in rows]
    for (r, c), mark in (marks or {}).items():  # error cells and formulas without a value
        if r < len(texts):
            line = texts[r]
            if c >= len(line):
                line.extend([""] * (c + 1 - len(line)))
            line[c] = mark
    header_at = find_header(texts, table)
    if header_at is None:
        return _no_header(table, source, texts)
    header = texts[header_at]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = header[:width]
    body = [(r + [""] * width)[:width] for r in texts[header_at + 1 :]]
    numbers = np.arange(header_at + 2, header_at + 2 + len(body))
    keep = np.array([any(r) for r in body], dtype=bool) if body else np.zeros(0, dtype=bool)
    kept = [r for r, k in zip(body, keep, strict=True) if k]
    columns = {i: pd.array([r[i] for r in kept], dtype="str") for i in range(width)}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(kept))).set_axis(header, axis=1)
    return RawTable(table, source, frame, numbers[keep], header_row=header_at + 1)


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_TYPE = re.compile(rb"""\bt=["'](\w+)["']""")
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v\b[^>]*?(?:/>|>(.*?)</v>)", re.S)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """sheet name -> its XML part in the workbook zip."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): str(r.get("Target")) for r in rels if r.tag.endswith("Relationship")}
    out: dict[str, str] = {}
    for el in book.iter():
        if el.tag.endswith("}sheet"):
            t = target.get(el.get(f"{{{_REL_NS}}}id"), "")
            out[str(el.get("name"))] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _sheet_marks(zf: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """(row, column) (0-based) -> marker text, for the Excel error cells and the formula cells saved without
    their value: the cell reader shows both as blanks. The sheet's XML is scanned for ``t="e"`` and ``<f``
    first (streamed), and parsed only when it has any."""
    with zf.open(part) as fh:
        tail = b""
        while chunk := fh.read(1 << 22):
            buf = tail + chunk
            if b'"e"' in buf or b"'e'" in buf or b"<f" in buf:
                break
            tail = buf[-8:]
        else:
            return {}
    marks: dict[tuple[int, int], str] = {}
    for m in _CELL.finditer(zf.read(part)):
        attrs, inner = m.group(1), m.group(2) or b""
        ref = _REF.search(attrs)
        if ref is None:
            continue
        kind = _TYPE.search(attrs)
        cell_type = kind.group(1) if kind else b"n"
        value = _VALUE.search(inner)
        cached = value.group(1) if value and value.group(1) else None
        where = (int(ref.group(2)) - 1, _column_index(ref.group(1)))
        if cell_type == b"e":
            marks[where] = (cached or b"#N/A").decode("utf-8", "replace").strip()
            continue
        formula = _FORMULA.search(inner)
        if formula is not None and cached is None and cell_type not in (b"str", b"inlineStr", b"s"):
            text = (formula.group(1) or b"").decode("utf-8", "replace")
            marks[where] = FORMULA_MARK + (text or "(shared formula)")
    return marks


def _marks_of(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """:func:`_sheet_marks` of one sheet, by name; none when the zip cannot tell (calamine read it: keep its
    cells as they are)."""
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_parts(zf).get(sheet)
            return _sheet_marks(zf, part) if part and part in zf.namelist() else {}
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, RuntimeError):
        return {}


def _not_a_workbook(path: Path, head: bytes) -> str | None:
    """Why the file cannot be a .xlsx workbook, or None when it looks like one."""
    if head.startswith(b"PK\x03\x04"):
        return None
    if not head.strip():
        return "the file is empty"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ("the file is an old Excel 97-2003 workbook (.xls) or a password-protected one, named .xlsx: open it "
                "in Excel, remove any password, and save it as 'Excel Workbook (*.xlsx)'")
    if _looks_like_text(head):
        what = "an HTML page" if head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<table")) else \
            "a text file (it looks like CSV)"
        return (f"the file is {what}, not an Excel workbook, although it is named {path.suffix}: rename it to .csv "
                "if it is a CSV table, or open it in Excel and save it as 'Excel Workbook (*.xlsx)'")
    return (f"the file is not an Excel workbook, although it is named {path.suffix}: open it in Excel or LibreOffice "
            "and save it as 'Excel Workbook (*.xlsx)'")


def _open_workbook(path: Path) -> Any:
    """The calamine workbook, or the reason it cannot be read."""
    import python_calamine

    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        return f"cannot read the file: {exc.strerror or exc}"
    reason = _not_a_workbook(path, head)
    if reason is not None:
        return reason
    try:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several error types for unreadable files
        return (f"cannot read the workbook ({exc.__class__.__name__}: {str(exc)[:200]}): it may be damaged or "
                "not an Excel file; open it in Excel or LibreOffice and save it again as .xlsx")
    if not wb.sheet_names:
        return "the workbook has no sheets"
    return wb


def _read_sheet(wb: Any, path: Path, sheet: str, table: str, source: str) -> RawTable | Problem:
    # The sheet's XML is scanned for error cells and formulas (zlib, which releases the GIL) in a thread
    # while calamine reads its cells.
    with ThreadPoolExecutor(max_workers=1) as pool:
        marks = pool.submit(_marks_of, path, sheet)
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception as exc:  # a damaged sheet
            return Problem(table, f"cannot read the sheet ({exc.__class__.__name__}: {str(exc)[:200]}); open the "
                           "file in Excel or LibreOffice and save it again", source, code="unreadable")
        return _frame_from_rows(rows, table, source, marks.result())


def _read_xlsx_sheets(path: Path, single: str | None = None) -> tuple[dict[str, RawTable], list[Problem]]:
    """The tables of a workbook, by sheet name; ``single``: the file is that table's (``units.xlsx``), and its
    first sheet is taken when no sheet is named after the table."""
    out: dict[str, RawTable] = {}
    problems: list[Problem] = []
    wb = _open_workbook(path)
    if isinstance(wb, str):
        return {}, [Problem(single or path.stem, wb, path.name, code="not_a_workbook")]
    for sheet in wb.sheet_names:
        table = _table_name(sheet)
        if table is None:
            continue
        source = f"{path.name}[{sheet}]"
        if table in out:
            problems.append(Problem(table, f"two sheets hold the table '{table}'", source, code="duplicate_table"))
            continue
        result = _read_sheet(wb, path, sheet, table, source)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            out[table] = result
    if single is not None and single not in out and not any(p.table == single for p in problems):
        first = wb.sheet_names[0]
        result = _read_sheet(wb, path, first, single, f"{path.name}[{first}]")
        if isinstance(result, Problem):
            problems.append(result)
        else:
            out[single] = result
    return out, problems


# --- text files -------------------------------------------------------------------------------------

_CSV_OPTIONS: dict[str, Any] = {
    "dtype": str,
    "keep_default_na": False,
    "na_filter": False,
    "skip_blank_lines": False,
    "quoting": csv.QUOTE_MINIMAL,
}


def _parse_csv(data: bytes, sep: str, first_row: int = 1) -> pd.DataFrame:
    """The cells of a UTF-8 CSV file as text, as pandas' C parser reads them with ``_CSV_OPTIONS``. A regular
    file (a header of distinct names, every row as wide as the header) is read by Arrow's multithreaded
    reader, which gives the same cells several times faster; anything else by pandas."""
    frame = _parse_regular_csv(data, sep)
    if frame is None:
        _check_widths(data, sep, first_row)
        frame = pd.read_csv(io.BytesIO(data), encoding="utf-8", sep=sep, **_CSV_OPTIONS)
    return frame


class _WideRows(Exception):
    def __init__(self, rows: list[int], width: int, header: int):
        self.rows, self.width, self.header = rows, width, header


def _csv_reader(text: str | io.StringIO, sep: str) -> Iterator[list[str]]:
    csv.field_size_limit(2**31 - 1)  # an over-long cell is reported by validation, not a reader crash
    return csv.reader(io.StringIO(text) if isinstance(text, str) else text, delimiter=sep)


def _check_widths(data: bytes, sep: str, first_row: int = 1) -> None:
    """Rows with more cells than the header would shift every value (pandas takes the first as an
    index): refuse them, naming the rows (``first_row``: the header's spreadsheet row)."""
    reader = _csv_reader(data.decode("utf-8"), sep)
    header = next(reader, [])
    wide = [(n, len(r)) for n, r in enumerate(reader, start=first_row + 1) if len(r) > len(header)]
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
    except (pa.ArrowException, pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error):
        return None  # irregular rows, or a header pandas reads otherwise: pandas decides
    if table.column_names != names:
        return None
    columns = {i: pd.array(table.column(i), dtype="str") for i in range(table.num_columns)}
    return pd.DataFrame(columns).set_axis(names, axis=1)


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    controls = sum(head.count(bytes([c])) for c in range(32) if c not in (9, 10, 12, 13))
    return controls <= len(head) // 100


def _binary_kind(head: bytes) -> str | None:
    """What a binary file given as CSV is, as far as its first bytes tell."""
    if head.startswith(b"PK\x03\x04"):
        return "an Excel workbook or another zip file"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel (.xls) or Word file"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    return None


#: Letters of Vietnamese (both cases), composed: what a Windows-1258 file must decode to.
_VIETNAMESE = set(unicodedata.normalize(
    "NFC", "".join(base + mark for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" for mark in ("", "\u0300", "\u0301", "\u0303",
                                                                                    "\u0309", "\u0323"))
)) | set("đĐ") | set("–—‘’“”…•€°±×÷§«»·")
_CP1258_TONES = re.compile(rb"[\xcc\xd2\xde\xec\xf2]")  # the combining tone marks of Windows-1258


def _from_windows_1258(data: bytes) -> str | None:
    """The text of a Windows-1258 file (Vietnamese with combining tone marks, as old Excel and Notepad save
    it), or None when the bytes do not read as Vietnamese in that code page."""
    if _CP1258_TONES.search(data) is None:
        return None
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:
        return None
    odd = {ch for ch in set(text) if ord(ch) > 127} - _VIETNAMESE
    return None if odd else text


_LEGACY_HOWTO = (
    "convert it to Unicode (for TCVN3/ABC or VNI text: Unikey > 'Công cụ chuyển mã', to 'Unicode'), then in Excel "
    "use 'File > Save As > CSV UTF-8 (Comma delimited) (*.csv)', or save the sheet as .xlsx"
)


def _decode(raw: bytes, source: str, table: str) -> tuple[bytes, str | None] | Problem:
    """The file as UTF-8 bytes without a BOM, and a warning when it was in another encoding."""
    head = raw[:4096]
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding: str | None = "utf-16"
    elif raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):], None
    else:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        encoding = "utf-16-le" if odd > len(head) // 4 > even else "utf-16-be" if even > len(head) // 4 > odd else None
    if encoding is not None:
        try:
            return raw.decode(encoding).lstrip("\ufeff").encode("utf-8"), None
        except UnicodeDecodeError as exc:
            return Problem(table, f"the file starts as UTF-16 text but is not readable as such ({exc.reason}); "
                           "save it again from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)'", source, code="encoding")
    kind = _binary_kind(head)
    if kind is not None or not _looks_like_text(head):
        what = kind or "a binary file"
        hint = "rename it to .xlsx if it is the table's workbook, or " if kind and "Excel workbook" in kind else ""
        return Problem(table, f"the file is {what}, not a CSV text table: {hint}export the table from Excel with "
                       "'File > Save As > CSV UTF-8 (Comma delimited) (*.csv)'", source, code="binary")
    try:
        raw.decode("utf-8")  # only a check: the parser reads the bytes itself
    except UnicodeDecodeError as exc:
        text = _from_windows_1258(raw)
        if text is not None:
            return text.encode("utf-8"), (f"{source}: read as Windows-1258 (Vietnamese), not UTF-8; save it as "
                                          "'CSV UTF-8' to be sure of the names")
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(table, f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}) nor Vietnamese "
                       f"Windows-1258; {_LEGACY_HOWTO}", source, line, code="encoding")
    return raw, None


def _record_offset(data: bytes, n: int) -> int:
    """Byte offset of the ``n``-th record (0-based) of CSV text: newlines inside quotes do not end one."""
    pos, inside = 0, False
    for _ in range(n):
        while True:
            nl = data.find(b"\n", pos)
            if nl < 0:
                return len(data)
            inside ^= data.count(b'"', pos, nl) % 2 == 1
            pos = nl + 1
            if not inside:
                break
    return pos


def _layout(data: bytes, table: str) -> tuple[str, int, list[str]] | None:
    """(separator, index of the header record, its cells) of CSV text: the separator with which one of the
    first 15 records names every required column (the earliest such record), else names most columns."""
    head = data[:_CSV_HEAD_BYTES].decode("utf-8", errors="ignore")
    best: tuple[tuple[bool, int, int], str, int, list[str]] | None = None
    for sep in _SEPARATORS:
        try:
            records = [[c.strip() for c in r] for r in itertools.islice(_csv_reader(head, sep), HEADER_SEARCH_ROWS)]
        except csv.Error:
            continue
        at = find_header(records, table)
        if at is None:
            continue
        complete, n = _header_score(records[at], table)
        rank = (complete, -at if complete else n, n)
        if best is None or rank > best[0]:
            best = (rank, sep, at, records[at])
    return None if best is None else best[1:]


def _read_csv(path: Path, table: str) -> tuple[RawTable | Problem, str | None]:
    """The table of one CSV file, and a warning about its encoding."""
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Problem(table, f"cannot read the file: {exc.strerror or exc}", source, code="unreadable"), None
    if not raw[:4096].strip() and not raw.strip():  # (the prefix spares a copy of a large file)
        return Problem(table, "the file is empty", source, code="empty"), None
    decoded = _decode(raw, source, table)
    del raw
    if isinstance(decoded, Problem):
        return decoded, None
    data, note = decoded
    if b"\n" not in data and b"\r" in data:  # old Mac line ends
        data = data.replace(b"\r", b"\n")
    if not data[:4096].strip(b" \t\r\n,;") and not data.strip(b" \t\r\n,;"):  # (the prefix spares a copy)
        return Problem(table, "the file is empty", source, code="empty"), note
    layout = _layout(data, table)
    if layout is None:
        head = data[:_CSV_HEAD_BYTES].decode("utf-8", errors="ignore")
        return _no_header(table, source, [[c.strip() for c in r] for r in _csv_reader(head, ",")][:1]), note
    sep, header_at, header_cells = layout
    if header_at:
        data = data[_record_offset(data, header_at):]
    try:
        frame = _parse_csv(data, sep, header_at + 1)
    except pd.errors.EmptyDataError:
        return Problem(table, "the file is empty", source, code="empty"), note
    except (pd.errors.ParserError, csv.Error) as exc:
        return Problem(table, f"the file is not a readable CSV table: {exc}", source, code="unreadable"), note
    except _WideRows as exc:
        more = f" (rows {', '.join(map(str, exc.rows[:10]))}{', ...' if len(exc.rows) > 10 else ''})"
        return Problem(table, f"the row has {exc.width} cells but the header has {exc.header} columns"
                       + (more if len(exc.rows) > 1 else "") + "; remove the extra cells or add a header", source,
                       exc.rows[0], code="wide_row"), note
    marked = b"#" in data or b"\x00" in data
    del data
    # strip every cell (vectorised on the Arrow strings; columns by position, headers may repeat)
    headers = [str(c).strip() for c in frame.columns]
    if len(header_cells) == len(headers):
        headers = header_cells  # as typed: pandas renames a repeated header 'x' to 'x.1'
    frame = pd.DataFrame({i: frame.iloc[:, i].fillna("").str.strip() for i in range(frame.shape[1])})
    frame.columns = headers
    rows = np.arange(header_at + 2, len(frame) + header_at + 2)
    if len(frame):
        blank = np.ones(len(frame), dtype=bool)
        for i in range(frame.shape[1]):
            blank &= (frame.iloc[:, i] == "").to_numpy()
        if blank.any():
            frame = frame.loc[~blank].reset_index(drop=True)
            rows = rows[~blank]
    return RawTable(table, source, frame, rows, header_row=header_at + 1, marked=marked), note


def read_register(path: str | Path) -> RawRegister:
    """Read every table found at ``path`` (folder or workbook). Missing required tables are problems."""
    p = Path(path)
    found: dict[str, RawTable] = {}
    problems: list[Problem] = []
    files: dict[str, str] = {}
    warnings: list[str] = []
    if not p.exists():
        return RawRegister(p, {}, [Problem("register", f"no such file or folder: {p}", code="not_found")], {}, False)
    if p.is_file():
        if p.suffix.lower() not in {".xlsx", ".xlsm"}:
            problems.append(Problem("register", "a register is a folder of tables or one .xlsx workbook", p.name,
                                    code="not_a_register"))
            return RawRegister(p, {}, problems, {}, False)
        try:
            files[p.name] = sha256_file(p)
        except OSError as exc:
            return RawRegister(p, {}, [Problem("register", f"cannot read the file: {exc.strerror or exc}", p.name,
                                               code="unreadable")], {}, False)
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
                problems.append(Problem(table, f"the table is given twice ({names}); keep one file",
                                        code="duplicate_table"))
                continue
            f = fs[0]
            try:
                files[f.name] = sha256_file(f)
            except OSError as exc:
                problems.append(Problem(table, f"cannot read the file: {exc.strerror or exc}", f.name,
                                        code="unreadable"))
                continue
            if f.suffix.lower() == ".csv":
                result, note = _read_csv(f, table)
                if note:
                    warnings.append(note)
                if isinstance(result, Problem):
                    problems.append(result)
                else:
                    found[table] = result
            else:
                sheets, probs = _read_xlsx_sheets(f, single=table)
                problems.extend(probs)
                if table in sheets:
                    found[table] = sheets[table]
    for spec in tables().values():
        if spec.required and spec.name not in found and not any(pr.table == spec.name for pr in problems):
            problems.append(
                Problem(spec.name, f"required table '{spec.name}' is missing (expected {spec.name}.csv, "
                        f"{spec.name}.xlsx or a sheet named '{spec.name}')", code="missing_table")
            )
    return RawRegister(p, found, problems, files, is_sample, warnings)
