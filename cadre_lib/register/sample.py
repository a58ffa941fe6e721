"""Deterministic synthetic cadre register ("sample data"), shaped like Hưng Yên province before 7/2025.

:func:`generate_sample` writes the seven tables of data contract v1 as UTF-8 CSV files with the canonical
English headers. The output is byte-identical for the same ``(n_cadres, seed)``: every random draw comes
from one ``numpy.random.default_rng(seed)`` in a fixed order, and everything is vectorised so that a million
cadres take seconds.

Every unit carries a hidden *performance* factor in [0, 1]. It drives the share of young cadres and of
women among planned cadres, leadership training of young key-planned cadres, the selection of young cadres
for appointments / mobilisations / rotations / nominations, evaluations before planning, ratings and the
yearly rotation plans and planning reviews. With the default parameters (as_of 2025-06-30, terms
2020-2025 and 2025-2030, young under 40 / 40 / 35) some units are clearly on target and others far behind.

THE DATA IS SYNTHETIC: every name, date and number is made up.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cadre_lib.core.text import nfc
from cadre_lib.register.contract import tables
from cadre_lib.register.sources import SAMPLE_MARKER

__all__ = ["generate_sample", "TABLE_COLUMNS"]

#: Canonical headers of every table, in the order of the data contract (cadre_lib/register/contract.yaml).
TABLE_COLUMNS: dict[str, list[str]] = {name: list(spec.columns) for name, spec in tables().items()}




def _arr(items: Sequence[str]) -> np.ndarray:
    """Object array of NFC strings (vocabularies)."""
    return np.array([nfc(s) for s in items], dtype=object)


# --------------------------------------------------------------------------------------------------
# Hierarchy: root, provincial departments (id, name, head title, deputy title), districts, communes
# --------------------------------------------------------------------------------------------------
ROOT = ("HY", "Tỉnh Hưng Yên")

DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("S-NV", "Sở Nội vụ", "Giám đốc Sở Nội vụ", "Phó Giám đốc Sở Nội vụ"),
    ("S-TC", "Sở Tài chính", "Giám đốc Sở Tài chính", "Phó Giám đốc Sở Tài chính"),
    ("S-KHDT", "Sở Kế hoạch và Đầu tư", "Giám đốc Sở Kế hoạch và Đầu tư", "Phó Giám đốc Sở Kế hoạch và Đầu tư"),
    ("S-TP", "Sở Tư pháp", "Giám đốc Sở Tư pháp", "Phó Giám đốc Sở Tư pháp"),
    ("S-CT", "Sở Công Thương", "Giám đốc Sở Công Thương", "Phó Giám đốc Sở Công Thương"),
    ("S-NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "Giám đốc Sở Nông nghiệp và PTNT",
     "Phó Giám đốc Sở Nông nghiệp và PTNT"),
    ("S-TNMT", "Sở Tài nguyên và Môi trường", "Giám đốc Sở Tài nguyên và Môi trường",
     "Phó Giám đốc Sở Tài nguyên và Môi trường"),
    ("S-XD", "Sở Xây dựng", "Giám đốc Sở Xây dựng", "Phó Giám đốc Sở Xây dựng"),
    ("S-GTVT", "Sở Giao thông vận tải", "Giám đốc Sở Giao thông vận tải", "Phó Giám đốc Sở Giao thông vận tải"),
    ("S-GDDT", "Sở Giáo dục và Đào tạo", "Giám đốc Sở Giáo dục và Đào tạo", "Phó Giám đốc Sở Giáo dục và Đào tạo"),
    ("S-YT", "Sở Y tế", "Giám đốc Sở Y tế", "Phó Giám đốc Sở Y tế"),
    ("S-LDTBXH", "Sở Lao động - Thương binh và Xã hội", "Giám đốc Sở Lao động - Thương binh và Xã hội",
     "Phó Giám đốc Sở Lao động - Thương binh và Xã hội"),
    ("S-VHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "Giám đốc Sở Văn hóa, Thể thao và Du lịch",
     "Phó Giám đốc Sở Văn hóa, Thể thao và Du lịch"),
    ("S-KHCN", "Sở Khoa học và Công nghệ", "Giám đốc Sở Khoa học và Công nghệ",
     "Phó Giám đốc Sở Khoa học và Công nghệ"),
    ("S-TTTT", "Sở Thông tin và Truyền thông", "Giám đốc Sở Thông tin và Truyền thông",
     "Phó Giám đốc Sở Thông tin và Truyền thông"),
    ("TTR", "Thanh tra tỉnh", "Chánh Thanh tra tỉnh", "Phó Chánh Thanh tra tỉnh"),
    ("VP-UBND", "Văn phòng Ủy ban nhân dân tỉnh", "Chánh Văn phòng UBND tỉnh", "Phó Chánh Văn phòng UBND tỉnh"),
    ("BTC-TU", "Ban Tổ chức Tỉnh ủy", "Trưởng Ban Tổ chức Tỉnh ủy", "Phó Trưởng Ban Tổ chức Tỉnh ủy"),
    ("BTG-TU", "Ban Tuyên giáo Tỉnh ủy", "Trưởng Ban Tuyên giáo Tỉnh ủy", "Phó Trưởng Ban Tuyên giáo Tỉnh ủy"),
    ("UBKT-TU", "Ủy ban Kiểm tra Tỉnh ủy", "Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy",
     "Phó Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy"),
]

# district id, name, party committee word, government word
DISTRICTS: list[tuple[str, str, str, str]] = [
    ("HY-TP", "Thành phố Hưng Yên", "Thành ủy", "thành phố"),
    ("MH", "Thị xã Mỹ Hào", "Thị ủy", "thị xã"),
    ("VL", "Huyện Văn Lâm", "Huyện ủy", "huyện"),
    ("VG", "Huyện Văn Giang", "Huyện ủy", "huyện"),
    ("YM", "Huyện Yên Mỹ", "Huyện ủy", "huyện"),
    ("KC", "Huyện Khoái Châu", "Huyện ủy", "huyện"),
    ("AT", "Huyện Ân Thi", "Huyện ủy", "huyện"),
    ("KD", "Huyện Kim Động", "Huyện ủy", "huyện"),
    ("PC", "Huyện Phù Cừ", "Huyện ủy", "huyện"),
    ("TL", "Huyện Tiên Lữ", "Huyện ủy", "huyện"),
]

COMMUNES: dict[str, list[str]] = {
    "HY-TP": ["Phường Lê Lợi", "Phường Minh Khai", "Phường Quang Trung", "Phường Hồng Châu", "Phường Hiến Nam",
              "Phường An Tảo", "Phường Lam Sơn", "Xã Bảo Khê", "Xã Trung Nghĩa", "Xã Liên Phương",
              "Xã Hồng Nam", "Xã Quảng Châu", "Xã Phú Cường", "Xã Hùng Cường", "Xã Phương Chiểu",
              "Xã Tân Hưng", "Xã Hoàng Hanh"],
    "MH": ["Phường Bần Yên Nhân", "Phường Phan Đình Phùng", "Phường Nhân Hòa", "Phường Dị Sử",
           "Phường Bạch Sam", "Phường Minh Đức", "Phường Phùng Chí Kiên", "Xã Xuân Dục", "Xã Ngọc Lâm",
           "Xã Hòa Phong", "Xã Cẩm Xá", "Xã Dương Quang", "Xã Hưng Long"],
    "VL": ["Thị trấn Như Quỳnh", "Xã Lạc Đạo", "Xã Chỉ Đạo", "Xã Đại Đồng", "Xã Việt Hưng", "Xã Tân Quang",
           "Xã Đình Dù", "Xã Minh Hải", "Xã Lương Tài", "Xã Trưng Trắc", "Xã Lạc Hồng"],
    "VG": ["Thị trấn Văn Giang", "Xã Xuân Quan", "Xã Cửu Cao", "Xã Phụng Công", "Xã Nghĩa Trụ", "Xã Long Hưng",
           "Xã Vĩnh Khúc", "Xã Liên Nghĩa", "Xã Tân Tiến", "Xã Thắng Lợi", "Xã Mễ Sở"],
    "YM": ["Thị trấn Yên Mỹ", "Xã Giai Phạm", "Xã Nghĩa Hiệp", "Xã Đồng Than", "Xã Ngọc Long", "Xã Liêu Xá",
           "Xã Hoàn Long", "Xã Tân Lập", "Xã Thanh Long", "Xã Yên Phú", "Xã Việt Cường", "Xã Trung Hòa",
           "Xã Yên Hòa", "Xã Minh Châu", "Xã Trung Hưng", "Xã Lý Thường Kiệt", "Xã Tân Việt"],
    "KC": ["Thị trấn Khoái Châu", "Xã Đông Tảo", "Xã Bình Minh", "Xã Dạ Trạch", "Xã Hàm Tử", "Xã Ông Đình",
           "Xã Tân Dân", "Xã Tứ Dân", "Xã An Vĩ", "Xã Đông Kết", "Xã Bình Kiều", "Xã Dân Tiến",
           "Xã Đồng Tiến", "Xã Hồng Tiến", "Xã Tân Châu", "Xã Liên Khê", "Xã Phùng Hưng", "Xã Việt Hòa",
           "Xã Đông Ninh", "Xã Đại Tập", "Xã Chí Tân", "Xã Đại Hưng", "Xã Thuần Hưng", "Xã Thành Công",
           "Xã Nhuế Dương"],
    "AT": ["Thị trấn Ân Thi", "Xã Phù Ủng", "Xã Bắc Sơn", "Xã Bãi Sậy", "Xã Đào Dương", "Xã Tân Phúc",
           "Xã Vân Du", "Xã Quang Vinh", "Xã Xuân Trúc", "Xã Hoàng Hoa Thám", "Xã Quảng Lãng", "Xã Văn Nhuệ",
           "Xã Đặng Lễ", "Xã Cẩm Ninh", "Xã Nguyễn Trãi", "Xã Đa Lộc", "Xã Hồ Tùng Mậu", "Xã Tiền Phong",
           "Xã Hồng Vân", "Xã Hồng Quang"],
    "KD": ["Thị trấn Lương Bằng", "Xã Nghĩa Dân", "Xã Toàn Thắng", "Xã Vĩnh Xá", "Xã Phạm Ngũ Lão",
           "Xã Thọ Vinh", "Xã Đồng Thanh", "Xã Song Mai", "Xã Chính Nghĩa", "Xã Nhân La", "Xã Phú Thịnh",
           "Xã Mai Động", "Xã Đức Hợp", "Xã Hùng An", "Xã Ngọc Thanh", "Xã Vũ Xá", "Xã Hiệp Cường"],
    "PC": ["Thị trấn Trần Cao", "Xã Quang Hưng", "Xã Minh Tân", "Xã Phan Sào Nam", "Xã Minh Tiến",
           "Xã Tống Phan", "Xã Đoàn Đào", "Xã Tống Trân", "Xã Nguyên Hòa", "Xã Đình Cao", "Xã Tam Đa",
           "Xã Minh Hoàng", "Xã Nhật Quang", "Xã Tiên Tiến"],
    "TL": ["Thị trấn Vương", "Xã Hưng Đạo", "Xã Ngô Quyền", "Xã Nhật Tân", "Xã Dị Chế", "Xã Lệ Xá",
           "Xã An Viên", "Xã Đức Thắng", "Xã Trung Dũng", "Xã Hải Thắng", "Xã Thủ Sỹ", "Xã Thiện Phiến",
           "Xã Thụy Lôi", "Xã Cương Chính", "Xã Minh Phượng"],
}

# Relative number of cadres per unit of each kind (root, department, district, commune).
UNIT_WEIGHT = {"root": 300.0, "dept": 400.0, "huyen": 450.0, "xa": 45.0}
LEVEL_OF_KIND = {"root": "tinh", "dept": "tinh", "huyen": "huyen", "xa": "xa"}
YOUNG_UNDER = {"tinh": 40, "huyen": 40, "xa": 35}  # only steers the draws; the engine reads the parameters

# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------
FAMILY = [("Nguyễn", 32), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Vũ", 5), ("Đặng", 3),
          ("Bùi", 3), ("Đỗ", 4), ("Ngô", 2), ("Dương", 2), ("Lý", 1), ("Đào", 2), ("Đoàn", 2), ("Trịnh", 2),
          ("Phan", 2), ("Lương", 1), ("Mai", 1), ("Tạ", 1), ("Lưu", 1), ("Hà", 1), ("Chu", 1), ("Tô", 1)]
MIDDLE_M = [("Văn", 30), ("Đức", 10), ("Minh", 9), ("Hữu", 7), ("Quang", 7), ("Thành", 5), ("Xuân", 5),
            ("Ngọc", 4), ("Mạnh", 4), ("Công", 5), ("Đình", 6), ("Tuấn", 3), ("Trung", 3), ("Việt", 3),
            ("Văn Minh", 1), ("Đức Anh", 1)]
MIDDLE_F = [("Thị", 45), ("Thu", 8), ("Ngọc", 6), ("Thanh", 7), ("Minh", 4), ("Hồng", 5), ("Phương", 4),
            ("Thùy", 4), ("Kim", 3), ("Mai", 3), ("Diệu", 2), ("Bích", 2), ("Thị Thu", 3), ("Thị Hồng", 2),
            ("Thị Minh", 2)]
GIVEN_M = ["Anh", "Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Sơn", "Thắng", "Long", "Trung", "Cường", "Hiếu",
           "Quân", "Hoàng", "Phong", "Toàn", "Đạt", "Khánh", "Huy", "Việt", "Tùng", "Thành", "Bình", "Quang",
           "Vinh", "Lâm", "Hưng", "Kiên", "Tú", "Đức", "Chiến", "Lực", "Nghĩa", "Thịnh", "Tiến", "Hòa"]
GIVEN_F = ["Hà", "Lan", "Hương", "Hằng", "Thảo", "Trang", "Linh", "Huyền", "Ngọc", "Yến", "Nga", "Mai", "Hoa",
           "Thủy", "Dung", "Phương", "Loan", "Hạnh", "Nhung", "Vân", "Oanh", "Thư", "Giang", "Quyên", "Tâm",
           "Chi", "Liên", "Nhàn", "Huệ", "Thúy", "Hiền", "Ánh"]

# --------------------------------------------------------------------------------------------------
# Codes and vocabularies
# --------------------------------------------------------------------------------------------------
TERMS = ("2020-2025", "2025-2030")
RATINGS = ("excellent", "good", "completed", "not_completed")
KINDS = ("appointment", "mobilization", "rotation", "nomination")
REMOVAL_REASONS = ["Không hoàn thành nhiệm vụ", "Chuyển công tác", "Nghỉ hưu", "Không còn đủ tuổi quy hoạch",
                   "Bị kỷ luật", "Xin ra khỏi quy hoạch", "Đã được bổ nhiệm chức danh khác",
                   "Không đủ tiêu chuẩn sau rà soát"]
COURSES: dict[str, list[str]] = {
    "leadership": ["Bồi dưỡng kỹ năng lãnh đạo, quản lý cho cán bộ trẻ (Nghị quyết 20-NQ/TU)",
                   "Bồi dưỡng cán bộ nguồn chủ chốt cấp xã (Nghị quyết 32-NQ/TU)",
                   "Bồi dưỡng lãnh đạo, quản lý cấp phòng và tương đương",
                   "Bồi dưỡng lãnh đạo, quản lý cấp sở và tương đương"],
    "political_theory": ["Trung cấp lý luận chính trị", "Cao cấp lý luận chính trị",
                         "Cao cấp lý luận chính trị - hành chính"],
    "state_management": ["Bồi dưỡng quản lý nhà nước ngạch chuyên viên",
                         "Bồi dưỡng quản lý nhà nước ngạch chuyên viên chính",
                         "Bồi dưỡng quản lý nhà nước ngạch chuyên viên cao cấp"],
    "degree": ["Thạc sĩ Quản lý công", "Thạc sĩ Kinh tế", "Thạc sĩ Luật", "Thạc sĩ Quản lý kinh tế",
               "Tiến sĩ Kinh tế"],
    "other": ["Bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 3", "Bồi dưỡng kỹ năng chuyển đổi số",
              "Bồi dưỡng ngoại ngữ (tiếng Anh)", "Bồi dưỡng kỹ năng soạn thảo văn bản"],
}
STAFF_POSITIONS = {
    "root": ["Chuyên viên", "Chuyên viên chính", "Chuyên viên cao cấp"],
    "dept": ["Chuyên viên", "Chuyên viên", "Chuyên viên chính", "Cán sự", "Kế toán viên"],
    "huyen": ["Chuyên viên", "Chuyên viên", "Chuyên viên chính", "Cán sự"],
    "xa": ["Công chức Văn phòng - Thống kê", "Công chức Tư pháp - Hộ tịch", "Công chức Tài chính - Kế toán",
           "Công chức Địa chính - Xây dựng", "Công chức Văn hóa - Xã hội", "Chỉ huy trưởng Quân sự"],
}

# Dates are int64 day numbers since 1970-01-01; BLANK marks an empty cell.
BLANK = -1_000_000_000
D_LUT0 = int(np.datetime64("1960-01-01", "D").astype(np.int64))
D_LUT1 = int(np.datetime64("2028-01-01", "D").astype(np.int64))
_DATE_LUT: np.ndarray | None = None


def _d(s: str) -> int:
    return int(np.datetime64(s, "D").astype(np.int64))


AS_OF = _d("2025-06-30")  # the reference date the sample is tuned for
DATA_START = _d("2020-01-01")
DATA_END = _d("2026-06-30")  # the register is "extracted" mid-2026: no event after this day


def _date_lut() -> np.ndarray:
    global _DATE_LUT
    if _DATE_LUT is None:
        days = np.arange(D_LUT0, D_LUT1).astype("datetime64[D]")
        _DATE_LUT = np.array([*days.astype(str).tolist(), ""], dtype=object)
    return _DATE_LUT


def _fmt_dates(days: np.ndarray) -> np.ndarray:
    """ISO strings for day numbers; BLANK becomes ''."""
    days = np.asarray(days, dtype=np.int64)
    idx = np.where(days == BLANK, D_LUT1 - D_LUT0, days - D_LUT0)
    if idx.size and (idx.min() < 0 or idx.max() > D_LUT1 - D_LUT0):
        raise ValueError("date outside the supported range")
    return _date_lut()[idx]


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _year_start(years: np.ndarray) -> np.ndarray:
    return (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(
        np.int64)


def _weighted(rng: np.random.Generator, items: list[tuple[str, int]], size: int) -> np.ndarray:
    """Indices into ``items`` drawn by weight."""
    w = np.array([x[1] for x in items], dtype=float)
    return rng.choice(len(items), size=size, p=w / w.sum())


def _pick(rng: np.random.Generator, table: np.ndarray, lens: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each row index r, a uniformly chosen entry among the first lens[r] of table[r]."""
    j = (rng.random(rows.size) * lens[rows]).astype(np.int64)
    return table[rows, j]


