"""Vietnam's administrative units before and after the 01/7/2025 reform, as ``units`` + ``unit_successors``
tables of data contract v2.

Source: the MIT-licensed PyPI package ``vietnamadminunits`` (1.0.4), an optional extra
(``pip install 'cadre-monitor[admin]'``). Only its data files are read: the SQLite ``data/dataset.db`` (tables
``admin_units_legacy``: 63 provinces, districts, communes before 7/2025; ``admin_units``: 34 provinces and their
communes and wards from 7/2025) and ``data/converter_2025.json`` (the official old -> new commune map:
``DICT_PROVINCE_WARD_NO_DIVIDED`` new ward -> old wards, ``DICT_PROVINCE_WARD_DIVIDED`` old ward split between
several new ones, one of them ``isDefaultNewWard``). The package's Python modules are never imported: its
address conversion geocodes over the network when given street text.

Unit ids (documented in docs/data-contract.md):

- ``T<code>`` the province as it is today (the old province of the same key continues as it);
- ``TC<code>`` an old province merged into it (valid to 30/06/2025, successor ``T<code>``);
- ``H<code>`` an old district-level unit (valid to 30/06/2025, no successor);
- ``XC<code>`` an old commune, ward or township (valid to 30/06/2025, successors: the new commune(s));
- ``X<code>`` a commune or ward from 01/7/2025 (valid from 01/7/2025).

The shipped units of the new Hưng Yên (``cadre_lib/register/data/hung_yen/``) were written by
``python -m cadre_lib admin-units --province 33 --out cadre_lib/register/data/hung_yen``.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from cadre_lib.errors import UsageError
from cadre_lib.register.contract import fold

PACKAGE = "vietnamadminunits"
PACKAGE_VERSION = "1.0.4"
LAST_OLD_DAY = "2025-06-30"
FIRST_NEW_DAY = "2025-07-01"
UNIT_COLUMNS = ["unit_id", "name", "level", "parent_id", "valid_from", "valid_to"]
SUCCESSOR_COLUMNS = ["unit_id", "successor_id", "primary"]
SHIPPED = "hung_yen"  # cadre_lib/register/data/<SHIPPED>/


@dataclass(frozen=True)
class AdminUnits:
    """``units`` and ``unit_successors`` tables (text cells, contract v2 headers) of one new province."""

    province: str
    code: str
    units: pd.DataFrame
    successors: pd.DataFrame

    def write(self, out: Path) -> list[Path]:
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "units.csv", out / "unit_successors.csv"]
        self.units.to_csv(paths[0], index=False, encoding="utf-8", lineterminator="\n")
        self.successors.to_csv(paths[1], index=False, encoding="utf-8", lineterminator="\n")
        return paths


def package_data_dir() -> Path:
    """The ``data/`` folder of the installed package, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(f"the package {PACKAGE} is not installed: pip install 'cadre-monitor[admin]' "
                         f"(or pip install {PACKAGE}=={PACKAGE_VERSION})")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (data / "dataset.db").exists() or not (data / "converter_2025.json").exists():
        raise UsageError(f"{data} does not hold dataset.db and converter_2025.json (package {PACKAGE} "
                         f"{PACKAGE_VERSION} expected)")
    return data


def provinces(data: Path | None = None) -> pd.DataFrame:
    """The 34 provinces from 01/7/2025: code, name, key."""
    data = data or package_data_dir()
    with sqlite3.connect(data / "dataset.db") as con:
        return pd.read_sql_query(
            "SELECT DISTINCT provinceCode AS code, province AS name, provinceKey AS key FROM admin_units "
            "ORDER BY provinceCode", con)


def _find_province(wanted: str, table: pd.DataFrame) -> pd.Series:
    w = fold(wanted).replace(" ", "")
    for _, row in table.iterrows():
        names = {row["code"], row["code"].lstrip("0"), fold(row["name"]).replace(" ", ""), row["key"],
                 fold(str(row["name"]).replace("Tỉnh ", "").replace("Thành phố ", "")).replace(" ", "")}
        if w in names:
            return row
    known = ", ".join(f"{r.code} {r.name}" for r in table.itertuples())
    raise UsageError(f"unknown province {wanted!r}; the 34 provinces from 01/7/2025: {known}")


