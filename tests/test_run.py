"""`python -m cadre_lib run` end to end on a small sample register (the new Hưng Yên across the 01/7/2025 reform):
portal, HTML and PDF, manifest, shared indicators, self-contained HTML, Vietnamese text in the PDF, latest link,
changes since the previous run followed through successors, old unit ids refused naming the successor, and the
schedule command.

The first run is as of 31/03/2025 (old units: Huyện Văn Giang H326, Sở Nội vụ S-NV), the second at the default
as_of 30/09/2026 (today's units: Xã Phụng Công X12025, merged from Xã Xuân Quan, Xã Cửu Cao and Xã Phụng Công of
Huyện Văn Giang; Sở Nội vụ, which absorbed Thái Bình's)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cadre_lib.register.sample import generate_sample

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    out = tmp_path_factory.mktemp("reg")
    generate_sample(out, n_cadres=3000, seed=11)
    return out


def cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cadre_lib", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


@pytest.fixture(scope="module")
def runs(register, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    first = cli("run", "--data", str(register), "--units", "H326,S-NV", "--out", str(out), "--as-of", "2025-03-31",
                "--jobs", "2")
    assert first.returncode == 0, first.stderr[-3000:]
    second = cli("run", "--data", str(register), "--units", "X12025,S-NV", "--notebooks", "overview,unit", "--out",
                 str(out), "--formats", "html", "--jobs", "2")
    assert second.returncode == 0, second.stderr[-3000:]
    return out, sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink())


def test_run_directory(runs, register):
    out, dirs = runs
    assert len(dirs) == 2
    first, second = dirs
    for name in ["index.html", "manifest.json", "indicators.json", "indicators.xlsx", "html/overview.html",
                 "html/unit-H326.html", "html/unit-S-NV.html", "html/data_quality.html", "pdf/overview.pdf",
                 "pdf/unit-H326.pdf", "notebooks/overview.ipynb"]:
        assert (first / name).is_file(), name
    assert (out / "latest").resolve() == second.resolve()
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    sha = manifest["inputs"]["sha256"]
    assert set(sha) >= {"cadres.csv", "units.csv"} and all(re.fullmatch(r"[0-9a-f]{64}", v) for v in sha.values())
    assert manifest["parameters"]["as_of"] == "2025-03-31"
    records = json.loads((first / "indicators.json").read_text(encoding="utf-8"))
    assert {"indicator", "unit_id", "level", "numerator", "denominator", "value", "target", "status"} == set(records[0])
    index = (first / "index.html").read_text(encoding="utf-8")
    assert "DỮ LIỆU MẪU" in index and "31/03/2025" in index and "html/unit-H326.html" in index
    assert (second / "html" / "unit-X12025.html").is_file() and not (second / "html" / "unit-H326.html").exists()


def test_html_is_self_contained(runs):
    _, dirs = runs
    for page in dirs[0].glob("html/*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]*\ssrc=", text), page.name
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), page.name
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), page.name
        assert "@import" not in text
        assert "<code" not in text.split("</head>")[1] or "jp-InputArea" not in text


def test_pdf_has_vietnamese_text(runs):
    _, dirs = runs
    text = subprocess.run(["pdftotext", "-layout", str(dirs[0] / "pdf" / "overview.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    for needle in ["DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU THỰC TẾ", "BÁO CÁO THEO DÕI", "KẾT QUẢ THỰC HIỆN",
                   "Tỷ lệ cán bộ trẻ trong quy hoạch", "ngày 31 tháng 3 năm 2025", "Trang 1/"]:
        assert needle in text, needle
    unit = subprocess.run(["pdftotext", str(dirs[0] / "pdf" / "unit-H326.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Huyện Văn Giang" in unit


def test_second_run_compares_with_previous(runs):
    _, dirs = runs
    html = (dirs[1] / "html" / "overview.html").read_text(encoding="utf-8")
    assert "So với kỳ báo cáo trước (số liệu đến ngày 31/03/2025)" in html
    assert "Chưa có kỳ báo cáo trước" not in html
    # the new commune gathers three old ones: its previous figures are re-counted on today's boundaries
    unit = (dirs[1] / "html" / "unit-X12025.html").read_text(encoding="utf-8")
    assert "So với kỳ báo cáo trước (số liệu đến ngày 31/03/2025)" in unit
    assert "được tính lại từ cơ sở dữ liệu theo địa giới hiện nay" in unit
    assert "theo địa giới hiện nay" in html  # the trend charts say so (in their title, rendered in the image alt)


def test_old_unit_ids_name_their_successor(register, tmp_path):
    r = cli("run", "--data", str(register), "--units", "XC12022,H326", "--out", str(tmp_path / "r"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "'XC12022' (Xã Xuân Quan) is not valid on 30/09/2026" in r.stderr
    assert "its successor 'X12025' (Xã Phụng Công)" in r.stderr
    assert "'H326' (Huyện Văn Giang) is not valid on 30/09/2026" in r.stderr and "no successor" in r.stderr
    r = cli("run", "--data", str(register), "--units", "districts", "--notebooks", "unit", "--out", str(tmp_path / "r"))
    assert r.returncode == 2 and "nothing to run" in r.stderr and "levels of that day: tinh, xa" in r.stderr
    assert not any((tmp_path / "r").glob("2*"))


def test_bad_units_exit_2(register, tmp_path):
    r = cli("run", "--data", str(register), "--units", "NOPE", "--out", str(tmp_path / "r"))
    assert r.returncode == 2 and "unknown unit" in r.stderr and "Traceback" not in r.stderr
    assert not any((tmp_path / "r").glob("2*"))


def test_schedule_prints_crontab_and_timers():
    r = cli("schedule")
    assert r.returncode == 0
    assert "run --job monthly-overview" in r.stdout and "OnCalendar=" in r.stdout
