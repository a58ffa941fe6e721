"""The administrative units of the 34 provinces from vietnamadminunits' data files (a dev dependency), and the
shipped units of the new Hưng Yên that the sample register stands on.

Public facts (Nghị quyết 202/2025/QH15 and the provinces' own resolutions; ../shared/README.md): the new Hưng Yên
has 104 communes and wards from 01/7/2025, old Hưng Yên had 10 district-level units and 139 communes, Thái Bình
8 and 242, and three old communes are split between two new ones. Hà Nội has 126 communes and wards.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cadre_lib.register import admin_units


@pytest.fixture(scope="module")
def hung_yen() -> admin_units.AdminUnits:
    return admin_units.build("33")


def test_new_hung_yen_counts(hung_yen: admin_units.AdminUnits) -> None:
    u = hung_yen.units
    new = u[u["unit_id"].str.startswith("X") & ~u["unit_id"].str.startswith("XC")]
    old = u[u["unit_id"].str.startswith("XC")]
    districts = u[u["unit_id"].str.startswith("H")]
    assert len(new) == 104
    assert (new["valid_from"] == "2025-07-01").all() and (new["valid_to"].fillna("") == "").all()
    assert len(old) == 139 + 242 and (old["valid_to"] == "2025-06-30").all()
    assert len(districts) == 10 + 8 and (districts["valid_to"] == "2025-06-30").all()
    # Thái Bình (TC34) ends and continues as Hưng Yên (T33)
    s = hung_yen.successors
    assert s[s["unit_id"] == "TC34"]["successor_id"].tolist() == ["T33"]


def test_three_old_communes_split_with_one_primary(hung_yen: admin_units.AdminUnits) -> None:
    s = hung_yen.successors
    communes = s[s["unit_id"].str.startswith("XC")]
    per = communes.groupby("unit_id")["successor_id"].nunique()
    split = per[per > 1].index
    assert len(split) == 3 and (per[split] == 2).all()
    prim = communes[communes["unit_id"].isin(split)].groupby("unit_id")["primary"].apply(
        lambda x: int((x.str.lower() == "yes").sum()))
    assert (prim == 1).all()
    units = hung_yen.units
    assert set(communes["unit_id"]) == set(units.loc[units["unit_id"].str.startswith("XC"), "unit_id"])


def test_the_shipped_files_are_a_rebuild(tmp_path: Path, hung_yen: admin_units.AdminUnits) -> None:
    hung_yen.write(tmp_path)
    for name in ("units.csv", "unit_successors.csv"):
        assert (tmp_path / name).read_bytes() == (admin_units.shipped_dir() / name).read_bytes(), name


def test_command_for_another_province(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "cadre_lib", "admin-units", "--province", "Hà Nội", "--out",
                        str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    units = pd.read_csv(tmp_path / "units.csv", dtype=str)
    new = units[units["unit_id"].str.match(r"^X\d")]
    assert len(new) == 126


def test_unknown_province_is_a_clear_error(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "cadre_lib", "admin-units", "--province", "Atlantis", "--out",
                        str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "Atlantis" in r.stderr
