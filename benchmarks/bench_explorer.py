"""Benchmark of the analysts' explorer (a script, not a test): is recomputing one scope "instant"?

Measures, on the default sample register (``data/sample``, generated if missing):

* ``load``: ``Explorer()`` once: reading and validating the register, building the engine and the first
  views (done once per session, on "Tải dữ liệu");
* ``unit change``: picking another unit (a department, district or commune not seen before), i.e. every
  view recomputed and redrawn: scorecard, child-unit chart, quarterly trend, drill-down table;
* ``as_of change``: picking another reference date not seen before (whole province, the largest scope:
  a new ``Engine.compute`` for that date, its trend point and drill-down);
* ``indicator change``: picking another indicator (charts and drill-down recomputed).

Each change is timed around the widget change itself (what the analyst waits for), median of ``--repeat``
changes; the parts (scorecard / charts / table) are medians too. Target (issue 4): under 1 s.

Usage::

    python benchmarks/bench_explorer.py                 # data/sample
    python benchmarks/bench_explorer.py --data path/to/register --repeat 15
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cadre_lib.core.scope import ALL, ANALYST, SAMPLE_BAND  # noqa: E402
from cadre_lib.explorer import Explorer  # noqa: E402
from cadre_lib.indicators.registry import INDICATORS  # noqa: E402

TARGET_S = 1.0


def _ensure_sample(path: Path) -> None:
    if (path / "units.csv").exists() or path.is_file():
        return
    from cadre_lib.register.sample import generate_sample
    from cadre_lib.register.sources import SAMPLE_MARKER

    print(f"generating the sample register in {path} (python -m cadre_lib sample-data) …")
    generate_sample(path)
    (path / SAMPLE_MARKER).write_text(f"{SAMPLE_BAND}\n", encoding="utf-8")


def _timed(ex: Explorer, change: Callable[[], object]) -> dict[str, float]:
    start = time.perf_counter()
    change()
    total = time.perf_counter() - start
    if ex.note:
        raise SystemExit(f"the explorer shows a note instead of numbers: {ex.note}")
    return {"total": total, **ex.timings}


def _row(name: str, runs: list[dict[str, float]]) -> str:
    med = {k: statistics.median(r[k] for r in runs) for k in ("total", "scorecard", "charts", "table")}
    worst = max(r["total"] for r in runs)
    ok = "yes" if med["total"] < TARGET_S else "NO"
    return (f"| {name} | {len(runs)} | {med['total']:.3f} | {worst:.3f} | {med['scorecard']:.3f} | "
            f"{med['charts']:.3f} | {med['table']:.3f} | < {TARGET_S:g} s | {ok} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "data" / "sample"), help="register (default: data/sample)")
    ap.add_argument("--params", default=str(ROOT / "parameters" / "default.yaml"))
    ap.add_argument("--repeat", type=int, default=9, help="changes timed per kind (default: 9)")
    args = ap.parse_args(argv)
    data = Path(args.data)
    _ensure_sample(data)

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        ex = Explorer(data, args.params, audience=ANALYST, out_dir=out)
        load = time.perf_counter() - start
        if ex.note or ex.register is None or ex.params is None:
            raise SystemExit(f"cannot load {data}: {ex.note}")
        reg, params = ex.register, ex.params
        print(f"register {data}: {len(reg.units):,} units, {len(reg.cadres):,} cadres, {len(reg.planning):,} "
              f"planning rows; as_of {params.as_of}")

        # units not seen before, among those of as_of's boundaries: alternate departments/districts and communes
        h = reg.hierarchy
        ids = [str(u) for u in h.unit_ids[ex.model.engine.boundaries(params.as_of).valid]]  # type: ignore[union-attr]
        upper = [u for u in ids if str(h.levels[h.code(u)]) != "xa" and h.parent[h.code(u)] >= 0]
        communes = [u for u in ids if str(h.levels[h.code(u)]) == "xa"]
        units = [u for pair in zip(upper, communes[::7], strict=False) for u in pair][: args.repeat]
        unit_runs = [_timed(ex, lambda u=u: ex.select_unit(u)) for u in units]

        ex.select_unit(ALL)
        days = [params.as_of - dt.timedelta(days=31 * (i + 1)) for i in range(args.repeat)]
        days = [d for d in days if d >= params.period_start]
        date_runs = [_timed(ex, lambda d=d: setattr(ex.w_as_of, "value", d)) for d in days]

        ex.w_as_of.value = params.as_of
        ex.select_unit(upper[0])
        indicators = [i for i in INDICATORS if i != ex.indicator][: args.repeat]
        ind_runs = [_timed(ex, lambda i=i: setattr(ex.w_indicator, "value", i)) for i in indicators]

    print()
    print("| step | n | median s | worst s | scorecard s | charts s | table s | target | met |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| load register once (Explorer(), first views included) | 1 | {load:.3f} | {load:.3f} | – | – | – | "
          f"once | – |")
    print(_row("unit change (new unit)", unit_runs))
    print(_row("as_of change (new date, whole province)", date_runs))
    print(_row("indicator change", ind_runs))
    print()
    print(f"Engine.compute calls: {ex.compute_calls} (cached per date; trend points per date and indicator)")
    bad = [r for r in (unit_runs, date_runs, ind_runs) if statistics.median(x["total"] for x in r) >= TARGET_S]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
