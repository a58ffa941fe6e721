"""Deterministic synthetic cadre register ("sample data") of the new Hưng Yên, on its real units.

The units are real (names and codes, ``cadre_lib/register/data/hung_yen``, derived from the MIT-licensed
package ``vietnamadminunits`` 1.0.4): before 01/7/2025 the 10 district-level units and 139 communes of old
Hưng Yên and the 8 and 242 of old Thái Bình (two province roots, Thái Bình's ending with successor Hưng Yên);
from 01/7/2025 the 104 communes and wards of the new Hưng Yên, with the official old -> new commune map.
Departments: those of Hưng Yên (always) and a dozen of Thái Bình, merged into Hưng Yên's on 01/7/2025
(simplified: the 2025 reorganisation of departments is not modelled). THE PEOPLE ARE SYNTHETIC: every name,
date and number of a person is made up.

:func:`generate_sample` writes the eight tables of data contract v2 as UTF-8 CSV files with the canonical
English headers. The output is byte-identical for the same ``(n_cadres, seed)``: every random draw comes
from one ``numpy.random.default_rng(seed)`` in a fixed order, and everything is vectorised.

The story, on both sides of the reform (events 2021 – 30/09/2026):

- every cadre has a hidden unit *before* the reform (old commune, district, department, province; none for
  people recruited after it) and the unit they work in *now* (a new commune or ward, a department, the
  province); ``cadres.unit_id`` is the unit now, except for a few rows not yet migrated (an old commune, or a
  district, which no unit succeeds);
- planning lists are drawn per post (realistic post names of each unit; 1-3 people per post, 4-5 in a few
  weak units, so that QĐ 377's "at most 3 people per post" is a real finding): the 2020-2025 lists in 2021-2023
  on the old units (they lapse with the term on 01/7/2025); the 2025-2030 lists in 10/2023-05/2025 on the old
  units: district posts lapse on 01/7/2025 (active to the district's last day, 30/06/2025), commune rows are
  carried over (about half removed by the review after the merger, 09-12/2025), province-level rows carried
  over; new 2025-2030 lists on the new communes from 08/2025 (a few rows still typed on an old commune);
- movements before 01/7/2025 name the old units, later ones the new units (a few still the old unit);
- unit reports for every year a unit exists (2022-2026).

Every unit carries a hidden *performance* factor in [0, 1] (a new commune inherits its predecessors'); it drives
the shares of young cadres and women in planning, training, the youth of movements, ratings and the yearly
rotation plans and planning reviews, so that with the default parameters (as_of 2026-09-30) some units are
clearly on target and others far behind.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cadre_lib.core.text import nfc
from cadre_lib.register.admin_units import shipped
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


#DATES

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


AS_OF = _d("2026-09-30")  # the reference date the sample is tuned for (parameters/default.yaml)
DATA_START = _d("2021-01-01")
DATA_END = _d("2026-09-30")  # the register is extracted at the end of Q3 2026: no event after this day
LAST_OLD = _d("2025-06-30")  # the last day of the three-level local government
FIRST_NEW = LAST_OLD + 1
YOUNG_UNDER = {"tinh": 40, "huyen": 40, "xa": 35}  # only steers the draws; the engine reads the parameters
# Thái Bình departments merged into Hưng Yên's on 01/7/2025 (by the suffix of the Hưng Yên id)
TB_DEPARTMENTS = ["S-NV", "S-TC", "S-TP", "S-CT", "S-NNPTNT", "S-XD", "S-GDDT", "S-YT", "S-VHTTDL", "S-KHCN",
                  "TTR", "VP-UBND", "BTC-TU"]
# relative number of cadres per unit before the reform and now
WEIGHT_OLD = {"root": 250.0, "dept": 380.0, "huyen": 420.0, "xa_old": 26.0}
WEIGHT_NEW = {"root": 300.0, "dept": 420.0, "xa_new": 120.0}
LAPSE_REASON = "Hết nhiệm kỳ 2020-2025"
DISTRICT_REASON = "Đơn vị hành chính cấp huyện kết thúc hoạt động (01/7/2025)"
MERGER_REASON = "Rà soát sau sắp xếp đơn vị hành chính"


def _commune_word(name: str) -> str:
    return "phường" if name.startswith("Phường") else "thị trấn" if name.startswith("Thị trấn") else "xã"


def _posts(kind: str, name: str, extra: tuple[str, str] = ("", "")) -> list[tuple[str, bool]]:
    """Planned posts of a unit (name, key post)."""
    if kind == "root":
        return [("Ủy viên Ban Thường vụ Tỉnh ủy", True), ("Phó Chủ tịch UBND tỉnh", True),
                ("Phó Chủ tịch HĐND tỉnh", True), ("Ủy viên UBND tỉnh", False),
                ("Ủy viên Ủy ban Kiểm tra Tỉnh ủy", False)]
    if kind == "dept":
        head, deputy = extra
        return [(head, True), (deputy, True), ("Chánh Văn phòng", False), ("Trưởng phòng Kế hoạch - Tài chính", False)]
    if kind == "huyen":
        party, gov = (("Thành ủy", "thành phố") if name.startswith("Thành phố") else
                      ("Thị ủy", "thị xã") if name.startswith("Thị xã") else ("Huyện ủy", "huyện"))
        return [(f"Bí thư {party}", True), (f"Phó Bí thư {party}", True), (f"Chủ tịch UBND {gov}", True),
                (f"Chủ tịch HĐND {gov}", True), (f"Phó Chủ tịch UBND {gov}", False),
                (f"Ủy viên Ban Thường vụ {party}", False), (f"Trưởng Ban Tổ chức {party}", False)]
    t = _commune_word(name)
    posts = [(f"Bí thư Đảng ủy {t}", True), (f"Phó Bí thư Đảng ủy {t}", True), (f"Chủ tịch UBND {t}", True),
             (f"Chủ tịch HĐND {t}", True), (f"Phó Chủ tịch UBND {t}", False), (f"Phó Chủ tịch HĐND {t}", False),
             (f"Chủ tịch Ủy ban MTTQ Việt Nam {t}", False)]
    if kind == "xa_new":  # the two-level commune has its own departments
        posts += [("Trưởng phòng Kinh tế, Hạ tầng và Đô thị" if t == "phường" else "Trưởng phòng Kinh tế", False),
                  ("Trưởng phòng Văn hóa - Xã hội", False), ("Chánh Văn phòng HĐND và UBND", False)]
    return posts


def _units(rng: np.random.Generator) -> dict[str, Any]:
    adm = shipped()
    au, su = adm.units, adm.successors
    root, old_root = au["unit_id"].iat[0], au["unit_id"].iat[1]
    ids: list[str] = [root]
    names: list[str] = [au["name"].iat[0]]
    kinds: list[str] = ["root"]
    parents: list[str] = [""]
    vfrom: list[str] = [""]
    vto: list[str] = [""]
    extra: list[tuple[str, str]] = [("", "")]
    for uid, name, head, deputy in DEPARTMENTS:
        ids.append(uid)
        names.append(name)
        kinds.append("dept")
        parents.append(root)
        vfrom.append("")
        vto.append("")
        extra.append((head, deputy))
    ids.append(old_root)
    names.append(au["name"].iat[1])
    kinds.append("root")
    parents.append("")
    vfrom.append("")
    vto.append(au["valid_to"].iat[1])
    extra.append(("", ""))
    dept = {d[0]: d for d in DEPARTMENTS}
    successors: list[list[str]] = [[old_root, root, "yes"]]
    for sid in TB_DEPARTMENTS:
        _, name, head, deputy = dept[sid]
        ids.append(f"TB-{sid}")
        names.append(f"{name} tỉnh Thái Bình")
        kinds.append("dept")
        parents.append(old_root)
        vfrom.append("")
        vto.append(au["valid_to"].iat[1])
        extra.append((head, deputy))
        successors.append([f"TB-{sid}", sid, "yes"])
    rest = au.iloc[2:]
    kind_of = {"huyen": "huyen"}
    for r in rest.itertuples():
        ids.append(str(r.unit_id))
        names.append(str(r.name))
        parents.append(str(r.parent_id))
        kinds.append(kind_of.get(str(r.level), "xa_new" if r.valid_from else "xa_old"))
        vfrom.append(str(r.valid_from))
        vto.append(str(r.valid_to))
        extra.append(("", ""))
    successors += [[str(a), str(b), str(c)] for a, b, c in su.loc[su["unit_id"] != old_root].itertuples(index=False)]

    index = pd.Index(ids)
    kind = np.array(kinds, dtype=object)
    parent = index.get_indexer(pd.Index(parents))
    n = len(ids)
    succ = pd.DataFrame(successors, columns=["unit_id", "successor_id", "primary"])
    s_src, s_dst = index.get_indexer(succ["unit_id"]), index.get_indexer(succ["successor_id"])
    primary = np.full(n, -1, dtype=np.int64)
    ok = (succ["primary"] == "yes").to_numpy()
    primary[s_src[ok]] = s_dst[ok]
    # hidden performance: spread for departments and districts; old communes follow their district; a new
    # commune inherits the mean of its predecessors (some noise); Thái Bình's departments their own
    perf = np.zeros(n)
    is_root = kind == "root"
    perf[is_root] = 0.55
    for k, lo, hi in (("dept", 0.03, 0.97), ("huyen", 0.05, 0.95)):
        sel = np.flatnonzero(kind == k)
        perf[sel] = rng.permutation(np.linspace(lo, hi, sel.size))
    old = np.flatnonzero(kind == "xa_old")
    perf[old] = np.clip(0.7 * perf[parent[old]] + 0.3 * rng.random(old.size), 0.02, 0.98)
    new = np.flatnonzero(kind == "xa_new")
    acc = np.bincount(primary[old], weights=perf[old], minlength=n)
    cnt = np.bincount(primary[old], minlength=n)
    perf[new] = np.clip(0.8 * acc[new] / np.maximum(cnt[new], 1) + 0.2 * rng.random(new.size), 0.02, 0.98)
    level = np.array(["tinh" if k in ("root", "dept") else "huyen" if k == "huyen" else "xa" for k in kinds],
                     dtype=object)
    ends = np.array([bool(v) for v in vto])
    starts = np.array([bool(v) for v in vfrom])
    posts = [_posts(k, nm, ex) for k, nm, ex in zip(kinds, names, extra, strict=True)]
    heads = [[p for p, key in ps if key][:3] if k != "dept" else [ex[0]] for ps, k, ex in
             zip(posts, kinds, extra, strict=True)]
    deputies = [[p for p, key in ps if not key][:3] if k != "dept" else [ex[1], "Phó Trưởng phòng"]
                for ps, k, ex in zip(posts, kinds, extra, strict=True)]
    staff_kind = {"root": "root", "dept": "dept", "huyen": "huyen", "xa_old": "xa", "xa_new": "xa"}
    hd, hd_len = _matrix(heads)
    dp, dp_len = _matrix(deputies)
    staff, staff_len = _matrix([STAFF_POSITIONS[staff_kind[k]] for k in kinds])
    return {
        "id": np.array(ids, dtype=object), "name": _arr(names), "kind": kind, "level": level, "parent": parent,
        "parent_id": np.array(parents, dtype=object), "valid_from": np.array(vfrom, dtype=object),
        "valid_to": np.array(vto, dtype=object), "ends": ends, "starts": starts, "perf": perf,
        "primary": primary, "successors": succ, "posts": posts,
        "young_under": np.array([YOUNG_UNDER[lv] for lv in level], dtype=np.int64),
        "heads": hd, "heads_len": hd_len, "deputies": dp, "deputies_len": dp_len, "staff": staff,
        "staff_len": staff_len,
    }


def _draw_unit(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    return np.sort(rng.choice(weights.size, size=size, p=weights / weights.sum()))


def _pools(members: np.ndarray, cadres: np.ndarray, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the cadres who may be planned for the posts of each unit: (offsets, cadre of each slot)."""
    order = np.lexsort((cadres, members))
    counts = np.bincount(members, minlength=n_units)
    return np.concatenate([[0], np.cumsum(counts)]), cadres[order]


