"""`python -m cadre_lib run` end to end on a small register: portal, HTML and PDF, manifest,
shared indicators, self-contained HTML, Vietnamese text in the PDF, latest link, changes since the
previous run, and the schedule command."""

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
    first = cli("run", "--data", str(register), "--units", "VG,S-NV", "--out", str(out), "--as-of", "2025-03-31",
                "--jobs", "2")
    assert first.returncode == 0, first.stderr[-3000:]
    second = cli("run", "--data", str(register), "--units", "VG", "--notebooks", "overview,unit", "--out", str(out),
                 "--formats", "html", "--jobs", "2")
    assert second.returncode == 0, second.stderr[-3000:]
    return out, sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink())


def test_run_directory(runs, register):
    out, dirs = runs
    assert len(dirs) == 2
    first, second = dirs
    for name in ["index.html", "manifest.json", "indicators.json", "indicators.xlsx", "html/overview.html",
                 "html/unit-VG.html", "html/unit-S-NV.html", "html/data_quality.html", "pdf/overview.pdf",
                 "pdf/unit-VG.pdf", "notebooks/overview.ipynb"]:
        assert (first / name).is_file(), name
    assert (out / "latest").resolve() == second.resolve()
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    sha = manifest["inputs"]["sha256"]
    assert set(sha) >= {"cadres.csv", "units.csv"} and all(re.fullmatch(r"[0-9a-f]{64}", v) for v in sha.values())
    assert manifest["parameters"]["as_of"] == "2025-03-31"
    records = json.loads((first / "indicators.json").read_text(encoding="utf-8"))
    assert {"indicator", "unit_id", "level", "numerator", "denominator", "value", "target", "status"} == set(records[0])
    index = (first / "index.html").read_text(encoding="utf-8")
    assert "DỮ LIỆU MẪU" in index and "31/03/2025" in index and "html/unit-VG.html" in index


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
    unit = subprocess.run(["pdftotext", str(dirs[0] / "pdf" / "unit-VG.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Huyện Văn Giang" in unit


def test_second_run_compares_with_previous(runs):
    _, dirs = runs
    html = (dirs[1] / "html" / "overview.html").read_text(encoding="utf-8")
    assert "So với kỳ báo cáo trước (số liệu đến ngày 31/03/2025)" in html
    assert "Chưa có kỳ báo cáo trước" not in html


def test_bad_units_exit_2(register, tmp_path):
    r = cli("run", "--data", str(register), "--units", "NOPE", "--out", str(tmp_path / "r"))
    assert r.returncode == 2 and "unknown unit" in r.stderr and "Traceback" not in r.stderr
    assert not any((tmp_path / "r").glob("2*"))


def test_schedule_prints_crontab_and_timers():
    r = cli("schedule")
    assert r.returncode == 0
    assert "run --job monthly-overview" in r.stdout and "OnCalendar=" in r.stdout
