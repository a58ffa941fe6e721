"""The report notebooks: papermill parameters, vanilla papermill runs, leadership output without names."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from cadre_lib.register.sample import generate_sample
from cadre_lib.render import to_html

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PAPERMILL = Path(sys.executable).parent / "papermill"
#: Huyện Văn Giang of old Hưng Yên (code 326), valid until 30/06/2025: the unit reports below are as of that day.
VAN_GIANG = "H326"


@pytest.fixture(scope="module")
def small_register(tmp_path_factory):
    out = tmp_path_factory.mktemp("register")
    generate_sample(out, n_cadres=4000, seed=7)
    return out


@pytest.mark.parametrize("name,extra", [("overview", []), ("unit", ["unit_id"]), ("data_quality", [])])
def test_parameters_cell(name, extra):
    params = pm.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    for key in ["data_dir", "params_file", "as_of", "audience", "context_file", *extra]:
        assert key in params, key
        assert params[key]["inferred_type_name"] == "str"
        assert params[key]["help"], f"{name}.{key} has no help comment"


def test_notebooks_stored_without_outputs():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and not cell.get("execution_count"), path.name


def _papermill(nb: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PAPERMILL), str(NOTEBOOKS / nb), str(out), "--cwd", str(ROOT), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def executed(small_register, tmp_path_factory):
    """Each notebook run by the vanilla papermill CLI (unit codes as raw strings)."""
    out = tmp_path_factory.mktemp("executed")
    runs = {
        "overview": ("overview.ipynb", []),
        "unit_leadership": ("unit.ipynb", ["-r", "unit_id", VAN_GIANG]),
        "unit_analyst": ("unit.ipynb", ["-r", "unit_id", VAN_GIANG, "-p", "audience", "analyst"]),
        "data_quality": ("data_quality.ipynb", []),
    }
    results = {}
    for key, (nb, args) in runs.items():
        target = out / f"{key}.ipynb"
        r = _papermill(nb, target, "-p", "data_dir", str(small_register), "-p", "as_of", "2025-06-30", *args)
        assert r.returncode == 0, r.stderr[-3000:]
        results[key] = nbformat.read(target, as_version=4)
    return results


def _names(register: Path) -> list[str]:
    import pandas as pd

    return pd.read_csv(register / "cadres.csv", dtype=str)["full_name"].tolist()


def test_overview_sections_and_sample_band(executed):
    html = to_html(executed["overview"])
    for needle in ["DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ", "BÁO CÁO THEO DÕI", "I. KẾT QUẢ THỰC HIỆN",
                   "II. HẠN CHẾ, TỒN TẠI", "III. ĐỀ XUẤT, KIẾN NGHỊ", "PHỤ LỤC", "ngày 30 tháng 6 năm 2025",
                   "Tỷ lệ cán bộ trẻ trong quy hoạch", "Chưa đạt", "TÓM TẮT", "<svg ", "role='img'"]:
        assert needle in html, needle
    assert html.index("DỮ LIỆU MẪU") < html.index("BÁO CÁO THEO DÕI")
    assert "import " not in html and "load_context" not in html  # no code


def test_leadership_reports_name_nobody(executed, small_register):
    names = _names(small_register)
    for key in ("overview", "unit_leadership", "data_quality"):
        html = to_html(executed[key])
        leaked = [n for n in names if n in html]
        assert not leaked, f"{key} shows {leaked[:3]}"
    # the analyst pack does list the people still to act on (so the check above can fail)
    from cadre_lib.indicators.engine import Engine
    from cadre_lib.params import load_params
    from cadre_lib.register.validate import load_register

    engine = Engine(load_register(small_register), load_params(None, "2025-06-30"))
    expected = set()
    for ind in ("leadership_training_coverage", "planning_out_of_standard", "evaluated_before_planning"):
        frame = engine.explain(ind, VAN_GIANG, missing=True)
        if "full_name" in frame:
            expected |= set(frame.full_name)
    assert expected
    analyst = to_html(executed["unit_analyst"])
    assert all(n in analyst for n in expected)


def test_unit_report_scope(executed):
    html = to_html(executed["unit_leadership"])
    assert "Huyện Văn Giang" in html and "Toàn tỉnh" in html and "Xếp hạng" in html


def test_unknown_unit_fails_clearly(small_register, tmp_path):
    r = _papermill("unit.ipynb", tmp_path / "x.ipynb", "-r", "unit_id", "NOPE", "-p", "data_dir", str(small_register))
    assert r.returncode != 0
    assert "unknown unit_id 'NOPE'" in r.stderr + r.stdout


def test_ended_unit_names_its_successor(small_register, tmp_path):
    """Xã Xuân Quan (XC12022) ended on 30/06/2025 and was merged into Xã Phụng Công (X12025): a report of it at the
    default as_of (30/09/2026) is refused, naming the successor."""
    r = _papermill("unit.ipynb", tmp_path / "x.ipynb", "-r", "unit_id", "XC12022", "-p", "data_dir",
                   str(small_register))
    assert r.returncode != 0
    out = r.stderr + r.stdout
    assert "unit 'XC12022' (Xã Xuân Quan) is not valid on 30/09/2026" in out and "successor 'X12025'" in out
