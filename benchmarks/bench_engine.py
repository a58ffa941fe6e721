"""Benchmark of the register loader and the indicator engine (a script, not a test).

For every size (number of cadres) it generates, or reuses from the cache folder, a synthetic sample
register (``cadre_lib.register.sample.generate_sample``), then measures, each phase in a *fresh* Python process so
that the peak memory of one phase does not leak into another:

* ``read_csv``: plain ``pandas.read_csv(f, dtype=str)`` of every CSV file of the register (the baseline);
* ``load``: ``load_register`` (reading the files + typed parsing + cross-table checks), with the time
  spent in ``read_register`` (reading) reported apart from the rest (validation);
* ``indicators``: ``Engine(register, params).compute()`` for every indicator, Engine construction included
  (the register is loaded first in the same process, outside the timing);
* ``boundaries``: all indicators on another boundaries date than as_of against R = as_of, each on a fresh
  Engine, alternating, median of 3 within the process, in both directions: as_of 30/09/2026 (the default)
  with R = 31/12/2024 (three-level units, the new communes unplaced), and a trend point, as_of 31/12/2024,
  re-based on today's units (R = 30/09/2026). Target (issue 8): R != as_of costs at most 1.2x R = as_of
  (placing is a lookup per unit, not per item); the worse of the two ratios is reported.

Peak memory is the process's peak resident set size (``VmHWM``). For ``indicators`` the peak is reset
(``/proc/self/clear_refs``) after loading, so it is the peak *during* the computation, the loaded
register included; where that reset is unavailable it falls back to the whole process's peak.

Usage::

    python benchmarks/bench_engine.py                       # 100k and 1M cadres
    python benchmarks/bench_engine.py --quick               # 10k and 100k
    python benchmarks/bench_engine.py --sizes 100000,1000000 --repeat 3 --out benchmarks/out

The Markdown tables it prints can be pasted into the README as they are.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "out"
STAMP = ".bench-sample.json"  # hidden: the register reader ignores dot files
SEED = 2024
PHASES = ("read_csv", "load", "indicators", "boundaries")
OTHER_R = "2024-12-31"
TARGET_BOUNDARIES = 1.2  # R != as_of / R = as_of

# Targets of issue 2 ("Tests and benchmark").
TARGET_RATIO = 1.0  # all-indicators time / read_csv time
TARGET_PEAK_MB = 4096.0  # at 1M cadres
TARGET_SCALING = 1.2  # 10x data -> at most 12x time


# --- the measured phases (run in a child process) ------------------------------------------------


def _peak_mb() -> float:
    """Peak resident set size of this process, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale / 1024