def _plan(rng: np.random.Generator, U: dict[str, Any], units: np.ndarray, pool: tuple[np.ndarray, np.ndarray],
          weight: np.ndarray, young: np.ndarray, female: np.ndarray, term: int, lo: int, hi: int, sizes: np.ndarray,
          copies: int) -> dict[str, np.ndarray]:
    """Planning rows of the lists of ``units`` (one list per post): ``sizes`` = probabilities of 0..5 people
    per post, shifted towards 4-5 in weak units; people drawn from the unit's pool, steered by youth, gender
    and the unit's performance. Dates uniform in lo..hi."""
    offs, members = pool
    s_unit, s_post, s_key = [], [], []
    for u in units:
        for c in range(copies):
            for p, key in U["posts"][u]:
                s_unit.append(u)
                s_post.append(p if c == 0 else f"{p} (nhóm {c + 1})")
                s_key.append(key)
    su = np.array(s_unit, dtype=np.int64)
    ns = su.size
    perf = U["perf"][su]
    p_big = 0.01 + 0.10 * (1.0 - perf) ** 3
    k = rng.choice(sizes.size, size=ns, p=sizes)
    k = np.where(rng.random(ns) < p_big, 4 + (rng.random(ns) < 0.35), k)
    size = offs[su + 1] - offs[su]
    k = np.minimum(k, size)
    n_cand = 3 * k
    cs = np.repeat(np.arange(ns), n_cand)
    pos = offs[su[cs]] + (rng.random(cs.size) * size[cs]).astype(np.int64)
    cand = members[pos] if members.size else np.zeros(0, dtype=np.int64)
    pf = perf[cs]
    w = weight[cand] * np.where(young[cand, U["level_code"][su[cs]]], 0.25 + 2.6 * pf, 1.0)
    w = w * np.where(female[cand], 0.45 + 1.2 * pf, 1.0)
    score = np.log(rng.random(cs.size)) / w
    order = np.lexsort((-score, cs))
    cs, cand = cs[order], cand[order]
    first = np.ones(cs.size, dtype=bool)
    if cs.size:
        pair = cs.astype(np.int64) * (weight.size + 1) + cand
        _, idx = np.unique(pair, return_index=True)
        first[:] = False
        first[idx] = True
    cs, cand = cs[first], cand[first]
    start = np.concatenate([[0], np.cumsum(np.bincount(cs, minlength=ns))])[:-1]
    rank = np.arange(cs.size) - start[cs]
    keep = rank < k[cs]
    cs, cand = cs[keep], cand[keep]
    # one list per post: its people are added on the same day (a few later: "bổ sung")
    day = lo + (rng.random(ns) * (hi - lo + 1)).astype(np.int64)
    added = np.where(rng.random(cs.size) < 0.15, np.minimum(day[cs] + rng.integers(60, 400, cs.size), hi), day[cs])
    return {"cadre": cand, "unit": su[cs], "post": np.array(s_post, dtype=object)[cs],
            "key": np.array(s_key, dtype=bool)[cs], "term": np.full(cs.size, term), "added": added}


