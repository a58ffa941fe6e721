"""The explorer's model alone: no widget, no matplotlib.

Register: the hand-made one of test_indicators (P > D, H > X1, X2; reference date 30/06/2025); the expected
numerators and denominators are the ones worked out by hand there.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest
from test_indicators import CADRES

from cadre_lib.core.files import PROJECT_ROOT
from cadre_lib.explorer import views
from cadre_lib.explorer.model import (
    AGGREGATE_COLUMNS,
    EMPTY_NOTE,
    ExplorerModel,
    Note,
    Selection,
    choose_audience,
    level_label,
    readable,
)

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def model(paths):
    m = ExplorerModel()
    assert m.load(*paths) is None
    return m


def row(model: ExplorerModel, indicator: str) -> pd.Series:
    return model.scorecard_frame.set_index("indicator").loc[indicator]


def test_the_model_imports_no_widget_and_no_matplotlib():
    code = ("import sys, json; import cadre_lib.explorer.model, cadre_lib.explorer; "
            "print(json.dumps([m for m in ('ipywidgets', 'matplotlib') if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert json.loads(out.stdout) == []


def test_load_problems_are_notes(paths, tmp_path):
    reg, pfile = paths
    m = ExplorerModel()
    problem = m.load(reg, tmp_path / "missing.yaml")
    assert isinstance(problem, Note) and problem.text.startswith("Không tìm thấy tệp tham số")
    problem = m.load(tmp_path / "missing", pfile)
    assert problem is not None and problem.text.startswith("Không tìm thấy thư mục hoặc tệp dữ liệu")
    assert m.engine is None and m.register is None


def test_scorecard_of_a_selection(model):
    assert model.select(Selection("ALL", "all", AS_OF)) is None
    r = row(model, "young_share_planning")
    assert (r.numerator, r.denominator, r.result) == (3, 5, "60,0% (3/5)")
    assert row(model, "out_of_level_appointments").status_text == "Chưa có mục tiêu"  # no target set
    assert model.select(Selection("H", "all", AS_OF)) is None
    assert row(model, "young_share_planning").result == "50,0% (2/4)"
    assert model.select(Selection("ALL", "xa", AS_OF)) is None
    assert (row(model, "young_share_planning").numerator, row(model, "young_share_planning").denominator) == (1, 3)


def test_records_are_computed_once_per_date(model):
    model.select(Selection("ALL", "all", AS_OF))
    calls = model.compute_calls
    model.select(Selection("H", "xa", AS_OF))
    model.select(Selection("X1", "all", AS_OF))
    assert model.compute_calls == calls


def test_selections_without_numbers(model):
    note = model.select(Selection("ALL", "all", dt.date(2020, 1, 1)))
    assert note is not None and "trước ngày đầu kỳ" in note.text and model.scorecard_frame.empty
    note = model.select(Selection("ALL", "all", None))
    assert note is not None and "Chọn ngày số liệu" in note.text
    note = model.select(Selection("D", "xa", AS_OF))  # a department has no communes
    assert note is not None and note.text.startswith(f"{EMPTY_NOTE}: Sở Nội vụ không có cấp xã")
    assert len(model.scorecard_frame) and (model.scorecard_frame.denominator == 0).all()
    assert set(model.scorecard_frame.status_text) == {"Không có số liệu", "Chưa có mục tiêu"}


def test_chart_frame_children_lagging_first(model):
    model.select(Selection("ALL", "all", AS_OF))
    assert set(model.chart_frame().unit_id) == {"D", "H"}  # one province root: its children
    model.select(Selection("H", "all", AS_OF))
    f = model.chart_frame()
    assert list(f.unit_id) == ["X1", "X2"]  # 0/1 before 1/2
    assert list(zip(f.numerator, f.denominator, strict=True)) == [(0, 1), (1, 2)]
    assert list(f.name) == ["Xã Xuân Quan", "Xã Phụng Công"]
    model.select(Selection("X2", "all", AS_OF))
    assert model.chart_frame().empty and model.children("X2") == []


def test_trend_frame_at_quarter_ends(model):
    model.select(Selection("ALL", "all", AS_OF))
    t = model.trend_frame()
    assert [d.date() for d in t.date] == [dt.date(2024, 3, 31), dt.date(2024, 6, 30), dt.date(2024, 9, 30),
                                          dt.date(2024, 12, 31), dt.date(2025, 3, 31), dt.date(2025, 6, 30)]
    assert (t.iloc[-1].numerator, t.iloc[-1].denominator) == (3, 5)


def test_drilldown_by_audience(model):
    names = {r[1] for r in CADRES}
    model.select(Selection("H", "all", AS_OF, "young_share_planning", "analyst"))
    d = model.drilldown()
    assert (d.n_total, d.n_in_numerator) == (4, 2)
    assert "full_name" in d.table.columns and set(d.table.full_name) <= names
    model.select(Selection("H", "all", AS_OF, "young_share_planning", "leadership"))
    lead = model.drilldown()
    assert list(lead.table.columns) == AGGREGATE_COLUMNS
    assert (lead.n_total, lead.n_in_numerator) == (4, 2)
    shown = " ".join(map(str, lead.table.to_numpy().ravel()))
    assert not any(n in shown for n in names)


def test_unit_choices(model):
    assert model.unit_choices("ALL") == [("Toàn tỉnh", "ALL")]
    assert model.unit_choices("xa") == [("Xã Xuân Quan — Huyện Văn Giang", "X1"),
                                        ("Xã Phụng Công — Huyện Văn Giang", "X2")]
    assert [v for _, v in model.unit_choices("ALL", "phung cong")] == ["X2"]
    assert [v for _, v in model.unit_choices("ALL", "toan")] == ["ALL"]
    assert model.unit_levels() == ["tinh", "huyen", "xa"]
    assert model.knows("X1") and model.knows("ALL") and not model.knows("NOPE")
    assert model.unit_level("X1") == "xa" and model.scope_name("H") == "Huyện Văn Giang"


@pytest.mark.parametrize("asked,lock,env,expected", [
    (None, False, "", ("analyst", False)),
    ("leadership", False, "", ("leadership", False)),
    ("analyst", False, "leadership", ("leadership", True)),  # the deployment's setting wins
    (None, False, "analyst", ("analyst", False)),
    ("boss", True, "", ("leadership", True)),  # unknown: the safe audience
])
def test_choose_audience(asked, lock, env, expected):
    assert choose_audience(asked, lock, env) == expected


def test_readable_values_and_headers():
    f = pd.DataFrame({"full_name": ["A"], "gender": ["nu"], "is_leader": [True],
                      "birth_date": pd.to_datetime(["1991-06-30"]), "n_total": [3]})
    out = readable(f)
    assert list(out.columns) == ["Họ và tên", "Giới tính", "Lãnh đạo", "Ngày sinh", "Số trường hợp"]
    assert out.iloc[0].tolist() == ["A", "Nữ", "Có", "30/06/1991", 3]
    assert readable(f, for_excel=True).iloc[0]["Ngày sinh"] == dt.date(1991, 6, 30)
    assert level_label("xa") == "Cấp xã" and level_label("ALL") == level_label("all") == "Tất cả các cấp"


def test_note_html_and_plain_text():
    text = views.message(Note("Sai <dữ liệu>", "- dòng 2\n\n- dòng 3"))
    assert text == "<div class='cadre-msg'>Sai &lt;dữ liệu&gt;<pre>- dòng 2\n\n- dòng 3</pre></div>"
    assert views.plain(text) == "Sai <dữ liệu>\n- dòng 2\n- dòng 3"
    assert views.message("") == ""