def build(province: str, data: Path | None = None) -> AdminUnits:
    """The units of one province of today (code ``33``, name ``Hưng Yên`` or key) with the old units it
    was formed from, their validity dates and the official old -> new map."""
    data = data or package_data_dir()
    row = _find_province(province, provinces(data))
    code, new_key, new_name = str(row["code"]), str(row["key"]), str(row["name"])
    conv = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    old_keys: list[str] = list(conv["DICT_PROVINCE"][new_key])
    with sqlite3.connect(data / "dataset.db") as con:
        marks = ",".join("?" * len(old_keys))
        legacy = pd.read_sql_query(
            "SELECT province, provinceCode, provinceKey, district, districtCode, districtKey, ward, wardCode, wardKey "
            f"FROM admin_units_legacy WHERE provinceKey IN ({marks}) ORDER BY provinceCode, districtCode, wardCode",
            con, params=old_keys)
        new = pd.read_sql_query(
            "SELECT ward, wardCode, wardKey FROM admin_units WHERE provinceKey = ? ORDER BY wardCode", con,
            params=[new_key])
    root = f"T{code}"
    units: list[list[str]] = [[root, new_name, "tinh", "", "", ""]]
    succ: list[list[str]] = []
    prov_id: dict[str, str] = {}
    for pkey, p in legacy.groupby("provinceKey", sort=False):
        first = p.iloc[0]
        if pkey == new_key:
            prov_id[str(pkey)] = root
            continue
        pid = f"TC{first['provinceCode']}"
        prov_id[str(pkey)] = pid
        units.append([pid, str(first["province"]), "tinh", "", "", LAST_OLD_DAY])
        succ.append([pid, root, "yes"])
    districts = legacy.drop_duplicates("districtCode")
    for d in districts.itertuples():
        units.append([f"H{d.districtCode}", str(d.district), "huyen", prov_id[str(d.provinceKey)], "", LAST_OLD_DAY])
    wards = legacy.loc[legacy["wardCode"].notna() & (legacy["wardCode"] != "")]
    for w in wards.itertuples():
        units.append([f"XC{w.wardCode}", str(w.ward), "xa", f"H{w.districtCode}", "", LAST_OLD_DAY])
    for w in new.itertuples():
        units.append([f"X{w.wardCode}", str(w.ward), "xa", root, FIRST_NEW_DAY, ""])
    # old key "province_district_ward" (ward blank for island districts without communes) -> old unit id
    old_id: dict[str, str] = {}
    for r in legacy.itertuples():
        if r.wardKey:
            old_id[f"{r.provinceKey}_{r.districtKey}_{r.wardKey}"] = f"XC{r.wardCode}"
        old_id.setdefault(f"{r.provinceKey}_{r.districtKey}_", f"H{r.districtCode}")
    new_id = {str(w.wardKey): f"X{w.wardCode}" for w in new.itertuples()}
    for new_ward, olds in conv["DICT_PROVINCE_WARD_NO_DIVIDED"].get(new_key, {}).items():
        for old in olds:
            succ.append([old_id[old], new_id[new_ward], "yes"])
    for old, options in conv["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {}).items():
        for opt in options:
            succ.append([old_id[old], new_id[opt["newWardKey"]], "yes" if opt["isDefaultNewWard"] else "no"])
    u = pd.DataFrame(units, columns=UNIT_COLUMNS)
    s = pd.DataFrame(succ, columns=SUCCESSOR_COLUMNS)
    # an island district without communes that became a special zone ends with that successor: fine;
    # every other district-level unit ends without successor.
    order = {uid: i for i, uid in enumerate(u["unit_id"])}
    s = s.drop_duplicates(["unit_id", "successor_id"]).sort_values(
        ["unit_id", "successor_id"], key=lambda c: c.map(order)).reset_index(drop=True)
    return AdminUnits(new_name, code, u, s)


def shipped_dir() -> Path:
    return Path(str(resources.files("cadre_lib").joinpath("register", "data", SHIPPED)))


def shipped() -> AdminUnits:
    """The units of the new Hưng Yên derived from ``vietnamadminunits`` 1.0.4 and shipped with cadre-monitor
    (no need for the package)."""
    folder = shipped_dir()
    opts = {"dtype": str, "keep_default_na": False, "encoding": "utf-8"}
    u = pd.read_csv(folder / "units.csv", **opts)  # type: ignore[call-overload]
    s = pd.read_csv(folder / "unit_successors.csv", **opts)  # type: ignore[call-overload]
    return AdminUnits(str(u.iloc[0]["name"]), str(u.iloc[0]["unit_id"])[1:], u, s)
