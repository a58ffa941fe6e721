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
AS_OF = pd.Timestamp("2026-09-30")
REFORM = pd.Timestamp("2025-07-01")


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
    # the units are fixed, only the hidden performance of units changes
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
    assert names == ["cadres.csv", "planning.csv", "unit_successors.csv", "units.csv"]


@pytest.mark.parametrize("n", [1, 10])
def test_tiny_registers(tmp_path: Path, n: int) -> None:
    counts = generate_sample(tmp_path, n_cadres=n, seed=5)
    assert counts["cadres"] == n
    assert len(read(tmp_path)["cadres"]) == n


def test_rejects_zero_cadres(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_sample(tmp_path, n_cadres=0)


# ------------------------------------------------------------------------------------------ units
def test_units_are_the_new_hung_yen_and_its_predecessors(small) -> None:
    u = small[2]["units"].set_index("unit_id")
    roots = u[u.parent_id == ""]
    assert dict(zip(roots.index, roots.name, strict=True)) == {"T33": "Tỉnh Hưng Yên", "TC34": "Tỉnh Thái Bình"}
    assert roots.valid_to.tolist() == ["", "2025-06-30"]
    depts = u[(u.level == "tinh") & (u.parent_id != "")]
    assert (depts.parent_id == "T33").sum() == 20 and (depts.parent_id == "TC34").sum() == 13
    assert "Ban Tổ chức Tỉnh ủy" in set(depts.name)
    districts = u[u.level == "huyen"]
    assert (districts.parent_id == "T33").sum() == 10 and (districts.parent_id == "TC34").sum() == 8
    assert (districts.valid_to == "2025-06-30").all() and districts.name.str.match(r"^(Thành phố|Thị xã|Huyện) ").all()
    old = u[u.index.str.startswith("XC")]
    assert old.parent_id.isin(districts.index).all() and (old.valid_to == "2025-06-30").all()
    assert (old.parent_id.map(districts.parent_id) == "T33").sum() == 139
    assert (old.parent_id.map(districts.parent_id) == "TC34").sum() == 242
    new = u[(u.level == "xa") & ~u.index.str.startswith("XC")]
    assert len(new) == 104 and (new.parent_id == "T33").all() and (new.valid_from == "2025-07-01").all()
    assert new.name.str.startswith("Phường").sum() == 11 and new.name.str.startswith("Xã").sum() == 93
    assert u.loc["X11953", "name"] == "Phường Phố Hiến" and u.loc["XC11953", "name"] == "Phường Hiến Nam"


def test_successors_follow_the_official_map(small) -> None:
    t = small[2]
    s, u = t["unit_successors"], t["units"].set_index("unit_id")
    assert not s.duplicated(["unit_id", "successor_id"]).any()
    per = s.groupby("unit_id").size()
    old = u.index[u.index.str.startswith("XC")]
    assert set(old) <= set(per.index)  # every old commune has a successor
    split = per[per > 1]
    assert len(split) == 3 and set(split) == {2}  # three old communes split between two new ones
    assert (s[s.unit_id.isin(split.index)].groupby("unit_id").primary.apply(lambda v: (v == "yes").sum()) == 1).all()
    assert not s.unit_id.isin(u.index[u.level == "huyen"]).any()  # districts end without successor
    assert dict(s[s.unit_id.isin(["TC34", "TB-S-NV"])].set_index("unit_id").successor_id) == {
        "TC34": "T33", "TB-S-NV": "S-NV"}
    assert s.loc[s.unit_id == "XC11950", "successor_id"].tolist() == ["X11983"]  # Lam Sơn -> Sơn Nam
    assert s.successor_id.map(u.valid_to).eq("").all()


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
    assert t["unit_successors"].unit_id.isin(units).all() and t["unit_successors"].successor_id.isin(units).all()


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
    assert set(t["evaluations"].year.astype(int)) <= set(range(2021, 2026))
    assert set(t["unit_reports"].year.astype(int)) == set(range(2022, 2027))
    assert set(t["unit_successors"].primary) <= {"yes", "no"}


def test_one_row_per_key(small) -> None:
    t = small[2]
    assert not t["evaluations"].duplicated(["cadre_id", "year"]).any()
    r = t["unit_reports"]
    assert not r.duplicated(["unit_id", "year"]).any()
    u = t["units"].set_index("unit_id")
    years = r.groupby("unit_id").year.agg(lambda y: sorted(map(int, y)))
    for uid, ys in years.items():  # every year the unit exists
        want = [y for y in range(2022, 2027) if (u.valid_to[uid] == "" or y <= 2025)
                and (u.valid_from[uid] == "" or y >= 2025)]
        assert ys == want, uid
    assert len(years) == len(u)
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
                assert d.min() >= pd.Timestamp("2021-01-01"), (name, col)
                assert d.max() <= AS_OF, (name, col)
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
    r = t["unit_reports"].merge(t["units"], on="unit_id")
    for col in ("rotation_plan_on", "planning_review_on"):
        done = r[r[col] != ""]
        assert (pd.to_datetime(done[col]).dt.year == done.year.astype(int)).all()
        assert ((done.valid_to == "") | (done[col] <= done.valid_to)).all()  # while the unit exists
        assert ((done.valid_from == "") | (done[col] >= done.valid_from)).all()


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


# ------------------------------------------------------------------------------------------ the reform
def _active(p: pd.DataFrame, day: pd.Timestamp = AS_OF) -> pd.DataFrame:
    added = pd.to_datetime(p.added_on)
    removed = pd.to_datetime(p.removed_on.replace("", None))
    return p[(added <= day) & (removed.isna() | (removed > day))]


def test_both_sides_of_the_reform(medium) -> None:
    t = medium
    u = t["units"].set_index("unit_id")
    p = t["planning"].assign(level=lambda d: d.unit_id.map(u.level), old=lambda d: d.unit_id.map(u.valid_to) != "")
    last_old = _active(p, REFORM - pd.Timedelta(days=1))
    assert (last_old.level == "huyen").sum() > 100  # district lists still active on 30/06/2025 ...
    assert (_active(p, REFORM).level == "huyen").sum() == 0  # ... and lapsed the next day
    now = _active(p)
    carried = now[now.old & (now.term == "2025-2030")]
    assert len(carried) > 0.2 * len(now)  # old commune and Thái Bình rows carried over
    new = now[~now.old & now.unit_id.str.match(r"^X\d")]
    assert len(new) > 0.2 * len(now) and (new.added_on >= "2025-08-01").all()
    typed_late = p[p.old & (p.added_on >= "2025-07-01")]
    after = p[p.added_on >= "2025-07-01"]
    assert 0.005 <= len(typed_late) / len(after) <= 0.05  # a register not yet migrated
    m = t["movements"].assign(old=lambda d: d.to_unit_id.map(u.valid_to) != "",
                              new=lambda d: d.to_unit_id.map(u.valid_from) != "")
    assert (m.date < "2021-01-01").sum() == 0 and (m.date <= "2025-06-30").mean() > 0.5
    assert not m[m.date <= "2025-06-30"].new.any()  # nobody moves to a unit that does not exist yet
    late = m[m.date >= "2025-07-01"]
    assert 0.005 <= late.old.mean() <= 0.05
    c = t["cadres"]
    stale = c.unit_id.map(u.valid_to) != ""
    assert 0.002 <= stale.mean() <= 0.03


def test_more_than_three_per_post_is_a_real_finding(medium) -> None:
    now = _active(medium["planning"])
    per_list = now.groupby(["unit_id", "post", "term"]).cadre_id.nunique()
    assert per_list.size > 1000
    over = per_list[per_list > 3]
    assert 10 <= len(over) <= 0.03 * per_list.size  # a few lists, in several units: not noise
    assert over.index.get_level_values(0).nunique() >= 5
    assert (per_list <= 3).mean() >= 0.97


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
    assert per_unit[levels[per_unit.index] == "tinh"].median() > 2 * per_unit[levels[per_unit.index] == "xa"].median()
    p = t["planning"]
    assert 0.18 <= _active(p).cadre_id.nunique() / n <= 0.35
    assert 0.3 <= (p.key_post == "1").mean() <= 0.6
    assert (p.groupby("cadre_id").term.nunique() == 2).sum() > 0.05 * p.cadre_id.nunique()
    e = t["evaluations"]
    assert 0.01 <= (e.rating == "not_completed").mean() <= 0.03
    assert e.cadre_id.nunique() > 0.9 * n
    m = t["movements"]
    assert 0.01 <= (m.out_of_level[m.kind == "appointment"] == "1").mean() <= 0.06


def test_units_differ_in_performance(tmp_path_factory) -> None:
    """On today's units, some communes clearly meet the planning targets and others are far behind."""
    from cadre_lib.indicators.engine import Engine
    from cadre_lib.params import load_params
    from cadre_lib.register.validate import load_register

    out = tmp_path_factory.mktemp("sample_perf")
    generate_sample(out, n_cadres=20000, seed=2024)
    t = Engine(load_register(out), load_params(None)).compute()
    xa = t[t.unit_id.str.match(r"^X\d") & (t.level == "all") & (t.denominator >= 10)].set_index(["indicator",
                                                                                                   "unit_id"])
    young, women = xa.loc["young_share_planning", "value"], xa.loc["female_share_planning", "value"]
    assert young.min() < 0.12 and young.max() >= 0.3
    assert women.min() < 0.25 and women.max() >= 0.45
