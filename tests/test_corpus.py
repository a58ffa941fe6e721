"""The corpus of broken and messy registers and parameter files (tests/corpus): every case gives the outcome
its manifest entry states, through the command line (in process, so a traceback would show in stderr)."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))

from build import CASES, build  # noqa: E402

from cadre_lib.cli import main  # noqa: E402

MANIFEST: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).resolve().parent / "corpus" / "manifest.yaml").read_text(encoding="utf-8"))


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_manifest_covers_every_case() -> None:
    ids = [e["id"] for e in MANIFEST]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(CASES)
    assert sum(e["expect"] == "refused" for e in MANIFEST) >= 40


@pytest.fixture(scope="module")
def clean_numbers(tmp_path_factory: pytest.TempPathFactory) -> str:
    data, params = build("clean_register", tmp_path_factory.mktemp("clean"))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["indicators", "--data", str(data), "--params", str(params)]) == 0
    text = buf.getvalue()
    records = json.loads(text)
    # the hand-computed figure of tests/test_cli.py: the clean register is the one the indicator tests know
    rec = next(r for r in records if r["indicator"] == "young_share_planning" and r["unit_id"] == "ALL"
               and r["level"] == "all")
    assert (rec["numerator"], rec["denominator"]) == (3, 5)
    return text


def _matches(problem: dict[str, Any], want: dict[str, Any]) -> bool:
    if any(problem.get(k) != want[k] for k in ("table", "file", "row", "column", "code") if k in want):
        return False
    return "says" not in want or want["says"] in problem["message"] or want["says"] in str(problem["value"])


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["id"] for e in MANIFEST])
def test_case(entry: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str], clean_numbers: str) -> None:
    data, params = build(entry["id"], tmp_path)
    code, out, err = cli(capsys, "validate", "--data", str(data), "--params", str(params), "--format", "json")
    assert "Traceback" not in err and "internal error" not in err, err
    report = json.loads(out)
    if entry["expect"] == "accepted":
        assert code == 0 and report["valid"], report["problems"]
        if "warns" in entry:
            assert any(entry["warns"] in w for w in report["warnings"]), report["warnings"]
        code, out, err = cli(capsys, "indicators", "--data", str(data), "--params", str(params))
        assert code == 0, err
        assert out == clean_numbers
        return
    assert code == 2 and not report["valid"]
    for key in ("table", "file", "row", "column", "value", "code", "message"):
        assert all(key in p for p in report["problems"])
    for want in entry["problems"]:
        assert any(_matches(p, want) for p in report["problems"]), (want, report["problems"])
    code, out, err = cli(capsys, "validate", "--data", str(data), "--params", str(params))  # the text form
    assert code == 2 and err.startswith("error:") and "Traceback" not in err, err