def generate_sample(out_dir: Path, n_cadres: int = 20000, seed: int = 2024) -> dict[str, int]:
    """Write a synthetic register (eight CSV tables + README.txt) into ``out_dir``.

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
    kind, nu = U["kind"], U["id"].size
    levels = ["tinh", "huyen", "xa"]
    U["level_code"] = np.array([levels.index(lv) for lv in U["level"]], dtype=np.int64)
    counts: dict[str, int] = {}

    # ---------------------------------------------------------------- units, successors
    counts["units"] = _write_csv(out_dir / "units.csv", TABLE_COLUMNS["units"],
                                 [U["id"], U["name"], U["level"], U["parent_id"], U["valid_from"], U["valid_to"]],
                                 text_cols=(1,))
    su: pd.DataFrame = U["successors"]
    counts["unit_successors"] = _write_csv(out_dir / "unit_successors.csv", TABLE_COLUMNS["unit_successors"],
                                           [su[c].to_numpy(dtype=object) for c in su.columns])

    # ---------------------------------------------------------------- cadres: unit before the reform and now
    w_old = np.array([WEIGHT_OLD.get(k, 0.0) if not U["starts"][i] else 0.0 for i, k in enumerate(kind)])
    w_new = np.array([WEIGHT_NEW.get(k, 0.0) if not U["ends"][i] else 0.0 for i, k in enumerate(kind)])
    recruit = rng.random(n) < 0.07  # recruited after the reform
    old_unit = np.full(n, -1, dtype=np.int64)
    old_unit[~recruit] = rng.choice(nu, size=int((~recruit).sum()), p=w_old / w_old.sum())
    cur = np.where(old_unit >= 0, old_unit, 0)
    ends = U["ends"][np.maximum(old_unit, 0)] & (old_unit >= 0)
    succ_now = U["primary"][np.maximum(old_unit, 0)]
    cur = np.where(ends & (succ_now >= 0), succ_now, cur)
    # district staff: mostly to a new commune formed from their district's communes, the others to a department
    is_h = (old_unit >= 0) & (kind[np.maximum(old_unit, 0)] == "huyen")
    xa_old = np.flatnonzero(kind == "xa_old")
    by_district = pd.Series(U["primary"][xa_old]).groupby(U["parent"][xa_old]).agg(list)
    depts_now = np.flatnonzero((kind == "dept") & ~U["ends"])
    hi = np.flatnonzero(is_h)
    to_dept = rng.random(hi.size) < 0.3
    pick = np.array([by_district[d][j % len(by_district[d])] for d, j in
                     zip(old_unit[hi], rng.integers(0, 1000, hi.size), strict=True)], dtype=np.int64)
    cur[hi] = np.where(to_dept, depts_now[rng.integers(0, depts_now.size, hi.size)], pick)
    cur[recruit] = rng.choice(nu, size=int(recruit.sum()), p=w_new / w_new.sum())
    order = np.lexsort((old_unit, cur))
    old_unit, cur, recruit = old_unit[order], cur[order], recruit[order]
    typed = cur.copy()  # the unit written in cadres.csv: a few rows not migrated yet
    stale = (old_unit >= 0) & (kind[np.maximum(old_unit, 0)] == "xa_old") & (rng.random(n) < 0.012)
    stale |= (old_unit >= 0) & (kind[np.maximum(old_unit, 0)] == "huyen") & (rng.random(n) < 0.01)
    typed[stale] = old_unit[stale]

    perf = U["perf"][cur]
    female = rng.random(n) < (0.2 + 0.3 * perf)
    age = 23.0 + 36.9 * rng.beta(1.3 + 2.2 * (1.0 - perf), 2.0)  # at AS_OF
    birth = AS_OF - np.round(age * 365.25).astype(np.int64) - 1

    def age_on(day: int | np.ndarray, who: np.ndarray) -> np.ndarray:
        return np.floor((day - birth[who]) / 365.2425)

    everyone = np.arange(n)
    young_now = age_on(AS_OF, everyone) < U["young_under"][cur]
    # young by each level, on the day the lists were drawn (steers planning only): [cadre, level]
    ages_2024 = age_on(_d("2024-06-30"), everyone)
    young_lvl = np.stack([ages_2024 < YOUNG_UNDER[lv] for lv in levels], axis=1)
    p_leader = np.where(young_now, 0.03 + 0.15 * perf, 0.17)
    is_leader = rng.random(n) < p_leader
    is_head = is_leader & (rng.random(n) < np.where(young_now, 0.15, 0.28))

    fam = _arr([x[0] for x in FAMILY])[_weighted(rng, FAMILY, n)]
    mid_m = _arr([x[0] for x in MIDDLE_M])[_weighted(rng, MIDDLE_M, n)]
    mid_f = _arr([x[0] for x in MIDDLE_F])[_weighted(rng, MIDDLE_F, n)]
    giv_m = _arr(GIVEN_M)[rng.integers(0, len(GIVEN_M), n)]
    giv_f = _arr(GIVEN_F)[rng.integers(0, len(GIVEN_F), n)]
    full_name = fam + " " + np.where(female, mid_f, mid_m) + " " + np.where(female, giv_f, giv_m)
    width = max(7, len(str(n)))
    cadre_id = np.array([f"CB{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
    position = np.where(is_head, _pick(rng, U["heads"], U["heads_len"], cur),
                        np.where(is_leader, _pick(rng, U["deputies"], U["deputies_len"], cur),
                                 _pick(rng, U["staff"], U["staff_len"], cur)))
    counts["cadres"] = _write_csv(
        out_dir / "cadres.csv", TABLE_COLUMNS["cadres"],
        [cadre_id, full_name, np.where(female, "nu", "nam").astype(object), _fmt_dates(birth), U["id"][typed],
         position, _str_ints(is_leader), _str_ints(is_head)], text_cols=(1, 5))

    # ---------------------------------------------------------------- planning
    was = old_unit >= 0
    ou = old_unit[was]
    ok_ = kind[ou]
    prov_old = np.where(U["parent"][ou] >= 0, U["parent"][ou], ou)  # department -> its province
    m_old = [ou, U["parent"][ou][ok_ == "xa_old"], prov_old[ok_ == "dept"], U["parent"][ou][ok_ == "huyen"]]
    c_old = [everyone[was], everyone[was][ok_ == "xa_old"], everyone[was][ok_ == "dept"],
             everyone[was][ok_ == "huyen"]]
    pool_old = _pools(np.concatenate(m_old), np.concatenate(c_old), nu)
    cd = kind[cur] == "dept"
    pool_new = _pools(np.concatenate([cur, np.zeros(int(cd.sum()), dtype=np.int64)]),
                      np.concatenate([everyone, everyone[cd]]), nu)
    weight = np.where(is_leader, 1.6, 1.0) * np.where(age_on(AS_OF, everyone) >= 54, 0.25, 1.0)
    copies = max(1, int(round(n / 20000)))
    old_units = np.flatnonzero(~U["starts"])  # units of the old lists (those that continue too)
    new_units = np.flatnonzero(kind == "xa_new")
    prov_now = np.flatnonzero(~U["ends"] & ((kind == "root") | (kind == "dept")))
    full = np.array([0.0, 0.2, 0.42, 0.38, 0.0, 0.0])
    light = np.array([0.55, 0.45, 0.0, 0.0, 0.0, 0.0])
    lists = [
        _plan(rng, U, old_units, pool_old, weight, young_lvl, female, 0, _d("2021-02-01"), _d("2023-06-30"), full,
              copies),
        _plan(rng, U, old_units, pool_old, weight, young_lvl, female, 1, _d("2023-10-01"), _d("2025-05-31"), full,
              copies),
        _plan(rng, U, new_units, pool_new, weight, young_lvl, female, 1, _d("2025-08-01"), _d("2026-06-30"),
              np.array([0.1, 0.35, 0.35, 0.2, 0.0, 0.0]), copies),
        _plan(rng, U, prov_now, pool_new, weight, young_lvl, female, 1, _d("2025-08-01"), _d("2026-06-30"), light,
              copies),
    ]
    source = np.concatenate([np.full(len(x["cadre"]), i) for i, x in enumerate(lists)])
    p_cad, p_unit, p_post, p_key, p_term, added = (np.concatenate([x[c] for x in lists]) for c in
                                                   ("cadre", "unit", "post", "key", "term", "added"))
    k = p_cad.size
    # a few rows of the new lists still typed on an old commune (one of the new commune's predecessors)
    preds = pd.Series(xa_old).groupby(U["primary"][xa_old]).agg(list)
    stale_pl = (source == 2) & (rng.random(k) < 0.02)
    for i in np.flatnonzero(stale_pl):
        cands = preds.get(p_unit[i], [])
        if cands:
            p_unit[i] = cands[int(rng.integers(0, len(cands)))]
    # one row per person x post x unit x term (a supplementary list may pick someone already planned)
    dup = pd.DataFrame({"c": p_cad, "u": p_unit, "p": p_post, "t": p_term}).duplicated().to_numpy()
    source, p_cad, p_unit, p_post, p_key, p_term, added = (x[~dup] for x in (source, p_cad, p_unit, p_post, p_key,
                                                                              p_term, added))
    k = p_cad.size
    removed = np.full(k, BLANK, dtype=np.int64)
    reason = np.full(k, "", dtype=object)
    early = rng.random(k) < 0.08
    gap = np.maximum(np.minimum(np.where(p_term == 0, LAST_OLD, DATA_END) - added - 30, 0), 0) + 1
    r_early = added + 30 + (rng.random(k) * gap).astype(np.int64)
    early &= r_early < np.where(p_term == 0, FIRST_NEW, DATA_END)
    removed[early] = r_early[early]
    reason[early] = np.where(rng.random(int(early.sum())) < 0.92,
                             _arr(REMOVAL_REASONS)[rng.integers(0, len(REMOVAL_REASONS), int(early.sum()))], "")
    live = removed == BLANK
    lapse = live & (p_term == 0)
    removed[lapse], reason[lapse] = FIRST_NEW, LAPSE_REASON
    district = live & (kind[p_unit] == "huyen")
    removed[district], reason[district] = FIRST_NEW, DISTRICT_REASON
    merger = live & (source == 1) & (kind[p_unit] == "xa_old") & (rng.random(k) < 0.45)
    removed[merger] = _d("2025-09-15") + rng.integers(0, 96, int(merger.sum()))
    reason[merger] = MERGER_REASON
    order = np.lexsort((p_post, p_term, p_unit, p_cad))
    counts["planning"] = _write_csv(
        out_dir / "planning.csv", TABLE_COLUMNS["planning"],
        [cadre_id[p_cad[order]], p_post[order].astype(object), U["id"][p_unit[order]],
         np.array(TERMS, dtype=object)[p_term[order]], _str_ints(p_key[order]), _fmt_dates(added[order]),
         _fmt_dates(removed[order]), reason[order]], text_cols=(1, 7))

    # ---------------------------------------------------------------- training
    young_key = np.zeros(n, dtype=bool)
    yk = p_key & (age_on(AS_OF, p_cad) < U["young_under"][p_unit]) & ((removed == BLANK) | (removed > AS_OF))
    young_key[p_cad[yk]] = True
    t_cad: list[np.ndarray] = []
    t_type: list[np.ndarray] = []
    t_date: list[np.ndarray] = []
    p_lead = np.where(young_key, np.clip(0.05 + 1.3 * perf, 0.0, 1.0), np.where(is_leader, 0.30, 0.06))
    ci = np.flatnonzero(rng.random(n) < p_lead)
    early_t = rng.random(ci.size) < np.where(young_key[ci], np.clip(0.4 + 0.8 * perf[ci], 0.0, 1.0), 0.7)
    d_early = DATA_START + 60 + (rng.random(ci.size) * (AS_OF - DATA_START - 60)).astype(np.int64)
    d_late = AS_OF + 1 + (rng.random(ci.size) * 300).astype(np.int64)  # enrolled, completing after as_of
    d = np.where(early_t, d_early, d_late)
    d = np.where((d > DATA_END) | (rng.random(ci.size) < np.where(young_key[ci], 0.08 * (1.0 - perf[ci]) ** 2,
                                                                     0.04)), BLANK, d)
    t_cad.append(ci)
    t_type.append(np.zeros(ci.size, dtype=np.int64))
    t_date.append(d)
    course_types = list(COURSES)
    for ti, (ctype, base) in enumerate([("political_theory", 0.30), ("state_management", 0.25),
                                        ("degree", 0.06), ("other", 0.12)], start=1):
        assert course_types[ti] == ctype
        a_now = age_on(AS_OF, everyone)
        p_t = base * np.where(a_now >= 35, 1.3, 0.7) if ctype == "political_theory" else np.full(n, base)
        ci = np.flatnonzero(rng.random(n) < p_t)
        d = DATA_START + (rng.random(ci.size) * (DATA_END - DATA_START)).astype(np.int64)
        d = np.where(rng.random(ci.size) < 0.07, BLANK, d)
        t_cad.append(ci)
        t_type.append(np.full(ci.size, ti, dtype=np.int64))
        t_date.append(d)
    tc, tt, td = np.concatenate(t_cad), np.concatenate(t_type), np.concatenate(t_date)
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
    m_ool: list[np.ndarray] = []
    rates = {"appointment": 0.04, "mobilization": 0.02, "rotation": 0.012, "nomination": 0.01}
    young_boost = {"appointment": 1.6, "mobilization": 1.6, "rotation": 3.0, "nomination": 1.8}
    for ki, kind_name in enumerate(KINDS):
        cnt = max(1, int(round(rates[kind_name] * years_span * n)))
        wk = np.where(young_now, 0.15 + young_boost[kind_name] * perf, 1.0) * np.where(is_leader, 2.0, 1.0)
        ci = rng.choice(n, size=cnt, p=wk / wk.sum())
        if kind_name == "nomination":  # People's Councils 2021, party congresses 2025, elections 03/2026
            windows = np.array([[_d("2021-03-01"), _d("2021-05-20")], [_d("2025-07-15"), _d("2025-10-15")],
                                [_d("2026-01-05"), _d("2026-03-10")]])
            wi = rng.choice(3, size=cnt, p=[0.35, 0.4, 0.25])
            dd = windows[wi, 0] + (rng.random(cnt) * (windows[wi, 1] - windows[wi, 0] + 1)).astype(np.int64)
        else:
            dd = DATA_START + (rng.random(cnt) * (DATA_END - DATA_START + 1)).astype(np.int64)
        dd = np.where((old_unit[ci] < 0) & (dd <= LAST_OLD), FIRST_NEW + (dd - DATA_START) % (DATA_END - FIRST_NEW),
                      dd)  # people recruited after the reform move after it
        ool = (rng.random(cnt) < 0.005 + 0.05 * (1.0 - perf[ci])) if kind_name == "appointment" else \
            np.zeros(cnt, dtype=bool)
        m_cad.append(ci)
        m_kind.append(np.full(cnt, ki, dtype=np.int64))
        m_date.append(dd)
        m_ool.append(ool)
    mc, mk, md, mo = (np.concatenate(x) for x in (m_cad, m_kind, m_date, m_ool))
    order = np.lexsort((mk, mc, md))
    mc, mk, md, mo = mc[order], mk[order], md[order], mo[order]
    before = md <= LAST_OLD
    to = np.where(before, old_unit[mc], cur[mc])
    late_typed = ~before & (old_unit[mc] >= 0) & (rng.random(mc.size) < 0.02)  # typed on the old unit
    to = np.where(late_typed, old_unit[mc], to)
    valid_old = np.flatnonzero(~U["starts"])
    valid_new = np.flatnonzero(~U["ends"])
    other = np.where(before, valid_old[rng.integers(0, valid_old.size, mc.size)],
                     valid_new[rng.integers(0, valid_new.size, mc.size)])
    u_kind = rng.random(mc.size)
    frm = np.where(mk == 0, np.where(u_kind < 0.75, to, np.where(u_kind < 0.87, other, -1)),
                   np.where(mk == 3, np.where(u_kind < 0.5, to, -1), np.where(u_kind < 0.92, other, -1)))
    mpost = _pick(rng, U["heads"], U["heads_len"], to)
    mpost = np.where(rng.random(mc.size) < 0.5, mpost, _pick(rng, U["deputies"], U["deputies_len"], to))
    mpost = np.where((mk == 1) | (mk == 2), np.where(rng.random(mc.size) < 0.3, "", mpost), mpost).astype(object)
    counts["movements"] = _write_csv(
        out_dir / "movements.csv", TABLE_COLUMNS["movements"],
        [cadre_id[mc], np.array(KINDS, dtype=object)[mk], _fmt_dates(md), U["id"][to],
         np.where(frm >= 0, U["id"][np.maximum(frm, 0)], "").astype(object), mpost, _str_ints(mo)],
        text_cols=(5,))

    # ---------------------------------------------------------------- evaluations (2021 .. 2025)
    ev_years = np.arange(2021, 2026)
    birth_year = _year_of(birth)
    first_year = np.maximum(2021, birth_year + 22)
    late = recruit | (rng.random(n) < 0.05)
    first_year = np.where(late, np.maximum(first_year, np.where(recruit, 2025, rng.integers(2021, 2026, n))),
                          first_year)
    first_added = np.full(n, DATA_END, dtype=np.int64)
    np.minimum.at(first_added, p_cad, added)
    planned = first_added < DATA_END
    first_year = np.where(planned, np.minimum(first_year, _year_of(first_added) - 1), first_year)
    no_prior = planned & (rng.random(n) < 0.02 + 0.45 * (1.0 - perf) ** 2)
    first_year = np.where(no_prior, np.maximum(first_year, _year_of(first_added)), first_year)
    e_cad = np.repeat(everyone, ev_years.size)
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
    counts["evaluations"] = _write_csv(
        out_dir / "evaluations.csv", TABLE_COLUMNS["evaluations"],
        [cadre_id[e_cad], _str_ints(e_year), np.array(RATINGS, dtype=object)[rating], _fmt_dates(ev_on)])

    # ---------------------------------------------------------------- unit reports: every year a unit exists
    r_years = np.arange(2022, 2027)
    ru = np.repeat(np.arange(nu), r_years.size)
    ry = np.tile(r_years, nu)
    exists = np.where(U["ends"][ru], ry <= 2025, True) & np.where(U["starts"][ru], ry >= 2025, True)
    ru, ry = ru[exists], ry[exists]
    rp = U["perf"][ru]
    trend = (ry - 2022) * 0.04
    ys = np.where(U["starts"][ru] & (ry == 2025), FIRST_NEW, _year_start(ry))
    ye = np.where(U["ends"][ru] & (ry == 2025), LAST_OLD, _year_start(ry + 1) - 1)

    def _report_dates(p_done: np.ndarray, mean_offset: np.ndarray) -> np.ndarray:
        done = rng.random(ru.size) < np.clip(p_done, 0.0, 1.0)
        span = ye - ys
        off = np.clip(np.round(mean_offset * span / 364 + rng.normal(0.0, 35.0, ru.size)), 0, span).astype(np.int64)
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
    rows = "\n".join(f"  {t:<15} {c:>12,}" for t, c in counts.items())
    return nfc(f"""DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ
