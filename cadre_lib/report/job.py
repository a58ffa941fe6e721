"""The main job: ``python -m cadre_lib run``. Computes the report context once, executes the report
notebooks through the runner (papermill API, fresh kernel per notebook) and publishes a run directory
with the leadership portal."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from cadre_lib.errors import UsageError
from cadre_lib.indicators.engine import records
from cadre_lib.output import write_table
from cadre_lib.report.context import ROOT, ReportContext, build_context
from cadre_lib.report.sections import page_marks

NOTEBOOK_DIR = ROOT / "notebooks"
KNOWN_NOTEBOOKS = ("overview", "unit", "data_quality")
UNIT_SELECTORS = ("default", "all", "none", "departments", "districts", "communes")
#: Modules the runner's kernel zygote imports (and warms) before forking a kernel per notebook.
REPORT_PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "cadre_lib.report.preload")


@dataclass
class RunOptions:
    data: str = "data/sample"
    params: str | None = None
    as_of: str | None = None
    units: str | list[str] = "default"
    notebooks: list[str] = field(default_factory=lambda: list(KNOWN_NOTEBOOKS))
    formats: list[str] = field(default_factory=lambda: ["html", "pdf"])
    jobs: int | None = None
    audience: str = "leadership"
    out: str = "reports"
    timeout: int = 900
    progress: bool = False
    job: str | None = None


def select_units(ctx: ReportContext, selection: str | list[str]) -> list[str]:
    """Unit codes for ``default`` (departments and district-level units: children of the roots),
    ``all``, ``none``, ``departments`` / ``districts`` / ``communes`` (children of the roots at level
    tinh / level huyen / units at level xa), or an explicit list (``"VG,KC"``)."""
    units = ctx.units
    roots = set(units.loc[units.parent_id.isna(), "unit_id"])
    top = units[units.parent_id.isin(roots)]
    if isinstance(selection, str) and selection in UNIT_SELECTORS:
        chosen = {
            "default": top,
            "all": units,
            "none": units.iloc[0:0],
            "departments": top[top.level == "tinh"],
            "districts": top[top.level == "huyen"],
            "communes": units[units.level == "xa"],
        }[selection]
        return [str(u) for u in chosen.unit_id]
    wanted = selection if isinstance(selection, list) else [s.strip() for s in selection.split(",") if s.strip()]
    unknown = [u for u in wanted if u not in set(units.unit_id)]
    if unknown:
        raise UsageError(f"--units: unknown unit(s) {', '.join(unknown)}; use a unit code, "
                         f"or one of {', '.join(UNIT_SELECTORS)}")
    return wanted


def _prepare_notebooks(names: list[str], ctx: ReportContext, folder: Path) -> dict[str, Path]:
    """Copies of the notebooks carrying the per-page marks (sample-data band, register date) that the
    PDF renderer prints on every page."""
    out = {}
    for name in names:
        nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
        nb.metadata["cadre"] = page_marks(ctx)
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, path)
        out[name] = path
    return out


def run_reports(opts: RunOptions) -> int:
    from cadre_lib.runner import NotebookJob, RunLock, get_job, load_schedule, run_batch

    out_root = Path(opts.out)
    if opts.job:
        job = get_job(load_schedule(ROOT / "parameters" / "schedule.yaml"), opts.job)
        opts.notebooks, opts.units, opts.audience = list(job.notebooks), job.units, job.audience
        opts.formats = list(job.formats)
        if not opts.as_of:
            opts.as_of = job.as_of_date().isoformat()
    bad = [n for n in opts.notebooks if n not in KNOWN_NOTEBOOKS]
    if bad:
        raise UsageError(f"unknown notebook(s) {bad}; known: {', '.join(KNOWN_NOTEBOOKS)}")
    bad_formats = [f for f in opts.formats if f not in ("html", "pdf")]
    if bad_formats or not opts.formats:
        raise UsageError(f"--formats: use html, pdf or html,pdf (got {','.join(opts.formats)})")
    if opts.audience not in ("leadership", "analyst"):
        raise UsageError("--audience must be leadership or analyst")
    out_root.mkdir(parents=True, exist_ok=True)
    with RunLock(out_root, job=opts.job), tempfile.TemporaryDirectory(prefix="cadre-run-") as tmp:
        tmpdir = Path(tmp)
        latest = out_root / "latest"
        log(f"loading the register {opts.data} ...")
        ctx = build_context(opts.data, opts.params, opts.as_of, audience=opts.audience,
                            previous_dir=latest if latest.exists() else None)
        context_file = tmpdir / "context.pkl"
        ctx.save(context_file)  # holds the register only for the analyst audience; never in reports/
        indicators = tmpdir / "indicators.json"
        indicators.write_text(json.dumps(records(ctx.indicators), ensure_ascii=False, indent=1), encoding="utf-8")
        indicators_xlsx = tmpdir / "indicators.xlsx"
        write_table(ctx.indicators, str(indicators_xlsx), "xlsx")
        notebooks = _prepare_notebooks(opts.notebooks, ctx, tmpdir)
        common = {
            "data_dir": str(Path(opts.data).resolve()),
            "params_file": str(Path(opts.params).resolve()) if opts.params else "",
            "as_of": ctx.as_of.isoformat(),
            "audience": opts.audience,
            "context_file": str(context_file),
        }
        jobs = []
        if "overview" in notebooks:
            jobs.append(NotebookJob("overview", notebooks["overview"], dict(common), "overview", scope="Toàn tỉnh"))
        if "unit" in notebooks:
            for unit in select_units(ctx, opts.units):
                jobs.append(NotebookJob(f"unit-{unit}", notebooks["unit"], {**common, "unit_id": str(unit)},
                                        f"unit-{unit}", scope=ctx.unit_name(unit)))
        if "data_quality" in notebooks:
            jobs.append(NotebookJob("data_quality", notebooks["data_quality"], dict(common), "data_quality",
                                    scope="Chất lượng dữ liệu"))
        if not jobs:
            raise UsageError("nothing to run: no notebook and no unit selected")
        log(f"{len(jobs)} report(s), as_of {ctx.as_of.strftime('%d/%m/%Y')}, audience {opts.audience}")
        manifest = {
            "inputs": {"register": str(Path(opts.data).resolve()), "sha256": ctx.provenance["files"]},
            "parameters": ctx.provenance["parameters"],
            "parameters_file": ctx.provenance["parameters_file"],
            "audience": opts.audience,
            "job": opts.job,
            "units": opts.units,
        }
        result = run_batch(
            jobs, out_root, formats=set(opts.formats), n_jobs=opts.jobs, timeout=opts.timeout,
            manifest_extra=manifest, sample_data=ctx.is_sample, progress=True, force_progress=opts.progress,
            as_of=ctx.as_of, cwd=ROOT, preload=REPORT_PRELOAD,
            job_name=opts.job, lock=False,
            extra_files={"indicators.json": indicators, "indicators.xlsx": indicators_xlsx},
        )
    for r in result.failed:
        err = r.error
        what = f"{err.ename}: {err.evalue}" if err else "failed"
        log(f"FAILED {r.job.name}: {what}")
    state = "all reports succeeded" if result.ok else f"{len(result.failed)} report(s) FAILED"
    log(f"{state}; run directory {result.run_dir}" + ("; reports/latest updated" if result.latest_moved else
                                                       "; reports/latest NOT moved"))
    return result.exit_code


def log(message: str) -> None:
    stamp = dt.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)
