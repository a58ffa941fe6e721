"""The corpus of broken and messy registers and parameter files (``manifest.yaml`` says what each must give).

Every case starts from one clean register (the hand-computed register of ``tests/test_indicators.py``, every
table as a plain UTF-8 CSV with LF line ends) and one clean parameters file, then changes one habit of the
offices that type registers by hand. ``build(case_id, folder)`` writes a case and returns (register path,
parameters path). Rows in ``manifest.yaml`` are worked out from the construction below (the clean CSV has its
header on row 1, so ``CADRES[i]`` is on row ``i + 2``), not read from the tool's output.

Run ``python tests/corpus/build.py OUT`` to write every case into OUT for a look by hand.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from conftest import HEADERS, UNITS  # noqa: E402
from test_indicators import CADRES, EVALUATIONS, MOVEMENTS, PLANNING, TRAINING, UNIT_REPORTS  # noqa: E402

ROOT = HERE.parent.parent
TABLES: dict[str, list[list[str]]] = {
    "units": UNITS, "cadres": CADRES, "planning": PLANNING, "training": TRAINING, "movements": MOVEMENTS,
    "evaluations": EVALUATIONS, "unit_reports": UNIT_REPORTS,
}
Case = Callable[[Path], tuple[Path, Path]]
CASES: dict[str, Case] = {}


def case(fn: Case) -> Case:
    CASES[fn.__name__] = fn
    return fn


# --- helpers ------------------------------------------------------------------------------------------


def rows_of(table: str) -> list[list[Any]]:
    return [list(r) for r in TABLES[table]]


def csv_text(header: list[str], rows: list[list[Any]], sep: str = ",", end: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=end)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    return buf.getvalue()


def write_params(folder: Path, text: str | None = None, raw: bytes | None = None) -> Path:
    p = folder / "params.yaml"
    if raw is not None:
        p.write_bytes(raw)
    else:
        p.write_text(text if text is not None else clean_params(), encoding="utf-8")
    return p


def clean_params() -> str:
    """The default parameters with the reference date and window of the hand-computed register (whatever the
    defaults' own dates are)."""
    text = (ROOT / "parameters" / "default.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^as_of: .*$", "as_of: 2025-06-30", text)
    return re.sub(r"(?m)^period_start: .*$", "period_start: 2024-01-01", text)


def clean(folder: Path) -> Path:
    """The clean register: every table as UTF-8 CSV, LF line ends, header on row 1."""
    reg = folder / "register"
    reg.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        (reg / f"{name}.csv").write_text(csv_text(HEADERS[name], rows_of(name)), encoding="utf-8")
    return reg


def with_csv(folder: Path, table: str, text: str | None = None, raw: bytes | None = None,
             encoding: str = "utf-8") -> tuple[Path, Path]:
    reg = clean(folder)
    if raw is None:
        raw = (text or "").encode(encoding)
    (reg / f"{table}.csv").write_bytes(raw)
    return reg, write_params(folder)


def with_xlsx(folder: Path, table: str, rows: list[list[Any]] | None = None, header: list[Any] | None = None,
              above: list[list[Any]] | None = None, below: list[list[Any]] | None = None,
              sheet: str | None = None, merge: str | None = None) -> tuple[Path, Path]:
    """The clean register with ``table`` as ``<table>.xlsx``: ``above`` rows (titles) before the header."""
    reg = clean(folder)
    (reg / f"{table}.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet or table
    for r in above or []:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    ws.append(header if header is not None else HEADERS[table])
    for r in rows if rows is not None else rows_of(table):
        ws.append(r)
    for r in below or []:
        ws.append(r)
    wb.save(reg / f"{table}.xlsx")
    return reg, write_params(folder)


def to_cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letters (ă, â, ê, ô, ơ, ư, đ) followed by a combining tone mark."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
        out.append(base + "".join(c for c in d if c in tones))
    return "".join(out).encode("cp1258")


TITLE = "BAN TỔ CHỨC TỈNH ỦY HƯNG YÊN"


# --- accepted: the same numbers as the clean register ----------------------------------------------


@case
def clean_register(folder: Path) -> tuple[Path, Path]:
    return clean(folder), write_params(folder)


@case
def units_title_rows_xlsx(folder: Path) -> tuple[Path, Path]:
    return with_xlsx(folder, "units", above=[[TITLE], ["DANH SÁCH ĐƠN VỊ"], []], merge="A1:D1")


@case
def units_stt_column_xlsx(folder: Path) -> tuple[Path, Path]:
    return with_xlsx(folder, "units", header=["STT", *HEADERS["units"]],
                     rows=[[i, *r] for i, r in enumerate(rows_of("units"), 1)], above=[[TITLE], ["DANH SÁCH"]])


@case
def cadres_title_rows_csv(folder: Path) -> tuple[Path, Path]:
    body = csv_text(HEADERS["cadres"], rows_of("cadres"))
    titles = f"{TITLE},,,,,,,\n\"DANH SÁCH CÁN BỘ TRẺ (kèm theo Báo cáo số 12-BC/BTCTU, năm 2025)\",,,,,,,\n"
    return with_csv(folder, "cadres", titles + body)


@case
def cadres_tt_column_csv(folder: Path) -> tuple[Path, Path]:
    rows = [[i, *r] for i, r in enumerate(rows_of("cadres"), 1)]
    return with_csv(folder, "cadres", csv_text(["TT", *HEADERS["cadres"]], rows))


@case
def semicolon_csv(folder: Path) -> tuple[Path, Path]:
    reg, params = with_csv(folder, "cadres", csv_text(HEADERS["cadres"], rows_of("cadres"), sep=";"))
    (reg / "training.csv").write_text(csv_text(HEADERS["training"], rows_of("training"), sep=";"), encoding="utf-8")
    return reg, params


@case
def tab_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "training", csv_text(HEADERS["training"], rows_of("training"), sep="\t"))


@case
def utf8_bom_semicolon_csv(folder: Path) -> tuple[Path, Path]:
    text = csv_text(HEADERS["planning"], rows_of("planning"), sep=";", end="\r\n")
    return with_csv(folder, "planning", raw=b"\xef\xbb\xbf" + text.encode("utf-8"))


@case
def trailing_blank_rows_csv(folder: Path) -> tuple[Path, Path]:
    text = csv_text(HEADERS["cadres"], rows_of("cadres")) + "\n,,,,,,,\n\n  ,, ,,,,,\n\n"
    return with_csv(folder, "cadres", text)


@case
def trailing_blank_rows_xlsx(folder: Path) -> tuple[Path, Path]:
    return with_xlsx(folder, "planning", below=[[" "] * 8, [None, "  "], [" "]])


@case
def trailing_separators_csv(folder: Path) -> tuple[Path, Path]:
    """Excel exported a wider range: empty header cells and empty cells at the end of every row."""
    lines = csv_text(HEADERS["evaluations"], rows_of("evaluations")).splitlines()
    return with_csv(folder, "evaluations", "".join(line + ",,,\n" for line in lines))


@case
def stray_spaces_in_codes(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    units = rows_of("units")
    units[2][2] = "  Cấp   huyện "
    cadres = rows_of("cadres")
    cadres[0][2] = " Nam  "
    evals = rows_of("evaluations")
    evals[1][2] = " HTTNV "
    for name, rows in (("units", units), ("cadres", cadres), ("evaluations", evals)):
        (reg / f"{name}.csv").write_text(csv_text(HEADERS[name], rows), encoding="utf-8")
    return reg, write_params(folder)


@case
def capitals_in_codes(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    units = rows_of("units")
    units[3][2] = "CẤP XÃ"
    cadres = rows_of("cadres")
    cadres[3][2] = "NAM"
    moves = rows_of("movements")
    moves[5][1] = "LUÂN CHUYỂN"
    evals = rows_of("evaluations")
    evals[0][2] = "KHÔNG HOÀN THÀNH NHIỆM VỤ"
    for name, rows in (("units", units), ("cadres", cadres), ("movements", moves), ("evaluations", evals)):
        (reg / f"{name}.csv").write_text(csv_text(HEADERS[name], rows), encoding="utf-8")
    return reg, write_params(folder)


@case
def stray_spaces_in_ids(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    cadres = rows_of("cadres")
    cadres[0][0] = " c1 "
    cadres[2][4] = "\u00a0X1\u00a0"  # a no-break space, as copied from a web page
    planning = rows_of("planning")
    planning[0][0] = "c1  "
    for name, rows in (("cadres", cadres), ("planning", planning)):
        (reg / f"{name}.csv").write_text(csv_text(HEADERS[name], rows), encoding="utf-8")
    return reg, write_params(folder)


@case
def capitals_in_ids(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    cadres = rows_of("cadres")
    cadres[0][4] = "x1"
    planning = rows_of("planning")
    planning[0][0] = "C1"
    planning[0][2] = "h"
    moves = rows_of("movements")
    moves[0][3] = "x1"
    units = rows_of("units")
    units[3][3] = "h"  # X1's parent
    for name, rows in (("cadres", cadres), ("planning", planning), ("movements", moves), ("units", units)):
        (reg / f"{name}.csv").write_text(csv_text(HEADERS[name], rows), encoding="utf-8")
    return reg, write_params(folder)


@case
def utf16_le_bom_tab_csv(folder: Path) -> tuple[Path, Path]:
    """Excel's 'Unicode Text (*.txt)' renamed .csv: UTF-16 LE with BOM, tab separated, CRLF."""
    text = csv_text(HEADERS["cadres"], rows_of("cadres"), sep="\t", end="\r\n")
    return with_csv(folder, "cadres", raw=text.encode("utf-16"))


@case
def utf16_be_bom_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "units", raw=b"\xfe\xff" + csv_text(HEADERS["units"], rows_of("units")).encode("utf-16-be"))


@case
def utf16_le_no_bom_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "planning", raw=csv_text(HEADERS["planning"], rows_of("planning")).encode("utf-16-le"))


@case
def vietnamese_capital_headers(folder: Path) -> tuple[Path, Path]:
    header = ["MÃ CÁN BỘ", "HỌ VÀ TÊN", "GIỚI TÍNH", "NGÀY THÁNG NĂM SINH", "MÃ ĐƠN VỊ", "CHỨC VỤ", "LÃNH ĐẠO",
              "NGƯỜI ĐỨNG ĐẦU"]
    return with_csv(folder, "cadres", csv_text(header, rows_of("cadres")))


@case
def vietnamese_headers_decomposed(folder: Path) -> tuple[Path, Path]:
    """Headers typed with a keyboard that writes decomposed letters (NFD)."""
    header = [unicodedata.normalize("NFD", h) for h in ["Mã đơn vị", "Tên đơn vị", "Cấp", "Đơn vị cấp trên"]]
    return with_csv(folder, "units", csv_text(header, rows_of("units")))


@case
def windows_line_ends(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    for name in TABLES:
        (reg / f"{name}.csv").write_text(csv_text(HEADERS[name], rows_of(name), end="\r\n"), encoding="utf-8")
    return reg, write_params(folder)


@case
def old_mac_line_ends(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "units", csv_text(HEADERS["units"], rows_of("units"), end="\r"))


@case
def windows_1258_csv(folder: Path) -> tuple[Path, Path]:
    reg, params = with_csv(folder, "cadres", raw=to_cp1258(csv_text(HEADERS["cadres"], rows_of("cadres"))))
    (reg / "planning.csv").write_bytes(to_cp1258(csv_text(HEADERS["planning"], rows_of("planning"))))
    return reg, params


@case
def header_with_line_breaks_xlsx(folder: Path) -> tuple[Path, Path]:
    header = ["Mã\ncán bộ", "Họ và\ntên", "Giới tính", "Ngày\nsinh", "Mã đơn vị", "Chức vụ", "Lãnh đạo",
              "Người đứng đầu"]
    return with_xlsx(folder, "cadres", header=header)


@case
def excel_typed_cells_xlsx(folder: Path) -> tuple[Path, Path]:
    """Real date cells, numbers for yes/no and for years, as Excel stores them."""
    import datetime as dt

    def cell(v: str) -> Any:
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(v, fmt)
            except ValueError:
                pass
        return int(v) if v.isdigit() else v

    return with_xlsx(folder, "evaluations", rows=[[cell(v) for v in r] for r in rows_of("evaluations")])


@case
def one_workbook_vietnamese_sheets(folder: Path) -> tuple[Path, Path]:
    """One workbook, sheets named in Vietnamese, each with title rows (a merged one) and an STT column."""
    names = {"units": "Đơn vị", "cadres": "Cán bộ", "planning": "Quy hoạch", "training": "Đào tạo",
             "movements": "Biến động", "evaluations": "Đánh giá", "unit_reports": "Báo cáo đơn vị"}
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table, sheet in names.items():
        ws = wb.create_sheet(sheet)
        ws.append([TITLE])
        ws.merge_cells("A1:F1")
        ws.append([f"DANH SÁCH {sheet.upper()}"])
        ws.append([])
        ws.append(["STT", *HEADERS[table]])
        for i, r in enumerate(rows_of(table), 1):
            ws.append([i, *r])
    folder.mkdir(parents=True, exist_ok=True)
    book = folder / "so-lieu-can-bo.xlsx"
    wb.save(book)
    return book, write_params(folder)


@case
def repeated_ignored_columns_csv(folder: Path) -> tuple[Path, Path]:
    header = [*HEADERS["cadres"], "Ghi chú", "Ghi chú"]
    return with_csv(folder, "cadres", csv_text(header, [[*r, "a", "b"] for r in rows_of("cadres")]))


@case
def names_with_markup_and_formulas(folder: Path) -> tuple[Path, Path]:
    """Text that looks like a formula or markup is data: accepted as it is (and written out as text)."""
    cadres = rows_of("cadres")
    cadres[4][1] = '=HYPERLINK("http://example.invalid/x";"Hoàng Văn Em")'
    cadres[5][1] = "<b>Vũ Thị Phượng</b><script>alert(1)</script>"
    return with_csv(folder, "cadres", csv_text(HEADERS["cadres"], cadres))


@case
def params_bom_crlf(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    return reg, write_params(folder, raw=b"\xef\xbb\xbf" + clean_params().replace("\n", "\r\n").encode("utf-8"))


# --- refused: the register ------------------------------------------------------------------------


@case
def error_na_xlsx(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("cadres")
    rows[1][3] = "#N/A"  # openpyxl stores an error value: c2's birth date, row 3
    return with_xlsx(folder, "cadres", rows=rows)


@case
def error_ref_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("planning")
    rows[2][2] = "#REF!"  # row 4
    return with_csv(folder, "planning", csv_text(HEADERS["planning"], rows))


@case
def error_value_below_title_rows_xlsx(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("units")
    rows[2][2] = "#VALUE!"  # unit H: header on row 4, H on row 7
    return with_xlsx(folder, "units", rows=rows, above=[[TITLE], ["DANH SÁCH ĐƠN VỊ"], []], merge="A1:D1")


@case
def error_div0_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("evaluations")
    rows[0][1] = "#DIV/0!"  # row 2
    return with_csv(folder, "evaluations", csv_text(HEADERS["evaluations"], rows))


@case
def formula_without_value_xlsx(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("cadres")
    rows[3][1] = '=PROPER("phạm văn dũng")'  # openpyxl saves the formula without a value: row 5
    return with_xlsx(folder, "cadres", rows=rows)


@case
def duplicated_header_csv(folder: Path) -> tuple[Path, Path]:
    header = list(HEADERS["cadres"])
    header[5] = "birth_date"  # 'position' (column F) renamed like column D
    return with_csv(folder, "cadres", csv_text(header, rows_of("cadres")))


@case
def duplicated_meaning_xlsx(folder: Path) -> tuple[Path, Path]:
    header = [*HEADERS["units"], "Mã đơn vị"]
    return with_xlsx(folder, "units", header=header, rows=[[*r, r[0]] for r in rows_of("units")])


@case
def empty_file_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "training", raw=b"")


@case
def blank_lines_only_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "units", raw=b"\r\n\r\n   \n")


@case
def separators_only_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "cadres", ",,,,,,,\n;;;\n,,\n")


@case
def empty_sheet_xlsx(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    (reg / "planning.csv").unlink()
    wb = openpyxl.Workbook()
    wb.active.title = "planning"
    wb.save(reg / "planning.xlsx")
    return reg, write_params(folder)


@case
def header_only_units_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "units", csv_text(HEADERS["units"], []))


@case
def title_rows_without_header_xlsx(folder: Path) -> tuple[Path, Path]:
    return with_xlsx(folder, "units", header=["(chưa có dữ liệu)"], rows=[], above=[[TITLE], ["DANH SÁCH ĐƠN VỊ"]])


@case
def megabyte_name_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("cadres")
    rows[2][1] = "Lê Thị Cúc " * 100_000  # about 1 MB, row 4
    return with_csv(folder, "cadres", csv_text(HEADERS["cadres"], rows))


@case
def long_post_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("planning")
    rows[1][1] = "Bí thư Huyện ủy " * 25  # 400 characters, row 3
    return with_csv(folder, "planning", csv_text(HEADERS["planning"], rows))


@case
def long_course_name_xlsx(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("training")
    rows[2][2] = "x" * 5000  # row 4
    return with_xlsx(folder, "training", rows=rows)


@case
def long_id_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("unit_reports")
    rows[0][0] = "P" * 80  # row 2 (also an unknown unit, which is not reported for a blanked cell)
    return with_csv(folder, "unit_reports", csv_text(HEADERS["unit_reports"], rows))


@case
def csv_named_xlsx(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    (reg / "units.csv").rename(reg / "units.xlsx")
    return reg, write_params(folder)


@case
def html_named_xlsx(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    (reg / "cadres.csv").unlink()
    (reg / "cadres.xlsx").write_text("<html><body><table><tr><td>cadre_id</td></tr></table></body></html>",
                                     encoding="utf-8")
    return reg, write_params(folder)


@case
def damaged_zip_xlsx(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    (reg / "planning.csv").unlink()
    (reg / "planning.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    return reg, write_params(folder)


@case
def xls_named_xlsx(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    (reg / "training.csv").unlink()
    (reg / "training.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    return reg, write_params(folder)


@case
def binary_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "cadres", raw=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)


@case
def workbook_named_csv(folder: Path) -> tuple[Path, Path]:
    reg, params = with_xlsx(folder, "units")
    (reg / "units.xlsx").rename(reg / "units.csv")
    return reg, params


@case
def excel_serial_dates_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("cadres")
    rows[0][3] = "31228"  # 1985-06-30 as Excel counts days: row 2
    return with_csv(folder, "cadres", csv_text(HEADERS["cadres"], rows))


@case
def excel_serial_dates_xlsx(folder: Path) -> tuple[Path, Path]:
    rows: list[list[Any]] = rows_of("planning")
    rows[0][5] = 45292  # 2024-01-01 typed in a cell formatted as a number: row 2
    return with_xlsx(folder, "planning", rows=rows)


@case
def tcvn3_legacy_csv(folder: Path) -> tuple[Path, Path]:
    """A file from the TCVN3 (ABC) era: 'Nguyễn Văn An' as the .VnTime font encodes it."""
    text = csv_text(HEADERS["cadres"], rows_of("cadres")).encode("utf-8")
    return with_csv(folder, "cadres", raw=text.replace("Nguyễn Văn An".encode(), b"Nguy\xd4n V\xa8n An"))


@case
def latin1_not_vietnamese_csv(folder: Path) -> tuple[Path, Path]:
    """A Western code page (ü) with a byte that Windows-1258 would read as a tone mark: not guessed."""
    text = csv_text(HEADERS["cadres"], rows_of("cadres")).encode("utf-8")
    return with_csv(folder, "cadres", raw=text.replace("Nguyễn Văn An".encode(), b"M\xfcller \xecAn"))


@case
def wide_row_below_title_rows_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("cadres")
    rows[1] = [*rows[1], "thừa"]  # header on row 3 (two title rows), c2 on row 5
    titles = f"{TITLE},,,,,,,\nDANH SÁCH,,,,,,,\n"
    return with_csv(folder, "cadres", titles + csv_text(HEADERS["cadres"], rows))


@case
def bad_date_below_title_rows_xlsx(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("cadres")
    rows[1][3] = "31/02/1985"  # header on row 4, c2 on row 6
    return with_xlsx(folder, "cadres", rows=rows, above=[[TITLE], ["DANH SÁCH CÁN BỘ"], [None]])


@case
def bad_code_below_title_rows_csv(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("units")
    rows[1][2] = "Sở"  # header on row 3, D on row 5
    return with_csv(folder, "units", f"{TITLE},,,\nDANH SÁCH ĐƠN VỊ,,,\n" + csv_text(HEADERS["units"], rows))


@case
def unknown_unit_whatever_the_case(folder: Path) -> tuple[Path, Path]:
    rows = rows_of("cadres")
    rows[0][4] = "x9"  # row 2: no unit X9, in any spelling
    return with_csv(folder, "cadres", csv_text(HEADERS["cadres"], rows))


@case
def broken_utf16_csv(folder: Path) -> tuple[Path, Path]:
    return with_csv(folder, "units", raw=b"\xff\xfe" + csv_text(HEADERS["units"], rows_of("units")).encode("utf-16-le")
                    + b"\x00")


@case
def register_is_a_csv_file(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    return reg / "cadres.csv", write_params(folder)


# --- refused: the parameters --------------------------------------------------------------------------


def with_params(folder: Path, text: str) -> tuple[Path, Path]:
    return clean(folder), write_params(folder, text)


BASE = "as_of: 2025-06-30\nperiod_start: 2024-01-01\nyoung_age_under: {tinh: 40, huyen: 40, xa: 35}\n"


@case
def yaml_bad_indentation(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  young_share_planning: {all: 0.15}\n female_share_planning: 1\n")


@case
def yaml_tab_indent(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n\tyoung_share_planning: {all: 0.15}\n")


@case
def yaml_key_twice(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "amber_ratio: 0.9\namber_ratio: 0.8\n")


@case
def yaml_unclosed_quote(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + 'province: "Hưng Yên\nlanguage: vi\n')


@case
def params_amber_ratio_text(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "amber_ratio: lots\n")


@case
def params_age_text(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE.replace("xa: 35", "xa: ba mươi lăm"))


@case
def params_age_out_of_range(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE.replace("xa: 35", "xa: 350"))


@case
def params_target_above_one(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  young_share_planning: {all: 15}\n")


@case
def params_target_below_zero(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  female_share_planning: {all: -0.25}\n")


@case
def params_target_percent_text(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  young_share_planning: {all: 15%}\n")


@case
def params_target_decimal_comma(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + 'targets:\n  young_share_planning: {all: "0,15"}\n')


@case
def params_target_yes(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  rotation_plan_coverage: {all: yes}\n")


@case
def params_target_unknown_indicator(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  young_share_planing: {all: 0.15}\n")


@case
def params_target_unknown_level(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  young_share_planning: {all: 0.15, district: 0.2}\n")


@case
def params_target_not_a_mapping(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE + "targets:\n  young_share_planning: 0.15\n")


@case
def params_not_utf8(folder: Path) -> tuple[Path, Path]:
    reg = clean(folder)
    return reg, write_params(folder, raw=to_cp1258(BASE + "province: Hưng Yên\n"))


@case
def params_not_a_mapping(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, "- as_of: 2025-06-30\n- young_age_under: 40\n")


@case
def params_empty(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, "# nothing yet\n")


@case
def params_as_of_list(folder: Path) -> tuple[Path, Path]:
    return with_params(folder, BASE.replace("as_of: 2025-06-30", "as_of: [2025, 6, 30]"))


def build(case_id: str, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return CASES[case_id](folder)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-out")
    for name in CASES:
        data, params = build(name, out / name)
        print(f"{name}: --data {data} --params {params}")