def _reset_peak() -> bool:
    """Reset the peak RSS to the current RSS (Linux >= 4.0); False where not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _phase_read_csv(data: Path) -> dict[str, Any]:
    import pandas as pd

    t0 = time.perf_counter()
    rows = 0
    for f in sorted(data.glob("*.csv")):
        rows += len(pd.read_csv(f, dtype=str))
    return {"seconds": time.perf_counter() - t0, "rows": rows}


def _phase_load(data: Path) -> dict[str, Any]:
    import cadre_lib.register.validate as validate

    read_seconds = 0.0
    real_read = validate.read_register

    def timed_read(path: Any) -> Any:
        nonlocal read_seconds
        t = time.perf_counter()
        try:
            return real_read(path)
        finally:
            read_seconds += time.perf_counter() - t

    validate.read_register = timed_read  # type: ignore[assignment]
    t0 = time.perf_counter()
    reg = validate.load_register(data)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "read_seconds": read_seconds, "validate_seconds": seconds - read_seconds,
            "rows": sum(reg.summary()["rows"].values())}


def _phase_indicators(data: Path) -> dict[str, Any]:
    from cadre_lib.indicators.engine import Engine
    from cadre_lib.params import load_params
    from cadre_lib.register.validate import load_register

    reg = load_register(data)
    params = load_params(ROOT / "parameters" / "default.yaml")
    reset = _reset_peak()
    t0 = time.perf_counter()
    out = Engine(reg, params).compute()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "records": len(out), "peak_is_phase_only": reset}


def _phase_boundaries(data: Path) -> dict[str, Any]:
    import datetime as dt

    from cadre_lib.indicators.engine import Engine
    from cadre_lib.params import load_params
    from cadre_lib.register.validate import load_register

    reg = load_register(data)
    params = load_params(ROOT / "parameters" / "default.yaml")
    other = dt.date.fromisoformat(OTHER_R)
    result: dict[str, Any] = {}
    for name, as_of, r in (("today", params.as_of, other), ("trend", other, params.as_of)):
        same_s: list[float] = []
        other_s: list[float] = []
        for _ in range(3):
            for bound, out in ((as_of, same_s), (r, other_s)):
                t0 = time.perf_counter()
                Engine(reg, params).compute(as_of, boundaries=bound)
                out.append(time.perf_counter() - t0)
        result[name] = {"same": statistics.median(same_s), "other": statistics.median(other_s)}
    worst = max(result.values(), key=lambda v: v["other"] / v["same"])
    return {"seconds": worst["other"], "same_seconds": worst["same"], "ratio": worst["other"] / worst["same"],
            "directions": {k: {**v, "ratio": v["other"] / v["same"]} for k, v in result.items()}}


_PHASE_FUNCS: dict[str, Callable[[Path], dict[str, Any]]] = {
    "read_csv": _phase_read_csv,
    "load": _phase_load,
    "indicators": _phase_indicators,
    "boundaries": _phase_boundaries,
}


def _child(phase: str, data: Path) -> None:
    result = _PHASE_FUNCS[phase](data)
    result["peak_mb"] = _peak_mb()
    print(json.dumps(result))


# --- the driver ---------------------------------------------------------------------------------


def _sample_fingerprint() -> str:
    return hashlib.sha256((ROOT / "cadre_lib" / "register" / "sample.py").read_bytes()).hexdigest()[:16]


def ensure_sample(out: Path, n: int) -> Path:
    """The sample register of ``n`` cadres, generated unless the cache holds it for the same generator."""
    folder = out / f"sample-{n}"
    stamp = folder / STAMP
    want = {"cadres": n, "seed": SEED, "generator": _sample_fingerprint()}
    if stamp.exists():
        try:
            if json.loads(stamp.read_text()) == want:
                return folder
        except ValueError:
            pass
    print(f"generating the sample register of {n:,} cadres in {folder} ...", file=sys.stderr, flush=True)
    sys.path.insert(0, str(ROOT))
    from cadre_lib.register.sample import generate_sample

    stamp.unlink(missing_ok=True)
    generate_sample(folder, n_cadres=n, seed=SEED)
    stamp.write_text(json.dumps(want))
    return folder


def _warm(folder: Path) -> None:
    """Read every file once so that all phases find it in the OS page cache."""
    for f in folder.glob("*.csv"):
        with f.open("rb") as fh:
            while fh.read(1 << 24):
                pass


def run_phase(phase: str, folder: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--data", str(folder)],
        capture_output=True, text=True, env=env, check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"phase {phase} failed on {folder} (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def measure(folder: Path, repeat: int) -> dict[str, dict[str, Any]]:
    """Median time and largest peak of ``repeat`` fresh-process runs of every phase. The phases take turns
    (read_csv, load, indicators, read_csv, ...) so that a busy moment of the machine hits them alike."""
    _warm(folder)
    runs: dict[str, list[dict[str, Any]]] = {phase: [] for phase in PHASES}
    for i in range(repeat):
        for phase in PHASES:
            r = run_phase(phase, folder)
            runs[phase].append(r)
            print(f"  {folder.name} run {i + 1}/{repeat}: {phase:<10} {r['seconds']:8.2f} s  "
                  f"peak {r['peak_mb']:8.0f} MB", file=sys.stderr, flush=True)
    out: dict[str, dict[str, Any]] = {}
    for phase, rs in runs.items():
        merged = dict(rs[0])
        for key in ("seconds", "read_seconds", "validate_seconds", "same_seconds", "ratio"):
            if key in merged:
                merged[key] = statistics.median(r[key] for r in rs)
        merged["peak_mb"] = max(r["peak_mb"] for r in rs)
        out[phase] = merged
    return out


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def _size(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return f"{n:,}"


def report(results: dict[int, dict[str, dict[str, Any]]], csv_mb: dict[int, float], repeat: int) -> str:
    import numpy
    import pandas

    sizes = sorted(results)
    largest = sizes[-1]
    lines = [
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, pandas {pandas.__version__}, "
        f"numpy {numpy.__version__}; median of {repeat} run(s), each phase in a fresh process; peak = peak "
        "resident memory of that process (for all-indicators: during the computation, register loaded).",
        "",
        "| cadres | rows (all tables) | CSV size | read_csv (dtype=str) | load+validate (read / validate) "
        "| peak load | all-indicators | peak all-indicators | ratio indicators / read_csv (≤ 1) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        r = results[n]
        rc, ld, ind = r["read_csv"], r["load"], r["indicators"]
        ratio = ind["seconds"] / rc["seconds"]
        lines.append(
            f"| {_size(n)} | {ld['rows']:,} | {csv_mb[n]:,.0f} MB | {rc['seconds']:.2f} s "
            f"| {ld['seconds']:.2f} s ({ld['read_seconds']:.2f} / {ld['validate_seconds']:.2f}) "
            f"| {ld['peak_mb']:,.0f} MB | {ind['seconds']:.2f} s | {ind['peak_mb']:,.0f} MB "
            f"| {ratio:.2f} {_mark(ratio <= TARGET_RATIO)} |"
        )
    if len(sizes) > 1:
        small = sizes[0]
        factor = largest / small
        limit = TARGET_SCALING * factor
        lines += [
            "",
            f"Scaling {_size(small)} → {_size(largest)} cadres ({factor:g}× data; target ≤ {limit:g}× time):",
            "",
            f"| phase | {_size(small)} | {_size(largest)} | × time |",
            "|---|---:|---:|---:|",
        ]
        names = {"read_csv": "read_csv (baseline)", "load": "load+validate", "indicators": "all-indicators"}
        for phase in PHASES[:3]:
            a, b = results[small][phase]["seconds"], results[largest][phase]["seconds"]
            mark = "" if phase == "read_csv" else " " + _mark(b / a <= limit)
            lines.append(f"| {names[phase]} | {a:.2f} s | {b:.2f} s | {b / a:.1f}×{mark} |")
    peak = max(results[largest]["load"]["peak_mb"], results[largest]["indicators"]["peak_mb"])
    ratio = results[largest]["indicators"]["seconds"] / results[largest]["read_csv"]["seconds"]
    lines += [
        "",
        "Targets (issue 2):",
        "",
        f"- all-indicators / read_csv ≤ {TARGET_RATIO:g} at {_size(largest)}: {ratio:.2f} {_mark(ratio <= 1)}",
        f"- peak memory ≤ 4 GB at {_size(largest)}: {peak:,.0f} MB {_mark(peak <= TARGET_PEAK_MB)}"
        + ("" if largest >= 1_000_000 else " (largest size measured is below 1M)"),
    ]
    b = results[largest]["boundaries"]
    for name, what in (("today", f"as_of = default, R = {OTHER_R}"), ("trend", f"as_of = {OTHER_R}, R = today")):
        d = b.get("directions", {}).get(name)
        if d:
            lines.append(f"- all-indicators with R ≠ as_of vs R = as_of at {_size(largest)} ({what}): "
                         f"{d['other']:.2f} s / {d['same']:.2f} s = {d['ratio']:.2f}")
    lines.append(f"- R ≠ as_of costs ≤ {TARGET_BOUNDARIES:g}× R = as_of (worse direction): {b['ratio']:.2f} "
                 f"{_mark(b['ratio'] <= TARGET_BOUNDARIES)}")
    if len(sizes) > 1:
        small = sizes[0]
        factor = largest / small
        worst = max(results[largest][p]["seconds"] / results[small][p]["seconds"] for p in ("load", "indicators"))
        lines.append(f"- {factor:g}× data → ≤ {TARGET_SCALING * factor:g}× time (load, indicators): worst "
                     f"{worst:.1f}× {_mark(worst <= TARGET_SCALING * factor)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated numbers of cadres")
    ap.add_argument("--quick", action="store_true", help="10k and 100k cadres")
    ap.add_argument("--repeat", type=int, default=1, help="runs per phase (median time)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="cache folder of the sample registers")
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        _child(args.phase, args.data)
        return 0
    sizes = [10_000, 100_000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    if not sizes or any(n <= 0 for n in sizes) or args.repeat < 1:
        ap.error("sizes and --repeat must be positive")
    results: dict[int, dict[str, dict[str, Any]]] = {}
    csv_mb: dict[int, float] = {}
    for n in sorted(set(sizes)):
        folder = ensure_sample(args.out, n)
        csv_mb[n] = sum(f.stat().st_size for f in folder.glob("*.csv")) / 2**20
        results[n] = measure(folder, args.repeat)
    print(report(results, csv_mb, args.repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
