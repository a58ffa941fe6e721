"""Benchmark: the same batch through ``cadre_lib.runner.run_batch`` and through the naive loop.

The batch is a list of notebooks run once (e.g. the overview) plus one notebook run once per unit,
rendered to HTML only. The naive loop runs, per notebook, the ``papermill`` CLI and then
``jupyter nbconvert --to html --no-input``. Optionally (``--plain-pool``) also a plain N-process
pool calling ``papermill.execute_notebook`` + nbconvert's HTMLExporter.

Defaults use the fixture notebook (pandas table + matplotlib chart)::

    .venv/bin/python benchmarks/bench_runner.py                      # 12 units, 2 workers
    .venv/bin/python benchmarks/bench_runner.py --units 24 --naive-sample 4

Real notebooks::

    .venv/bin/python benchmarks/bench_runner.py --notebook notebooks/overview.ipynb \\
        --unit-notebook notebooks/unit.ipynb --unit-ids S-NV,S-TC,S-TP,S-CT,S-XD,S-YT,X12019,X12025,X12031,X12049 \\
        -p data_dir=data/sample -p params_file=parameters/default.yaml -p audience=leadership

Parameters given with ``-p key=value`` are strings in both paths (``papermill -r``); ``-j key=JSON``
passes other types (``papermill -y``). Output goes to ``benchmarks/out/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_UNIT_NOTEBOOK = ROOT / "tests" / "fixtures" / "notebooks" / "report.ipynb"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebook", action="append", default=[], type=Path, help="notebook run once (repeatable)")
    ap.add_argument("--unit-notebook", type=Path, default=None, help="notebook run once per unit")
    ap.add_argument("--unit-param", default="unit_id", help="parameter receiving the unit code (default unit_id)")
    units = ap.add_mutually_exclusive_group()
    units.add_argument("--units", type=int, default=12, help="number of units, codes 01, 02, ... (default 12)")
    units.add_argument("--unit-ids", default=None, help="comma-separated unit codes (strings)")
    ap.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="string parameter")
    ap.add_argument("-j", "--param-json", action="append", default=[], metavar="KEY=JSON", help="typed parameter")
    ap.add_argument("--jobs", type=int, default=None, help="workers (default: CPU count)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per notebook")
    ap.add_argument("--renderer", choices=("auto", "cadre", "nbconvert"), default="auto")
    ap.add_argument("--no-fork", action="store_true", help="runner: start every kernel normally (no zygote)")
    ap.add_argument("--no-prestart", action="store_true", help="runner: do not boot the next kernel ahead")
    ap.add_argument("--preload", default=None, help="runner: modules to preload, comma-separated")
    ap.add_argument(
        "--naive-sample",
        type=int,
        default=0,
        metavar="K",
        help="naive loop on the first K notebooks only, extrapolated (default: all)",
    )
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--plain-pool", action="store_true", help="also time a plain papermill-API process pool")
    ap.add_argument(
        "--share-context",
        action="store_true",
        help="runner only: build the report context once (cadre_lib.report.context.build_context from the "
        "data_dir/params_file parameters), pass it as context_file, and count that time in the runner's",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    return ap.parse_args(argv)


def build_batch(args: argparse.Namespace) -> list[tuple[str, Path, dict[str, Any]]]:
    """(output stem, notebook, parameters) for every notebook of the batch."""
    common: dict[str, Any] = {}
    for item in args.param:
        key, _, value = item.partition("=")
        common[key] = value
    for item in args.param_json:
        key, _, value = item.partition("=")
        common[key] = json.loads(value)
    batch = [(nb.stem, nb.resolve(), dict(common)) for nb in args.notebook]
    unit_nb = args.unit_notebook
    if unit_nb is None and not args.notebook:
        unit_nb = DEFAULT_UNIT_NOTEBOOK
    if unit_nb is not None:
        codes = args.unit_ids.split(",") if args.unit_ids else [f"{i:02d}" for i in range(1, args.units + 1)]
        for code in codes:
            batch.append((f"{unit_nb.stem}-{code}", unit_nb.resolve(), {**common, args.unit_param: code}))
    return batch


# -- the runner --------------------------------------------------------------------------------------


def time_runner(batch: list[tuple[str, Path, dict[str, Any]]], args: argparse.Namespace) -> dict[str, Any]:
    from cadre_lib.runner import ExecutionPool, NbconvertRenderer, NotebookJob, RunConfig, run_batch
    from cadre_lib.runner.render import CadreRenderer, default_renderer

    jobs = [NotebookJob(name=stem, notebook=nb, parameters=params, output_stem=stem) for stem, nb, params in batch]
    renderer = {
        "auto": lambda: default_renderer({"html"}),
        "cadre": lambda: CadreRenderer({"html"}),
        "nbconvert": NbconvertRenderer,
    }[args.renderer]()
    from cadre_lib.report.job import REPORT_PRELOAD  # what `python -m cadre_lib run` preloads

    preload = tuple(args.preload.split(",")) if args.preload is not None else REPORT_PRELOAD
    out = args.out / "runner"
    t0 = time.perf_counter()
    config = RunConfig(
        formats=("html",),
        n_jobs=args.jobs,
        timeout=args.timeout,
        progress=False,
        preload=tuple(p for p in preload if p),
        fork_kernels=not args.no_fork,
        lock=True,
        job_name="benchmark",
    )
    if args.share_context:  # as `python -m cadre_lib run`: the pool warms up while the context is built
        with ExecutionPool.warm(config) as pool:
            jobs = share_context(jobs, args.out)
            result = run_batch(jobs, out, config, renderer=renderer, pool=pool)
    else:
        result = run_batch(jobs, out, config, renderer=renderer)
    total = time.perf_counter() - t0
    return {
        "total_s": total,
        "per_unit_s": total / len(batch),
        "ok": result.ok,
        "failed": [r.job.output_stem for r in result.failed],
        "renderer": type(renderer).__name__,
        "run_dir": str(result.run_dir),
    }


def share_context(jobs: list[Any], out: Path) -> list[Any]:
    """What ``python -m cadre_lib run`` does: compute the report context once, pickle it, and point
    every notebook at it with ``context_file``."""
    import pickle
    from dataclasses import replace

    from cadre_lib.report.context import build_context

    params = jobs[0].parameters
    ctx = build_context(
        params.get("data_dir", "data/sample"),
        params.get("params_file") or None,
        params.get("as_of") or None,
        audience=params.get("audience", "leadership"),
    )
    path = (out / "context.pkl").resolve()
    with path.open("wb") as fh:
        pickle.dump(ctx, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return [replace(j, parameters={**j.parameters, "context_file": str(path)}) for j in jobs]


# -- the naive loop ----------------------------------------------------------------------------------


def _bin(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def naive_one(stem: str, nb: Path, params: dict[str, Any], out: Path) -> None:
    executed = out / f"{stem}.ipynb"
    cmd = [_bin("papermill"), str(nb), str(executed), "--no-progress-bar", "--log-level", "WARNING"]
    for key, value in params.items():
        if isinstance(value, str):
            cmd += ["-r", key, value]
        else:
            cmd += ["-y", json.dumps({key: value})]
    subprocess.run(cmd, check=True, capture_output=True)
    subprocess.run(
        [_bin("jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed), "--output-dir", str(out)],
        check=True,
        capture_output=True,
    )


def time_naive(batch: list[tuple[str, Path, dict[str, Any]]], args: argparse.Namespace) -> dict[str, Any]:
    out = args.out / "naive"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    sample = batch[: args.naive_sample] if args.naive_sample else batch
    t0 = time.perf_counter()
    for stem, nb, params in sample:
        naive_one(stem, nb, params, out)
    measured = time.perf_counter() - t0
    per_unit = measured / len(sample)
    return {
        "measured_s": measured,
        "notebooks_run": len(sample),
        "total_s": per_unit * len(batch),
        "per_unit_s": per_unit,
        "extrapolated": len(sample) != len(batch),
    }


# -- a plain process pool ------------------------------------------------------------------------------


def _plain_one(task: tuple[str, str, dict[str, Any], str]) -> None:
    import nbformat
    import papermill as pm
    from nbconvert import HTMLExporter

    stem, nb, params, out = task
    executed = pm.execute_notebook(nb, f"{out}/{stem}.ipynb", parameters=params, progress_bar=False)
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(nbformat.from_dict(executed))
    Path(out, f"{stem}.html").write_text(body, encoding="utf-8")


def time_plain_pool(batch: list[tuple[str, Path, dict[str, Any]]], args: argparse.Namespace) -> dict[str, Any]:
    out = args.out / "plain"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    n = args.jobs or len(os.sched_getaffinity(0))
    t0 = time.perf_counter()
    with mp.get_context("spawn").Pool(n) as pool:
        pool.map(_plain_one, [(s, str(nb), p, str(out)) for s, nb, p in batch], chunksize=1)
        pool.close()
        pool.join()
    total = time.perf_counter() - t0
    return {"total_s": total, "per_unit_s": total / len(batch)}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    batch = build_batch(args)
    names = sorted({nb.name for _, nb, _ in batch})
    cpus = len(os.sched_getaffinity(0))
    print(
        f"batch: {len(batch)} notebooks ({', '.join(names)}), HTML only; {args.jobs or cpus} workers; {cpus} CPUs",
        flush=True,
    )
    results: dict[str, Any] = {"notebooks": len(batch), "cpus": cpus}

    runner = time_runner(batch, args)
    results["runner"] = runner
    status = "all ok" if runner["ok"] else f"FAILED: {', '.join(runner['failed'])}"
    print(
        f"runner (run_batch, {runner['renderer']}): {runner['total_s']:7.2f} s total, "
        f"{runner['per_unit_s']:.2f} s/unit  [{status}]",
        flush=True,
    )

    if args.plain_pool:
        plain = time_plain_pool(batch, args)
        results["plain_pool"] = plain
        print(
            f"plain papermill-API pool:           {plain['total_s']:7.2f} s total, {plain['per_unit_s']:.2f} s/unit",
            flush=True,
        )

    if not args.skip_naive:
        naive = time_naive(batch, args)
        results["naive"] = naive
        note = f" (extrapolated from {naive['notebooks_run']})" if naive["extrapolated"] else ""
        print(
            f"naive (papermill + nbconvert CLIs):  {naive['total_s']:7.2f} s total, "
            f"{naive['per_unit_s']:.2f} s/unit{note}",
            flush=True,
        )
        results["speedup"] = naive["per_unit_s"] / runner["per_unit_s"]
        print(f"speed-up runner vs naive: {results['speedup']:.1f}x")
        if args.plain_pool:
            print(f"speed-up plain pool vs naive: {naive['per_unit_s'] / results['plain_pool']['per_unit_s']:.1f}x")
    if args.json:
        print(json.dumps(results, indent=2))
    return 0 if runner["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
