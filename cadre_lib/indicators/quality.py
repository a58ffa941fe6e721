"""Data quality of a valid register: completeness, outliers and inconsistencies that do not block the
indicators but deserve a look. Findings carry counts and spreadsheet rows, never names."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cadre_lib.indicators.engine import age_at
from cadre_lib.params import Params
from cadre_lib.register.arrowtext import isin, lookup
from cadre_lib.register.boundaries import outside_validity
from cadre_lib.register.contract import tables
from cadre_lib.register.validate import TABLE_ORDER, Register


@dataclass
class Finding:
    check: str  # short id
    label_vi: str
    label_en: str
    table: str
    count: int
    rows: list[int] = field(default_factory=list)  # first spreadsheet rows concerned

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en


@dataclass
class QualityReport:
    rows: dict[str, int]
    sources: dict[str, str]
    warnings: list[str]
    completeness: pd.DataFrame  # table, column, filled, total, share
    by_unit: pd.DataFrame  # unit_id, name, level, cadres, planned, planned_not_evaluated, share_evaluated_last_year
    findings: list[Finding]

    @property
    def issue_count(self) -> int:
        return sum(f.count for f in self.findings)


#: The data contract v2 checks (:func:`_boundary_findings`): unplaced items on as_of's units, units outside their
#: validity. The data-quality report shows them in a section of their own.
BOUNDARY_CHECKS = ("unplaced_cadres", "unplaced_planning", "unplaced_movements", "cadre_unit_not_valid",
                   "planning_unit_outside_validity", "movement_unit_outside_validity")


def _finding(check: str, vi: str, en: str, table: str, frame: pd.DataFrame, mask: np.ndarray | pd.Series
             ) -> Finding:
    m = np.asarray(mask, dtype=bool)
    rows = frame["_row"].to_numpy()[m]
    return Finding(check, vi, en, table, int(m.sum()), [int(r) for r in rows[:20]])


def assess(reg: Register, params: Params) -> QualityReport:
    as_of = params.as_of
    h = reg.hierarchy
    comp = []
    for name in TABLE_ORDER:
        frame = reg.table(name)
        if name == "unit_successors" and frame.empty:
            continue
        for col in tables()[name].columns.values():
            if not col.nullable or col.type == "bool":
                continue
            if name == "units" and col.name in ("valid_from", "valid_to") and not h.has_validity:
                continue  # a v1 register: units never end
            total = len(frame)
            filled = int(frame[col.name].notna().sum()) if total else 0
            comp.append({"table": name, "column": col.name, "filled": filled, "total": total,
                         "share": filled / total if total else None})
    completeness = pd.DataFrame(comp)

    cad, pl, ev, mv, tr = reg.cadres, reg.planning, reg.evaluations, reg.movements, reg.training
    birth_by_id = cad.set_index("cadre_id")["birth_date"]
    ages = age_at(cad["birth_date"], as_of)
    findings = [
        _finding("age_under_18", "Cán bộ dưới 18 tuổi", "Cadres under 18", "cadres", cad, ages < 18),
        _finding("age_over_65", "Cán bộ trên 65 tuổi", "Cadres over 65", "cadres", cad, ages > 65),
    ]
    mv_birth = birth_by_id.reindex(mv["cadre_id"]).to_numpy()
    findings.append(_finding("movement_before_18", "Điều động, bổ nhiệm trước 18 tuổi",
                             "Movements before age 18", "movements", mv,
                             (age_at(mv_birth, mv["date"]) < 18) if len(mv) else np.zeros(0, bool)))
    tr_birth = birth_by_id.reindex(tr["cadre_id"]).to_numpy()
    done = tr["completed_on"].notna().to_numpy()
    young_train = np.zeros(len(tr), bool)
    if done.any():
        young_train[done] = age_at(tr_birth[done], tr["completed_on"][done]) < 18
    findings.append(_finding("training_before_18", "Hoàn thành khóa học trước 18 tuổi",
                             "Course completed before age 18", "training", tr, young_train))
    active = (pl["added_on"] <= pd.Timestamp(as_of)) & (pl["removed_on"].isna() | (pl["removed_on"] >
                                                                                    pd.Timestamp(as_of)))
    act = pl.loc[active & pl["term"].isin(params.terms)]
    evaluated = ev["cadre_id"].unique()
    first_rows = act.drop_duplicates("cadre_id")
    findings.append(_finding("planned_never_evaluated", "Cán bộ trong quy hoạch chưa có kết quả đánh giá",
                             "Planned cadres never evaluated", "planning",
                             first_rows, ~isin(first_rows["cadre_id"], evaluated)))
    ur = reg.unit_reports
    current = h.valid_on(as_of)  # the units of as_of (every unit of a v1 register)
    missing_ur = ~isin(reg.units["unit_id"], ur.loc[ur["year"] == as_of.year, "unit_id"].unique()) & current
    findings.append(_finding("unit_report_missing", f"Đơn vị chưa có báo cáo năm {as_of.year}",
                             f"Units without a {as_of.year} report", "units", reg.units, missing_ur))
    if h.has_validity:
        findings += _boundary_findings(reg, params, act)

    last_year = as_of.year - 1
    ev_last = ev.loc[ev["year"] == last_year, "cadre_id"].unique()
    units_now = reg.units.loc[current]
    by_unit = pd.DataFrame({
        "unit_id": units_now["unit_id"],
        "name": units_now["name"],
        "level": units_now["level"],
    }).set_index("unit_id")
    by_unit["cadres"] = cad.groupby("unit_id").size().reindex(by_unit.index, fill_value=0)
    by_unit["evaluated_last_year"] = (
        cad.loc[isin(cad["cadre_id"], ev_last)].groupby("unit_id").size().reindex(by_unit.index, fill_value=0)
    )
    by_unit["planned"] = act.groupby("unit_id")["cadre_id"].nunique().reindex(by_unit.index, fill_value=0)
    not_eval = act.loc[~isin(act["cadre_id"], evaluated)]
    by_unit["planned_never_evaluated"] = (
        not_eval.groupby("unit_id")["cadre_id"].nunique().reindex(by_unit.index, fill_value=0)
    )
    by_unit["share_evaluated_last_year"] = np.where(
        by_unit["cadres"] > 0, by_unit["evaluated_last_year"] / by_unit["cadres"].where(by_unit["cadres"] > 0, 1),
        np.nan)
    return QualityReport(
        rows={n: int(len(reg.table(n))) for n in TABLE_ORDER},
        sources=dict(reg.sources),
        warnings=list(reg.warnings),
        completeness=completeness,
        by_unit=by_unit.reset_index(),
        findings=findings,
    )


def _boundary_findings(reg: Register, params: Params, active_planning: pd.DataFrame) -> list[Finding]:
    """Data contract v2: items that cannot be placed on as_of's units (they count in the province total
    only) and rows that name a unit on a date outside its validity."""
    as_of = params.as_of
    h = reg.hierarchy
    place = h.place(as_of)
    cad, mv, pl = reg.cadres, reg.movements, reg.planning
    window = ((mv["date"] >= pd.Timestamp(params.period_start)) & (mv["date"] <= pd.Timestamp(as_of))).to_numpy()
    mv_win = mv.loc[window]

    def unplaced(ids: pd.Series) -> np.ndarray:
        pos = lookup(ids, h.unit_ids)
        out: np.ndarray = (pos >= 0) & (place[np.maximum(pos, 0)] < 0)
        return out

    day = as_of.strftime("%d/%m/%Y")
    out = [
        _finding("unplaced_cadres", f"Cán bộ thuộc đơn vị đã kết thúc, không có đơn vị kế thừa vào ngày {day} "
                 "(chỉ tính vào toàn tỉnh)", f"Cadres on a unit with no successor valid on {as_of} (province total "
                 "only)", "cadres", cad, unplaced(cad["unit_id"])),
        _finding("unplaced_planning", f"Dòng quy hoạch đang hiệu lực thuộc đơn vị không có đơn vị kế thừa vào ngày "
                 f"{day} (chỉ tính vào toàn tỉnh)", f"Active planning rows on a unit with no successor valid on "
                 f"{as_of} (province total only)", "planning", active_planning,
                 unplaced(active_planning["unit_id"])),
        _finding("unplaced_movements", f"Lượt điều động, bổ nhiệm trong kỳ đến đơn vị không có đơn vị kế thừa vào "
                 f"ngày {day} (chỉ tính vào toàn tỉnh)", f"Movements of the window to a unit with no successor valid "
                 f"on {as_of} (province total only)", "movements", mv_win, unplaced(mv_win["to_unit_id"])),
        _finding("cadre_unit_not_valid", f"Cán bộ còn ghi đơn vị đã kết thúc hoặc chưa thành lập vào ngày {day}",
                 f"Cadres whose unit is not valid on {as_of}", "cadres", cad,
                 outside_validity(reg.units, cad["unit_id"], pd.Series(pd.Timestamp(as_of), index=cad.index))),
        _finding("planning_unit_outside_validity", "Dòng quy hoạch ghi đơn vị ngoài thời gian tồn tại của đơn vị "
                 "(ngày đưa vào quy hoạch)", "Planning rows naming a unit outside its validity (added_on)",
                 "planning", pl, outside_validity(reg.units, pl["unit_id"], pl["added_on"])),
        _finding("movement_unit_outside_validity", "Lượt điều động, bổ nhiệm ghi đơn vị đến ngoài thời gian tồn tại "
                 "của đơn vị", "Movements naming a to_unit outside its validity", "movements", mv,
                 outside_validity(reg.units, mv["to_unit_id"], mv["date"])),
    ]
    return out
