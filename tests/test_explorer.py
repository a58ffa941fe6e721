"""The analysts' explorer driven without a browser: set widget values, check the views' data.

Register: the hand-made one of test_indicators (P > D, H > X1, X2; reference date 30/06/2025).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import params
from test_indicators import CADRES

from cadre_lib import fmt
from cadre_lib.core.files import PROJECT_ROOT as ROOT
from cadre_lib.core.files import resolve_path
from cadre_lib.explorer import EMPTY_NOTE, Explorer, views
from cadre_lib.indicators.engine import Engine
from cadre_lib.indicators.registry import INDICATORS
from cadre_lib.register.validate import load_register
from cadre_lib.report.context import quarter_ends

AS_OF = dt.date(2025, 6, 30)
PNG = b"\x89PNG"


@pytest.fixture
def real_png():
    """Requested by the tests that look at the drawn charts; the others skip rasterising (figures are still
    built), which keeps this module fast."""


@pytest.fixture(autouse=True)
def _fast_png(request, monkeypatch):
    if "real_png" not in request.fixturenames:
        monkeypatch.setattr(views, "screen_png", lambda fig: PNG + b" not drawn")


@pytest.fixture
def engine(paths):
    reg, _ = paths
    return Engine(load_register(reg), params())


@pytest.fixture
def ex(paths, tmp_path, monkeypatch):
    monkeypatch.delenv("CADRE_AUDIENCE", raising=False)
    reg, pfile = paths
    return Explorer(reg, pfile, out_dir=tmp_path / "out")


def expected(engine: Engine, unit: str = "ALL", level: str = "all", as_of: dt.date = AS_OF) -> pd.DataFrame:
    t = engine.compute(as_of)
    return t[(t.unit_id == unit) & (t.level == level)].reset_index(drop=True)


def assert_scorecard(ex: Explorer, engine: Engine, unit: str, level: str = "all", as_of: dt.date = AS_OF) -> None:
    want = expected(engine, unit, level, as_of)
    got = ex.scorecard_frame
    assert list(got.indicator) == list(INDICATORS)
    assert list(got.numerator) == list(want.numerator)
    assert list(got.denominator) == list(want.denominator)
    assert list(got.status) == list(want.status)
    for r in want.itertuples():
        v = None if pd.isna(r.value) else float(r.value)
        assert fmt.share(v, int(r.numerator), int(r.denominator)) in ex.w_scorecard.value


def test_initial_scope_is_the_province(real_png, ex, engine):
    assert ex.note == ""
    assert ex.unit_id == "ALL" and ex.level == "all" and ex.as_of == AS_OF
    assert_scorecard(ex, engine, "ALL")
    html = ex.w_scorecard.value
    assert "60,0% (3/5)" in html  # young_share_planning at ALL: hand-computed in test_indicators
    assert "Toàn tỉnh" in html and "30/06/2025" in html
    assert set(ex.scorecard_frame.status_text) <= {"Đạt", "Gần đạt", "Chưa đạt", "Chưa có mục tiêu", "Không có số liệu"}
    row = ex.scorecard_frame.set_index("indicator").loc["out_of_level_appointments"]  # no target in the parameters
    assert row.status_text == "Chưa có mục tiêu" and row.target_text == "–"
    # one province root: the chart shows its children D and H
    assert set(ex.chart_frame.unit_id) == {"D", "H"}
    assert ex.w_chart.value[:8] == b"\x89PNG\r\n\x1a\n" and ex.w_trend.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_of_a_lower_is_better_indicator(real_png, ex):
    ex.w_indicator.value = "planning_out_of_standard"
    assert ex.note == "" and not ex.chart_frame.empty
    assert ex.w_chart.value[:8] == b"\x89PNG\r\n\x1a\n" and ex.w_trend.value[:8] == b"\x89PNG\r\n\x1a\n"
    values = ex.chart_frame.value.astype(float).tolist()
    assert values == sorted(values, reverse=True)  # the worst (highest) first


def test_indicator_dropdown_has_vietnamese_labels(ex):
    labels = [label for label, _ in ex.w_indicator.options]
    assert labels == [ind.label_vi for ind in INDICATORS.values()]


def test_scope_switch_changes_numbers_to_the_engine_values(ex, engine):
    ex.w_unit_level.value = "huyen"
    assert ex.unit_id == "H"
    assert_scorecard(ex, engine, "H")
    assert "50,0% (2/4)" in ex.w_scorecard.value
    assert set(ex.chart_frame.unit_id) == {"X1", "X2"}
    ex.w_unit_level.value = "xa"
    assert [v for _, v in ex.w_unit.options] == ["X1", "X2"]
    assert dict((v, k) for k, v in ex.w_unit.options)["X2"] == "Xã Phụng Công — Huyện Văn Giang"
    ex.w_unit.value = "X2"
    assert_scorecard(ex, engine, "X2")
    assert "50,0% (1/2)" in ex.w_scorecard.value
    assert ex.chart_frame.empty and "không có đơn vị trực thuộc" in ex.w_chart_note.value
    assert ex.select_unit("H") and ex.unit_id == "H" and ex.w_unit_level.value == "huyen"


def test_level_of_records(ex, engine):
    ex.w_level.value = "xa"
    assert_scorecard(ex, engine, "ALL", "xa")
    row = ex.scorecard_frame.set_index("indicator").loc["young_share_planning"]
    assert (row.numerator, row.denominator) == (1, 3)


def test_as_of_change_changes_numbers_and_is_cached(ex, engine):
    before = ex.scorecard_frame.copy()
    day = dt.date(2024, 12, 31)
    ex.w_as_of.value = day
    assert_scorecard(ex, engine, "ALL", "all", day)
    assert not before[["numerator", "denominator"]].equals(ex.scorecard_frame[["numerator", "denominator"]])
    calls = ex.compute_calls
    ex.w_as_of.value = AS_OF
    ex.w_as_of.value = day
    ex.w_unit_level.value = "huyen"
    assert ex.compute_calls == calls  # both dates and their trends already computed
    assert_scorecard(ex, engine, "H", "all", day)


def test_trend_at_quarter_ends(ex, engine):
    ex.w_indicator.value = "female_share_planning"
    ex.select_unit("H")
    p = params()
    days = quarter_ends(p.period_start, AS_OF)
    assert [d.date() for d in ex.trend_frame.date] == days
    for day, n, d in zip(days, ex.trend_frame.numerator, ex.trend_frame.denominator, strict=True):
        want = expected(engine, "H", "all", day).set_index("indicator").loc["female_share_planning"]
        assert (n, d) == (want.numerator, want.denominator)
    last = ex.scorecard_frame.set_index("indicator").loc["female_share_planning"]
    assert ex.trend_frame.iloc[-1].numerator == last.numerator


def test_drilldown_is_the_engine_explanation(ex, engine):
    ex.select_unit("H")
    want = engine.explain("young_share_planning", "H", "all", as_of=AS_OF)
    assert list(ex.table.cadre_id) == list(want.cadre_id)
    assert "full_name" in ex.table.columns and "Họ và tên" in ex.w_table.value
    ex.w_missing.value = True
    assert list(ex.table.cadre_id) == list(engine.explain("young_share_planning", "H", missing=True, as_of=AS_OF)
                                           .cadre_id)
    ex.w_indicator.value = "young_share_leaders"  # the cadres table: duplicate columns are dropped
    assert not ex.table.columns.duplicated().any()


def test_leadership_sees_no_personal_data(ex, engine):
    names = [r[1] for r in CADRES]
    for indicator in ("young_share_planning", "young_share_appointment", "young_share_leaders",
                      "evaluated_before_planning"):
        ex.w_indicator.value = indicator
        ex.w_audience.value = "leadership"
        assert ex.note == ""
        for col in ("full_name", "cadre_id", "birth_date", "age"):
            assert col not in ex.table.columns, (indicator, col)
        shown = ex.w_table.value + ex.w_scorecard.value
        assert not any(n in shown for n in names), indicator
        rec = ex.scorecard_frame.set_index("indicator").loc[indicator]
        if indicator != "young_share_planning":  # people counted once each: per person, located at their unit
            assert ex.table.n_total.sum() == rec.denominator
            assert ex.table.n_in_numerator.sum() == rec.numerator
        ex.w_audience.value = "analyst"
        assert "full_name" in ex.table.columns


def test_audience_locked_by_environment(paths, tmp_path, monkeypatch):
    monkeypatch.setenv("CADRE_AUDIENCE", "leadership")
    ex = Explorer(*paths, audience="analyst", out_dir=tmp_path)  # the deployment's setting wins
    assert ex.audience == "leadership" and ex.w_audience.disabled
    assert "full_name" not in ex.table.columns


def test_search_by_name(ex, engine):
    ex.w_search.value = "phung cong"  # without diacritics
    assert [v for _, v in ex.w_unit.options] == ["X2"]
    assert_scorecard(ex, engine, "X2")
    ex.w_search.value = "văn giang"  # a district finds its communes too
    assert [v for _, v in ex.w_unit.options] == ["H", "X1", "X2"]
    ex.w_search.value = "không có"
    assert ex.unit_id is None
    assert "Không tìm thấy đơn vị" in ex.note and "không có" in ex.note
    assert ex.scorecard_frame.empty and ex.table.empty and ex.w_scorecard.value == ""
    ex.w_search.value = ""
    assert ex.unit_id == "ALL" and ex.note == ""


def test_unknown_unit_shows_a_note(ex):
    assert not ex.select_unit("NOPE")
    assert "Không có đơn vị mã “NOPE”" in ex.note
    assert "Traceback" not in ex.w_note.value
    assert ex.scorecard_frame.empty and ex.chart_frame.empty and ex.trend_frame.empty and ex.table.empty
    assert ex.save_excel() is None and ex.save_png() == []
    ex.w_unit_level.value = "huyen"
    assert ex.note == "" and ex.unit_id == "H"


def test_empty_scope_shows_a_note(ex):
    ex.select_unit("D")
    ex.w_level.value = "xa"  # a department has no communes
    assert EMPTY_NOTE in ex.note
    assert EMPTY_NOTE in ex.w_scorecard.value
    assert (ex.scorecard_frame.denominator == 0).all()
    assert set(ex.scorecard_frame.status_text) == {"Không có số liệu", "Chưa có mục tiêu"}
    assert ex.chart_frame.empty and ex.table.empty


def test_date_before_the_period_shows_a_note(ex):
    ex.w_as_of.value = dt.date(2020, 1, 1)
    assert "trước ngày đầu kỳ" in ex.note and ex.scorecard_frame.empty
    ex.w_as_of.value = None
    assert "Chọn ngày số liệu" in ex.note


def test_bad_paths_show_vietnamese_notes(paths, tmp_path, make_register):
    reg, pfile = paths
    ex = Explorer(tmp_path / "missing", pfile, out_dir=tmp_path)
    assert "Không tìm thấy thư mục hoặc tệp dữ liệu" in ex.note and ex.engine is None
    ex = Explorer(reg, tmp_path / "missing.yaml", out_dir=tmp_path)
    assert "Không tìm thấy tệp tham số" in ex.note
    bad_params = tmp_path / "bad.yaml"
    bad_params.write_text("as_of: 2025-06-31\nyoung_age_under: {tinh: 40}\n", encoding="utf-8")
    ex.w_params.value = str(bad_params)
    assert not ex.load()
    assert "Tệp tham số" in ex.note and "không hợp lệ" in ex.note and "as_of" in ex.note
    broken = make_register(cadres=[["c1", "A", "Nam", "hôm qua", "X1", "", "", ""]])
    assert not ex.load(broken, pfile)
    assert "chưa dùng được" in ex.note and "birth_date" in ex.note and "row 2" in ex.note
    assert ex.scorecard_frame.empty
    ex.w_data.value = str(reg)
    ex.w_load.click()
    assert ex.note == "" and not ex.scorecard_frame.empty


def test_save_excel_and_png(real_png, ex, tmp_path):
    ex.select_unit("H")
    ex.w_save_xlsx.click()
    (xlsx,) = ex.saved
    assert xlsx.parent == tmp_path / "out" and xlsx.suffix == ".xlsx" and xlsx.exists()
    assert str(xlsx) in ex.w_saved.value
    sheet = pd.read_excel(xlsx, sheet_name="Danh sách", engine="openpyxl")
    assert len(sheet) == len(ex.table) and "Họ và tên" in sheet.columns
    info = pd.read_excel(xlsx, sheet_name="Thông tin", engine="openpyxl")
    assert "Huyện Văn Giang" in set(info["Giá trị"])
    ex.w_save_png.click()
    pngs = ex.saved
    assert len(pngs) == 2 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert all(str(p) in ex.w_saved.value for p in pngs)
    other = ex.save_excel(tmp_path / "elsewhere")
    assert other is not None and other.parent == tmp_path / "elsewhere" and other != xlsx


def test_leadership_excel_has_no_names(ex, tmp_path):
    ex.w_audience.value = "leadership"
    path = ex.save_excel()
    assert path is not None
    text = " ".join(map(str, pd.read_excel(path, sheet_name="Danh sách", engine="openpyxl").to_numpy().ravel()))
    assert not any(r[1] in text for r in CADRES)


def test_default_paths_resolve_from_the_project_root(tmp_path, monkeypatch):
    for var in ("CADRE_DATA", "CADRE_PARAMS", "CADRE_EXPLORER_OUT", "CADRE_AUDIENCE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # as a notebook kernel in notebooks/ would
    ex = Explorer(load=False)
    assert ex.data_path == ROOT / "data" / "sample"
    assert ex.params_path == ROOT / "parameters" / "default.yaml"
    assert ex.out_dir == ROOT / "reports" / "explorer"
    assert "Tải dữ liệu" in ex.note
    monkeypatch.setenv("CADRE_DATA", str(tmp_path / "reg"))
    assert Explorer(load=False).data_path == tmp_path / "reg"
    assert resolve_path("/abs/x") == Path("/abs/x")


def test_notebook_is_stored_without_outputs():
    nb = json.loads((ROOT / "notebooks" / "explore.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert "Explorer()" in "".join("".join(c["source"]) for c in code)


def test_widget_is_displayable(ex):
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
