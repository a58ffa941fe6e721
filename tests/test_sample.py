"""The synthetic register generator: determinism, contract conformance, coherence and shape."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from cadre_lib.register import sample
from cadre_lib.register.sample import TABLE_COLUMNS, generate_sample

TABLES = list(TABLE_COLUMNS)
FILES = [f"{t}.csv" for t in TABLES] + ["README.txt", "SAMPLE_DATA.txt"]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AS_OF = pd.Timestamp("2025-06-30")


def read(folder: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
            for t in TABLES}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int], dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("sample") / "reg"
    counts = generate_sample(out, n_cadres=500, seed=7)
    return out, counts, read(out)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("sample_medium")
    generate_sample(out, n_cadres=20000, seed=2024)
    return read(out)


def dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s[s != ""], format="%Y-%m-%d")


# ------------------------------------------------------------------------------------------ determinism
def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate_sample(tmp_path / "a", n_cadres=300, seed=11)
    generate_sample(tmp_path / "b", n_cadres=300, seed=11)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_other_seed_or_size_differs(tmp_path: Path) -> None:
    generate_sample(tmp_path / "a", n_cadres=300, seed=11)
    generate_sample(tmp_path / "b", n_cadres=300, seed=12)
    generate_sample(tmp_path / "c", n_cadres=301, seed=11)
    a = (tmp_path / "a" / "cadres.csv").read_bytes()
    assert a != (tmp_path / "b" / "cadres.csv").read_bytes()
    assert a != (tmp_path / "c" / "cadres.csv").read_bytes()
    # the hierarchy is fixed, only the hidden performance of units changes
    assert (tmp_path / "a" / "units.csv").read_bytes() == (tmp_path / "b" / "units.csv").read_bytes()


def test_regenerating_overwrites_in_place(tmp_path: Path) -> None:
    generate_sample(tmp_path, n_cadres=200, seed=1)
    first = (tmp_path / "planning.csv").read_bytes()
    generate_sample(tmp_path, n_cadres=200, seed=2)
    generate_sample(tmp_path, n_cadres=200, seed=1)
    assert (tmp_path / "planning.csv").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES)


# ------------------------------------------------------------------------------------------ files
def test_files_headers_and_counts(small) -> None:
    out, counts, t = small
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)  # no temporary file left behind
    assert list(counts) == TABLES
    for name in TABLES:
        raw = (out / f"{name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
        assert list(t[name].columns) == TABLE_COLUMNS[name]
        assert len(t[name]) == counts[name], name
        assert counts[name] > 0, name
    assert counts["cadres"] == 500
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ" in readme and "synthetic" in readme.lower()
    assert "seed=7" in readme


def test_crash_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = sample.os.replace

    def failing_replace(src, dst):
        if Path(dst).name == "training.csv":
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(sample.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        generate_sample(tmp_path, n_cadres=200, seed=3)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["cadres.csv", "planning.csv", "units.csv"]


@pytest.mark.parametrize("n", [1, 10])
def test_tiny_registers(tmp_path: Path, n: int) -> None:
    counts = generate_sample(tmp_path, n_cadres=n, seed=5)
    assert counts["cadres"] == n
    assert len(read(tmp_path)["cadres"]) == n


def test_rejects_zero_cadres(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_sample(tmp_path, n_cadres=0)


# ------------------------------------------------------------------------------------------ hierarchy
def test_hierarchy_shape(small) -> None:
    u = small[2]["units"]
    assert u.unit_id.is_unique
    root = u[u.parent_id == ""]
    assert root.unit_id.tolist() == ["HY"] and root.level.tolist() == ["tinh"]
    assert root.name.tolist() == ["Tỉnh Hưng Yên"]
    depts = u[(u.level == "tinh") & (u.parent_id == "HY")]
    assert 18 <= len(depts) <= 22
    assert {"S-NV", "S-TC"} <= set(depts.unit_id)
    assert "Ban Tổ chức Tỉnh ủy" in set(depts.name)
    districts = u[u.level == "huyen"]
    assert dict(zip(districts.unit_id, districts.name, strict=True)) == {
        "HY-TP": "Thành phố Hưng Yên", "MH": "Thị xã Mỹ Hào", "VL": "Huyện Văn Lâm", "VG": "Huyện Văn Giang",
        "YM": "Huyện Yên Mỹ", "KC": "Huyện Khoái Châu", "AT": "Huyện Ân Thi", "KD": "Huyện Kim Động",
        "PC": "Huyện Phù Cừ", "TL": "Huyện Tiên Lữ"}
    assert (districts.parent_id == "HY").all()
    communes = u[u.level == "xa"]
    assert 150 <= len(communes) <= 170
    assert communes.parent_id.isin(districts.unit_id).all()
    assert all(cid.startswith(pid + "-") for cid, pid in zip(communes.unit_id, communes.parent_id, strict=True))
    assert not communes.duplicated(["parent_id", "name"]).any()
    assert communes.name.str.match(r"^(Xã|Phường|Thị trấn) \S").all()
    assert communes.groupby("parent_id").size().min() >= 8


def test_no_parent_cycles(small) -> None:
    u = small[2]["units"]
    parent = dict(zip(u.unit_id, u.parent_id, strict=True))
    assert all(p == "" or p in parent for p in parent.values())
    for uid in parent:
        seen, cur = set(), uid
        while cur:
            assert cur not in seen, f"cycle through {uid}"
            seen.add(cur)
            cur = parent[cur]
        assert len(seen) <= 3


# ------------------------------------------------------------------------------------------ integrity
def test_referential_integrity(small) -> None:
    t = small[2]
    units = set(t["units"].unit_id)
    cadres = t["cadres"]
    assert cadres.cadre_id.is_unique
    ids = set(cadres.cadre_id)
    assert cadres.unit_id.isin(units).all()
    for name in ("planning", "training", "movements", "evaluations"):
        assert t[name].cadre_id.isin(ids).all(), name
    assert t["planning"].unit_id.isin(units).all()
    assert t["movements"].to_unit_id.isin(units).all()
    frm = t["movements"].from_unit_id
    assert frm[frm != ""].isin(units).all()
    assert t["unit_reports"].unit_id.isin(units).all()


def test_codes_within_allowed_sets(small) -> None:
    t = small[2]
    assert set(t["units"].level) == {"tinh", "huyen", "xa"}
    c = t["cadres"]
    assert set(c.gender) == {"nam", "nu"}
    for col in ("is_leader", "is_head"):
        assert set(c[col]) <= {"0", "1"}
    assert (c.is_leader >= c.is_head).all()  # a head is a leader
    p = t["planning"]
    assert set(p.term) == {"2020-2025", "2025-2030"}
    assert set(p.key_post) == {"0", "1"}
    assert (p.post != "").all()
    assert set(t["training"].course_type) <= {"leadership", "political_theory", "state_management", "degree",
                                              "other"}
    assert "leadership" in set(t["training"].course_type)
    m = t["movements"]
    assert set(m.kind) == {"appointment", "mobilization", "rotation", "nomination"}
    assert set(m.out_of_level) <= {"0", "1"}
    assert (m.out_of_level[m.kind != "appointment"] == "0").all()
    assert set(t["evaluations"].rating) <= {"excellent", "good", "completed", "not_completed"}
    assert set(t["evaluations"].year.astype(int)) <= set(range(2020, 2026))
    assert set(t["unit_reports"].year.astype(int)) == set(range(2022, 2027))


def test_one_row_per_key(small) -> None:
    t = small[2]
    assert not t["evaluations"].duplicated(["cadre_id", "year"]).any()
    r = t["unit_reports"]
    assert not r.duplicated(["unit_id", "year"]).any()
    assert len(r) == len(t["units"]) * 5  # every unit, every year 2022..2026
    assert not t["planning"].duplicated(["cadre_id", "post", "unit_id", "term"]).any()


# ------------------------------------------------------------------------------------------ dates
def test_dates_are_iso_and_coherent(small) -> None:
    t = small[2]
    cols = {"cadres": ["birth_date"], "planning": ["added_on", "removed_on"], "training": ["completed_on"],
            "movements": ["date"], "evaluations": ["evaluated_on"],
            "unit_reports": ["rotation_plan_on", "planning_review_on"]}
    for name, cs in cols.items():
        for col in cs:
            s = t[name][col]
            assert s[s != ""].str.match(ISO).all(), (name, col)
            d = dates(s)
            if name != "cadres":
                assert d.min() >= pd.Timestamp("2020-01-01"), (name, col)
                assert d.max() <= pd.Timestamp("2026-12-31"), (name, col)
    birth = dates(t["cadres"].birth_date)
    assert len(birth) == 500 and birth.max() < pd.Timestamp.today()
    age = (AS_OF - birth).dt.days / 365.25
    assert age.min() >= 23 and age.max() < 60
    p = t["planning"]
    assert (p.added_on != "").all()
    rem = p[p.removed_on != ""]
    assert len(rem) > 0
    assert (pd.to_datetime(rem.removed_on) > pd.to_datetime(rem.added_on)).all()
    assert (rem.removal_reason != "").mean() > 0.5
    assert (p.removal_reason[p.removed_on == ""] == "").all()
    e = t["evaluations"]
    dated = e[e.evaluated_on != ""]
    d = pd.to_datetime(dated.evaluated_on)
    year = dated.year.astype(int)
    assert (((d.dt.year == year) & (d.dt.month == 12)) | ((d.dt.year == year + 1) & (d.dt.month == 1))).all()
    assert (e.evaluated_on == "").any()
    r = t["unit_reports"]
    for col in ("rotation_plan_on", "planning_review_on"):
        done = r[r[col] != ""]
        assert (pd.to_datetime(done[col]).dt.year == done.year.astype(int)).all()


# ------------------------------------------------------------------------------------------ names
def test_names_are_vietnamese_and_nfc(small) -> None:
    t = small[2]
    texts = [t["cadres"].full_name, t["cadres"].position, t["units"].name, t["planning"].post,
             t["planning"].removal_reason, t["training"].course_name, t["movements"].post]
    for s in texts:
        assert all(unicodedata.is_normalized("NFC", v) for v in s)
    names = t["cadres"].full_name
    assert names.str.split().str.len().between(3, 4).all()
    assert names.str.split().str[0].isin(["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ",
                                          "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Trịnh", "Phan", "Lương", "Mai",
                                          "Tạ", "Lưu", "Hà", "Chu", "Tô"]).all()
    assert names.map(lambda v: any(ord(ch) > 127 for ch in v)).mean() > 0.9
    women = names[t["cadres"].gender == "nu"]
    assert women.str.contains(" Thị ").mean() > 0.3


# ------------------------------------------------------------------------------------------ shape
def test_population_shape(medium) -> None:
    t = medium
    c = t["cadres"]
    n = len(c)
    age = (AS_OF - pd.to_datetime(c.birth_date)).dt.days / 365.25
    assert 0.25 <= (age < 40).mean() <= 0.6
    assert (age < 35).mean() >= 0.1
    assert 0.12 <= (c.is_leader == "1").mean() <= 0.18
    assert 0.03 <= (c.is_head == "1").mean() <= 0.06
    per_unit = c.groupby("unit_id").size()
    levels = t["units"].set_index("unit_id").level
    assert per_unit[levels[per_unit.index] == "tinh"].median() > 3 * per_unit[levels[per_unit.index] == "xa"].median()
    p = t["planning"]
    assert 0.18 <= p.cadre_id.nunique() / n <= 0.32
    assert 0.3 <= (p.key_post == "1").mean() <= 0.5
    assert (p.groupby("cadre_id").term.nunique() == 2).sum() > 0.05 * p.cadre_id.nunique()
    # a commune cadre also planned for a post of their district
    home = c.set_index("cadre_id").unit_id
    parent = t["units"].set_index("unit_id").parent_id
    row_home = home[p.cadre_id].to_numpy()
    assert ((levels[row_home].to_numpy() == "xa") & (parent[row_home].to_numpy() == p.unit_id.to_numpy())).sum() > 100
    e = t["evaluations"]
    assert 0.01 <= (e.rating == "not_completed").mean() <= 0.03
    assert e.cadre_id.nunique() > 0.9 * n
    m = t["movements"]
    assert 0.01 <= (m.out_of_level[m.kind == "appointment"] == "1").mean() <= 0.06


def _active(p: pd.DataFrame) -> pd.DataFrame:
    added = pd.to_datetime(p.added_on)
    removed = pd.to_datetime(p.removed_on.replace("", None))
    return p[(added <= AS_OF) & (removed.isna() | (removed > AS_OF))]


def test_units_differ_in_performance(medium) -> None:
    """Some districts clearly meet the targets, others are far behind (young and women shares in planning,
    rotation plans adopted by 30/06/2025)."""
    t = medium
    units = t["units"].set_index("unit_id")
    district_of = {u: (u if r.level == "huyen" else r.parent_id) for u, r in units.iterrows()
                   if r.level in ("huyen", "xa")}
    c = t["cadres"].set_index("cadre_id")
    p = _active(t["planning"])
    p = p[p.unit_id.isin(district_of)].assign(district=lambda d: d.unit_id.map(district_of))
    birth = pd.to_datetime(c.birth_date[p.cadre_id]).to_numpy()
    age = (AS_OF - pd.DatetimeIndex(birth)).days / 365.2425
    limit = units.level[p.unit_id].map({"huyen": 40, "xa": 35}).to_numpy()
    p = p.assign(young=age < limit, female=(c.gender[p.cadre_id] == "nu").to_numpy())
    per_person = p.groupby(["district", "cadre_id"])[["young", "female"]].max()
    shares = per_person.groupby("district").mean()
    assert shares.young.min() < 0.12 and shares.young.max() >= 0.25
    assert shares.female.min() < 0.25 and shares.female.max() >= 0.35
    r = t["unit_reports"]
    r = r[(r.year == "2025") & r.unit_id.isin(district_of)]
    done = r.rotation_plan_on.ne("") & (r.rotation_plan_on <= "2025-06-30")
    coverage = done.groupby(r.unit_id.map(district_of)).mean()
    assert coverage.min() < 0.3 and coverage.max() >= 0.9