SYNTHETIC SAMPLE DATA — NOT REAL FIGURES

Bộ dữ liệu này do cadre-monitor sinh ngẫu nhiên (có thể tái lập) để minh họa và kiểm thử, trên các đơn vị
hành chính thực của tỉnh Hưng Yên mới: trước ngày 01/7/2025 tỉnh Hưng Yên (10 đơn vị cấp huyện, 139 đơn vị
cấp xã) và tỉnh Thái Bình (8 đơn vị cấp huyện, 242 đơn vị cấp xã); từ ngày 01/7/2025 tỉnh Hưng Yên với 104 xã,
phường. Tên và mã đơn vị là thật (nguồn: gói vietnamadminunits 1.0.4, giấy phép MIT); mọi họ tên, ngày tháng và
số liệu về con người đều là giả định; không dùng để báo cáo hay ra quyết định.

This register was generated (reproducibly) by cadre-monitor for demonstration and testing, on the real units
of the new Hưng Yên (before 1 July 2025 old Hưng Yên and Thái Bình, three levels; from 1 July 2025 the 104
communes and wards, two levels). Unit names and codes are real (package vietnamadminunits 1.0.4, MIT);
every person, date and number is made up; do not use it for reporting or decisions.

Tham số / parameters: cadres={n}, seed={seed}
Lệnh tái tạo / regenerate: python -m cadre_lib sample-data --out <DIR> --cadres {n} --seed {seed}

Số dòng / rows:
{rows}
""")