def _matrix(lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(x) for x in lists)
    m = np.full((len(lists), width), "", dtype=object)
    for i, x in enumerate(lists):
        m[i, : len(x)] = [nfc(s) for s in x]
    return m, np.array([len(x) for x in lists], dtype=np.int64)


# --------------------------------------------------------------------------------------------------
# CSV writing
# --------------------------------------------------------------------------------------------------
def _quote_column(col: np.ndarray) -> np.ndarray:
    """CSV-escape a text column (only values holding a comma, quote or line break get quoted)."""
    codes, uniques = pd.factorize(col, sort=False)
    fixed = np.array([('"' + u.replace('"', '""') + '"') if any(c in u for c in ',"\r\n') else u
                      for u in uniques], dtype=object)
    return fixed[codes]


def _tmp_name(path: Path) -> Path:
    """A fresh hidden name next to ``path`` (same folder, so ``os.replace`` is atomic). Opened with mode
    'x', it is created with the usual permissions (umask), unlike ``tempfile.mkstemp``'s 0600."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if tmp.exists():  # left by a crashed run of this same process id
        tmp.unlink()
    return tmp


def _write_csv(path: Path, header: list[str], columns: list[np.ndarray], text_cols: Sequence[int] = (),
               chunk: int = 1_000_000) -> int:
    """Write columns (object arrays of str) to ``path`` atomically: temp file in the same folder, then
    ``os.replace``. Returns the number of data rows."""
    n = len(columns[0]) if columns else 0
    cols = [(_quote_column(c) if i in text_cols else c) for i, c in enumerate(columns)]
    tmp = _tmp_name(path)
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as f:
            f.write(",".join(header) + "\n")
            for start in range(0, n, chunk):
                parts = [c[start:start + chunk].tolist() for c in cols]
                f.write("\n".join(map(",".join, zip(*parts, strict=True))))
                f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return n


def _write_text(path: Path, text: str) -> None:
    tmp = _tmp_name(path)
    try:
        with open(tmp, "x", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _str_ints(values: np.ndarray) -> np.ndarray:
    """Small non-negative integers (years, 0/1 flags) as strings via a lookup table."""
    values = np.asarray(values, dtype=np.int64)
    lo, hi = int(values.min(initial=0)), int(values.max(initial=0))
    lut = np.array([str(v) for v in range(lo, hi + 1)], dtype=object)
    return lut[values - lo]


# --------------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------------
def _units(rng: np.random.Generator) -> dict[str, np.ndarray]:
    ids: list[str] = [ROOT[0]]
    names: list[str] = [ROOT[1]]
    kinds: list[str] = ["root"]
    parents: list[int] = [-1]
    posts_key: list[list[str]] = [["Ủy viên Ban Thường vụ Tỉnh ủy", "Phó Chủ tịch UBND tỉnh",
                                   "Phó Chủ tịch HĐND tỉnh"]]
    posts_other: list[list[str]] = [["Tỉnh ủy viên", "Ủy viên UBND tỉnh", "Ủy viên Ủy ban Kiểm tra Tỉnh ủy"]]
    heads: list[list[str]] = [["Phó Bí thư Tỉnh ủy", "Chủ tịch UBND tỉnh", "Chủ tịch HĐND tỉnh"]]
    deputies: list[list[str]] = [["Phó Chủ tịch UBND tỉnh", "Phó Chủ tịch HĐND tỉnh", "Phó Chủ tịch HĐND tỉnh"]]
    for uid, name, head, deputy in DEPARTMENTS:
        ids.append(uid)
        names.append(name)
        kinds.append("dept")
        parents.append(0)
        posts_key.append([head, deputy, deputy])
        posts_other.append(["Trưởng phòng", "Phó Trưởng phòng", "Phó Trưởng phòng"])
        heads.append(["Trưởng phòng", "Trưởng phòng", "Chánh Văn phòng"])
        deputies.append(["Phó Trưởng phòng", "Phó Trưởng phòng", "Phó Chánh Văn phòng", deputy])
    district_pos: dict[str, int] = {}
    for uid, name, party, gov in DISTRICTS:
        district_pos[uid] = len(ids)
        ids.append(uid)
        names.append(name)
        kinds.append("huyen")
        parents.append(0)
        posts_key.append([f"Bí thư {party}", f"Phó Bí thư {party}", f"Chủ tịch UBND {gov}",
                          f"Phó Chủ tịch UBND {gov}"])
        posts_other.append([f"Ủy viên Ban Thường vụ {party}", "Trưởng phòng", "Phó Trưởng phòng"])
        heads.append(["Trưởng phòng", "Trưởng phòng", "Chánh Văn phòng HĐND và UBND"])
        deputies.append(["Phó Trưởng phòng", "Phó Trưởng phòng", f"Phó Chủ tịch UBND {gov}"])
    for did, _name, _party, _gov in DISTRICTS:
        for k, cname in enumerate(COMMUNES[did], start=1):
            ids.append(f"{did}-{k:02d}")
            names.append(cname)
            kinds.append("xa")
            parents.append(district_pos[did])
            t = "phường" if cname.startswith("Phường") else "thị trấn" if cname.startswith("Thị trấn") else "xã"
            posts_key.append([f"Bí thư Đảng ủy {t}", f"Phó Bí thư Đảng ủy {t}", f"Chủ tịch UBND {t}",
                              f"Chủ tịch HĐND {t}"])
            posts_other.append([f"Phó Chủ tịch UBND {t}", f"Phó Chủ tịch HĐND {t}",
                                f"Chủ tịch Ủy ban MTTQ Việt Nam {t}"])
            heads.append([f"Bí thư Đảng ủy {t}", f"Chủ tịch UBND {t}", f"Chủ tịch HĐND {t}",
                          f"Chủ tịch Ủy ban MTTQ Việt Nam {t}"])
            deputies.append([f"Phó Bí thư Đảng ủy {t}", f"Phó Chủ tịch UBND {t}", f"Phó Chủ tịch HĐND {t}"])

    kind = np.array(kinds, dtype=object)
    parent = np.array(parents, dtype=np.int64)
    n = len(ids)
    # Hidden performance: evenly spread (shuffled) for departments and districts so that some units are
    # surely on target and some far behind; communes follow their district with their own noise.
    perf = np.zeros(n)
    perf[0] = 0.55
    dept = np.flatnonzero(kind == "dept")
    dist = np.flatnonzero(kind == "huyen")
    com = np.flatnonzero(kind == "xa")
    perf[dept] = rng.permutation(np.linspace(0.03, 0.97, dept.size))
    perf[dist] = rng.permutation(np.linspace(0.05, 0.95, dist.size))
    perf[com] = np.clip(0.7 * perf[parent[com]] + 0.3 * rng.random(com.size), 0.02, 0.98)
    level = np.array([LEVEL_OF_KIND[k] for k in kinds], dtype=object)
    pk, pk_len = _matrix(posts_key)
    po, po_len = _matrix(posts_other)
    hd, hd_len = _matrix(heads)
    dp, dp_len = _matrix(deputies)
    staff, staff_len = _matrix([STAFF_POSITIONS[k] for k in kinds])
    return {
        "id": np.array(ids, dtype=object), "name": _arr(names), "kind": kind, "level": level,
        "parent": parent, "perf": perf,
        "young_under": np.array([YOUNG_UNDER[lv] for lv in level], dtype=np.int64),
        "posts_key": pk, "posts_key_len": pk_len, "posts_other": po, "posts_other_len": po_len,
        "heads": hd, "heads_len": hd_len, "deputies": dp, "deputies_len": dp_len,
        "staff": staff, "staff_len": staff_len,
    }


def generate_sample(out_dir: Path, n_cadres: int = 20000, seed: int = 2024) -> dict[str, int]:
    """Write a synthetic register (seven CSV tables + README.txt) into ``out_dir``.

    Deterministic: the same ``(n_cadres, seed)`` gives byte-identical files. Returns the number of data
    rows of each table, keyed by table name.
    """
    if n_cadres < 1:
        raise ValueError("n_cadres must be at least 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = int(n_cadres)
    U = _units(rng)
    n_units = U["id"].size
    counts: dict[str, int] = {}

    # ---------------------------------------------------------------- units
    parent_ids = np.where(U["parent"] >= 0, U["id"][np.maximum(U["parent"], 0)], "")
    counts["units"] = _write_csv(out_dir / "units.csv", TABLE_COLUMNS["units"],
                                 [U["id"], U["name"], U["level"], parent_ids.astype(object)], text_cols=(1,))

    # ---------------------------------------------------------------- cadres
    w = np.array([UNIT_WEIGHT[k] for k in U["kind"]])
    unit = np.sort(rng.choice(n_units, size=n, p=w / w.sum()))
    perf = U["perf"][unit]
    young_under = U["young_under"][unit]
    female = rng.random(n) < (0.2 + 0.3 * perf)
    # age at AS_OF: 23 .. 59.9, younger in better performing units
    age = 23.0 + 36.9 * rng.beta(1.3 + 2.2 * (1.0 - perf), 2.0)
    birth = AS_OF - np.round(age * 365.25).astype(np.int64) - 1
    age_years = np.floor((AS_OF - birth) / 365.2425)
    young = age_years < young_under
    p_leader = np.where(young, 0.03 + 0.15 * perf, 0.17)
    is_leader = rng.random(n) < p_leader
    is_head = is_leader & (rng.random(n) < np.where(young, 0.15, 0.28))

    fam = _arr([x[0] for x in FAMILY])[_weighted(rng, FAMILY, n)]
    mid_m = _arr([x[0] for x in MIDDLE_M])[_weighted(rng, MIDDLE_M, n)]
    mid_f = _arr([x[0] for x in MIDDLE_F])[_weighted(rng, MIDDLE_F, n)]
    giv_m = _arr(GIVEN_M)[rng.integers(0, len(GIVEN_M), n)]
    giv_f = _arr(GIVEN_F)[rng.integers(0, len(GIVEN_F), n)]
    full_name = fam + " " + np.where(female, mid_f, mid_m) + " " + np.where(female, giv_f, giv_m)

    width = max(7, len(str(n)))
    cadre_id = np.array([f"CB{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
    position = np.where(is_head, _pick(rng, U["heads"], U["heads_len"], unit),
                        np.where(is_leader, _pick(rng, U["deputies"], U["deputies_len"], unit),
                                 _pick(rng, U["staff"], U["staff_len"], unit)))
    counts["cadres"] = _write_csv(
        out_dir / "cadres.csv", TABLE_COLUMNS["cadres"],
        [cadre_id, full_name, np.where(female, "nu", "nam").astype(object), _fmt_dates(birth), U["id"][unit],
         position, _str_ints(is_leader), _str_ints(is_head)], text_cols=(1, 5))

    # ---------------------------------------------------------------- planning
    # Who is planned: steered by youth, gender and the unit's performance.
    p_plan = np.where(young, 0.02 + 0.34 * perf ** 1.5, np.where(age_years < 52, 0.33, 0.06))
    p_plan = p_plan * np.where(female, 0.5 + 0.9 * perf, 1.0) * np.where(is_leader, 1.4, 1.0)
    planned = rng.random(n) < np.clip(p_plan, 0.0, 0.95)
    pc = np.flatnonzero(planned)  # planned cadre indices
    m = pc.size
    # terms: 0 = only 2020-2025, 1 = only 2025-2030, 2 = both
    term_mode = rng.choice(3, size=m, p=[0.35, 0.40, 0.25])
    # second level: commune -> its district, district -> province, department -> province (another unit)
    ukind = U["kind"][unit[pc]]
    p_second = np.select([ukind == "xa", ukind == "huyen", ukind == "dept"], [0.22, 0.12, 0.10], 0.0)
    second = rng.random(m) < p_second
    second_unit = np.where(ukind == "xa", U["parent"][unit[pc]], 0)

    r_cad: list[np.ndarray] = []
    r_unit: list[np.ndarray] = []
    r_term: list[np.ndarray] = []
    own = unit[pc]
    for t in (0, 1):
        sel = (term_mode == t) | (term_mode == 2)
        r_cad.append(pc[sel])
        r_unit.append(own[sel])
        r_term.append(np.full(int(sel.sum()), t))
    s2 = second & (rng.random(m) < 0.8)  # the second-level row is mostly for the new term
    r_cad += [pc[second & s2], pc[second & ~s2]]
    r_unit += [second_unit[second & s2], second_unit[second & ~s2]]
    r_term += [np.ones(int((second & s2).sum()), dtype=np.int64), np.zeros(int((second & ~s2).sum()), np.int64)]
    p_cad = np.concatenate(r_cad)
    p_unit = np.concatenate(r_unit).astype(np.int64)
    p_term = np.concatenate(r_term).astype(np.int64)
    order = np.lexsort((p_term, p_unit, p_cad))
    p_cad, p_unit, p_term = p_cad[order], p_unit[order], p_term[order]
    k = p_cad.size
    p_perf = U["perf"][p_unit]
    p_young = young[p_cad]
    # key posts (~40% of rows): young cadres reach key lists more often in well-performing units
    key = rng.random(k) < np.where(p_young, 0.18 + 0.45 * p_perf, 0.42)
    post = np.where(key, _pick(rng, U["posts_key"], U["posts_key_len"], p_unit),
                    _pick(rng, U["posts_other"], U["posts_other_len"], p_unit))
    # added_on: 2020-2025 lists from 02/2021 to 2023, 2025-2030 lists from 10/2023 to 03/2026
    start = np.where(p_term == 0, _d("2021-02-01"), _d("2023-10-01"))
    span = np.where(p_term == 0, _d("2023-12-31") - _d("2021-02-01"), _d("2026-03-31") - _d("2023-10-01"))
    added = start + (rng.random(k) * span).astype(np.int64)
    removable = added < DATA_END - 60
    removed_mask = removable & (rng.random(k) < 0.11)
    removed = np.where(removed_mask,
                       added + 30 + (rng.random(k) * np.maximum(DATA_END - added - 30, 1)).astype(np.int64), BLANK)
    removed = np.minimum(removed, DATA_END)
    reason_all = _arr(REMOVAL_REASONS)[rng.integers(0, len(REMOVAL_REASONS), k)]
    reason = np.where(removed_mask & (rng.random(k) < 0.92), reason_all, "").astype(object)
    counts["planning"] = _write_csv(
        out_dir / "planning.csv", TABLE_COLUMNS["planning"],
        [cadre_id[p_cad], post, U["id"][p_unit], np.array(TERMS, dtype=object)[p_term], _str_ints(key),
         _fmt_dates(added), _fmt_dates(removed), reason], text_cols=(1, 7))

    # ---------------------------------------------------------------- training
    # young cadres with an active-ish key-post row: the target group of the leadership courses
    # (young by the level of the planned post's unit: a commune cadre aged 37 planned for a district post
    # is young there)
    young_key = np.zeros(n, dtype=bool)
    young_key[p_cad[key & (age_years[p_cad] < U["young_under"][p_unit])]] = True
    first_added = np.full(n, DATA_END, dtype=np.int64)
    np.minimum.at(first_added, p_cad, added)
    t_cad: list[np.ndarray] = []
    t_type: list[np.ndarray] = []
    t_date: list[np.ndarray] = []
    p_lead = np.where(young_key, np.clip(0.05 + 1.3 * perf, 0.0, 1.0), np.where(is_leader, 0.30, 0.06))
    has_lead = rng.random(n) < p_lead
    ci = np.flatnonzero(has_lead)
    # for the target group: completed before 30/06/2025 mostly in good units
    early = rng.random(ci.size) < np.where(young_key[ci], np.clip(0.4 + 0.8 * perf[ci], 0.0, 1.0), 0.7)
    d_early = DATA_START + 60 + (rng.random(ci.size) * (AS_OF - DATA_START - 60)).astype(np.int64)
    d_late = AS_OF + 1 + (rng.random(ci.size) * (DATA_END - AS_OF - 1)).astype(np.int64)
    d = np.where(early, d_early, d_late)
    unfinished = rng.random(ci.size) < np.where(young_key[ci], 0.08 * (1.0 - perf[ci]) ** 2, 0.04)
    d = np.where(unfinished, BLANK, d)  # enrolled, not completed yet
    t_cad.append(ci)
    t_type.append(np.zeros(ci.size, dtype=np.int64))
    t_date.append(d)
    course_types = list(COURSES)
    for ti, (ctype, base) in enumerate([("political_theory", 0.30), ("state_management", 0.25),
                                        ("degree", 0.06), ("other", 0.12)], start=1):
        assert course_types[ti] == ctype
        p_t = base * np.where(age_years >= 35, 1.3, 0.7) if ctype == "political_theory" else np.full(n, base)
        ci = np.flatnonzero(rng.random(n) < p_t)
        d = DATA_START + (rng.random(ci.size) * (DATA_END - DATA_START)).astype(np.int64)
        d = np.where(rng.random(ci.size) < 0.07, BLANK, d)
        t_cad.append(ci)
        t_type.append(np.full(ci.size, ti, dtype=np.int64))
        t_date.append(d)
    tc = np.concatenate(t_cad)
    tt = np.concatenate(t_type)
    td = np.concatenate(t_date)
    order = np.lexsort((tt, tc))
    tc, tt, td = tc[order], tt[order], td[order]
    name_m, name_len = _matrix([COURSES[c] for c in course_types])
    counts["training"] = _write_csv(
        out_dir / "training.csv", TABLE_COLUMNS["training"],
        [cadre_id[tc], np.array(course_types, dtype=object)[tt], _pick(rng, name_m, name_len, tt),
         _fmt_dates(td)], text_cols=(2,))

    # ---------------------------------------------------------------- movements
    years_span = (DATA_END - DATA_START) / 365.25
    m_cad: list[np.ndarray] = []
    m_kind: list[np.ndarray] = []
    m_date: list[np.ndarray] = []
    m_from: list[np.ndarray] = []
    m_ool: list[np.ndarray] = []
    rates = {"appointment": 0.04, "mobilization": 0.02, "rotation": 0.012, "nomination": 0.01}
    young_boost = {"appointment": 1.6, "mobilization": 1.6, "rotation": 3.0, "nomination": 1.8}
    for ki, kind in enumerate(KINDS):
        cnt = max(1, int(round(rates[kind] * years_span * n)))
        wk = np.where(young, 0.15 + young_boost[kind] * perf, 1.0) * np.where(is_leader, 2.0, 1.0)
        ci = rng.choice(n, size=cnt, p=wk / wk.sum())
        if kind == "nomination":  # elections: party congresses 2020 and 2025, people's councils 2021 and 2026
            yr = np.array([2020, 2021, 2025, 2026])[rng.choice(4, size=cnt, p=[0.3, 0.25, 0.3, 0.15])]
            ys = _year_start(yr)
            ye = np.minimum(_year_start(yr + 1) - 1, DATA_END)
            dd = ys + (rng.random(cnt) * (ye - ys + 1)).astype(np.int64)
        else:
            dd = DATA_START + (rng.random(cnt) * (DATA_END - DATA_START + 1)).astype(np.int64)
        # the event brought the cadre into their current unit; from = another unit (or the same one)
        other = rng.integers(0, n_units - 1, cnt)
        other = np.where(other >= unit[ci], other + 1, other)
        if kind == "appointment":
            frm = np.where(rng.random(cnt) < 0.75, unit[ci], np.where(rng.random(cnt) < 0.5, other, -1))
            ool = rng.random(cnt) < 0.005 + 0.05 * (1.0 - perf[ci])
        elif kind == "nomination":
            frm = np.where(rng.random(cnt) < 0.5, unit[ci], -1)
            ool = np.zeros(cnt, dtype=bool)
        else:
            frm = np.where(rng.random(cnt) < 0.92, other, -1)
            ool = np.zeros(cnt, dtype=bool)
        m_cad.append(ci)
        m_kind.append(np.full(cnt, ki, dtype=np.int64))
        m_date.append(dd)
        m_from.append(frm)
        m_ool.append(ool)
    mc = np.concatenate(m_cad)
    mk = np.concatenate(m_kind)
    md = np.concatenate(m_date)
    mf = np.concatenate(m_from)
    mo = np.concatenate(m_ool)
    order = np.lexsort((mk, mc, md))
    mc, mk, md, mf, mo = mc[order], mk[order], md[order], mf[order], mo[order]
    mpost = np.where(rng.random(mc.size) < 0.5, _pick(rng, U["posts_key"], U["posts_key_len"], unit[mc]),
                     _pick(rng, U["posts_other"], U["posts_other_len"], unit[mc]))
    mpost = np.where((mk == 1) | (mk == 2), np.where(rng.random(mc.size) < 0.3, "", mpost), mpost).astype(object)
    counts["movements"] = _write_csv(
        out_dir / "movements.csv", TABLE_COLUMNS["movements"],
        [cadre_id[mc], np.array(KINDS, dtype=object)[mk], _fmt_dates(md), U["id"][unit[mc]],
         np.where(mf >= 0, U["id"][np.maximum(mf, 0)], "").astype(object), mpost, _str_ints(mo)],
        text_cols=(5,))

    # ---------------------------------------------------------------- evaluations
    ev_years = np.arange(2020, 2026)
    birth_year = _year_of(birth)
    first_year = np.maximum(2020, birth_year + 22)
    late = rng.random(n) < 0.06  # recruited later
    first_year = np.where(late, np.maximum(first_year, rng.integers(2021, 2026, n)), first_year)
    # planned cadres are normally evaluated the year before their first planning; some never were
    # (more often in weak units)
    first_year = np.where(planned, np.minimum(first_year, _year_of(first_added) - 1), first_year)
    no_prior = planned & (rng.random(n) < 0.02 + 0.45 * (1.0 - perf) ** 2)
    first_year = np.where(no_prior, np.maximum(first_year, _year_of(first_added)), first_year)
    ny = ev_years.size
    e_cad = np.repeat(np.arange(n, dtype=np.int64), ny)
    e_year = np.tile(ev_years, n)
    keep = (e_year >= first_year[e_cad]) & (rng.random(e_cad.size) >= 0.025 * (1.0 - perf[e_cad]))
    e_cad, e_year = e_cad[keep], e_year[keep]
    e_perf = perf[e_cad]
    u = rng.random(e_cad.size)
    p_nc = 0.003 + 0.05 * (1.0 - e_perf) ** 2
    p_ex = 0.10 + 0.12 * e_perf
    rating = np.where(u < p_nc, 3, np.where(u < p_nc + p_ex, 0, np.where(u < p_nc + p_ex + 0.62, 1, 2)))
    u2 = rng.random(e_cad.size)
    dec = _year_start(e_year + 1) - 22 + rng.integers(0, 22, e_cad.size)  # 10..31 December
    jan = _year_start(e_year + 1) + 1 + rng.integers(0, 24, e_cad.size)  # 2..25 January next year
    ev_on = np.where(u2 < 0.55, dec, np.where(u2 < 0.9, jan, BLANK))
    ev_on = np.where(ev_on > DATA_END, BLANK, ev_on)
    counts["evaluations"] = _write_csv(
        out_dir / "evaluations.csv", TABLE_COLUMNS["evaluations"],
        [cadre_id[e_cad], _str_ints(e_year), np.array(RATINGS, dtype=object)[rating], _fmt_dates(ev_on)])

    # ---------------------------------------------------------------- unit reports
    r_years = np.arange(2022, 2027)
    ru = np.repeat(np.arange(n_units), r_years.size)
    ry = np.tile(r_years, n_units)
    rp = U["perf"][ru]
    trend = (ry - 2022) * 0.04
    ys = _year_start(ry)

    def _report_dates(p_done: np.ndarray, mean_offset: np.ndarray) -> np.ndarray:
        done = rng.random(ru.size) < np.clip(p_done, 0.0, 1.0)
        off = np.clip(np.round(mean_offset + rng.normal(0.0, 35.0, ru.size)), 0, 364).astype(np.int64)
        dates = ys + off
        return np.where(done & (dates <= DATA_END), dates, BLANK)

    rot = _report_dates(0.05 + 1.4 * rp + trend, 20 + 330 * (1.0 - rp) ** 1.5)
    rev = _report_dates(0.15 + 1.3 * rp + trend, 30 + 320 * (1.0 - rp) ** 1.5)
    counts["unit_reports"] = _write_csv(
        out_dir / "unit_reports.csv", TABLE_COLUMNS["unit_reports"],
        [U["id"][ru], _str_ints(ry), _fmt_dates(rot), _fmt_dates(rev)])

    _write_text(out_dir / "README.txt", _readme(n, seed, counts))
    # the marker that makes every report built from this register say it is sample data
    _write_text(out_dir / SAMPLE_MARKER, "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ\n"
                f"Synthetic sample register generated by cadre-monitor (cadres={n}, seed={seed}).\n")
    return counts


def _readme(n: int, seed: int, counts: dict[str, int]) -> str:
    rows = "\n".join(f"  {t:<13} {c:>12,}" for t, c in counts.items())
    return nfc(f"""DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ
SYNTHETIC SAMPLE DATA — NOT REAL FIGURES

Bộ dữ liệu này do cadre-monitor sinh ngẫu nhiên (có thể tái lập) để minh họa và kiểm thử, mô phỏng cơ cấu
tỉnh Hưng Yên trước ngày 01/7/2025 (cấp tỉnh, 10 đơn vị cấp huyện, 160 đơn vị cấp xã). Mọi họ tên, ngày
tháng và số liệu đều là giả định; không dùng để báo cáo hay ra quyết định.

This register was generated (reproducibly) by cadre-monitor for demonstration and testing. It mimics the
shape of Hưng Yên province before 1 July 2025 (province, 10 district-level units, 160 communes). Every
name, date and number is made up; do not use it for reporting or decisions.

Tham số / parameters: cadres={n}, seed={seed}
Lệnh tái tạo / regenerate: python -m cadre_lib sample-data --out <DIR> --cadres {n} --seed {seed}

Số dòng / rows:
{rows}
""")
