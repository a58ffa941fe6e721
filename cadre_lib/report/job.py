"""The main job: ``python -m cadre_lib run``. Computes the report context once, executes the report
notebooks through the runner (papermill API, fresh kernel per notebook) and publishes a run directory
with the leadership portal."""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat

from cadre_lib.core.files import PROJECT_ROOT, make_dirs
from cadre_lib.core.scope import AUDIENCES, LEADERSHIP, Audience
from cadre_lib.errors import UsageError
from cadre_lib.indicators.engine import records
from cadre_lib.output import write_table
from cadre_lib.report.context import ReportContext, build_context
from cadre_lib.report.sections import page_marks
from cadre_lib.report.tables import portal_scorecard
from cadre_lib.runner.config import DEFAULT_PRELOAD, FORMATS, RunConfig

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
SCHEDULE_FILE = PROJECT_ROOT / "parameters" / "schedule.yaml"
KNOWN_NOTEBOOKS = ("overview", "unit", "data_quality")
#: Modules the runner's kernel zygote imports before forking a kernel per notebook: the report notebooks draw
#: inline SVG, so matplotlib (in the runner's DEFAULT_PRELOAD) is left out.
REPORT_PRELOAD = (*(m for m in DEFAULT_PRELOAD if not m.startswith("matplotlib")), "cadre_lib.report.preload")


@dataclass
class RunOptions:
    """What to report on (``run``'s options); ``config`` says how the runner runs (``--formats``,
    ``--jobs``, ``--timeout``, ``--progress``, ``--job`` as ``job_name``)."""

    data: str = "data/sample"
    params: str | None = None
    as_of: str | None = None
    units: str | list[str] = "default"
    notebooks: list[str] = field(default_factory=lambda: list(KNOWN_NOTEBOOKS))
    audience: Audience = LEADERSHIP
    out: str = "reports"
    config: RunConfig = field(default_factory=lambda: RunConfig(progress=True))


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
    from cadre_lib.runner import ExecutionPool, NotebookJob, RunLock, get_job, load_schedule, run_batch

    out_root = Path(opts.out)
    config = opts.config
    if config.job_name:
        job = get_job(load_schedule(SCHEDULE_FILE), config.job_name)
        opts.notebooks, opts.units, opts.audience = list(job.notebooks), job.units, job.audience
        config = replace(config, formats=tuple(job.formats))
        if not opts.as_of:
            opts.as_of = job.as_of_date().isoformat()
    bad = [n for n in opts.notebooks if n not in KNOWN_NOTEBOOKS]
    if bad:
        raise UsageError(f"unknown notebook(s) {bad}; known: {', '.join(KNOWN_NOTEBOOKS)}")
    bad_formats = [f for f in config.formats if f not in FORMATS]
    if bad_formats or not config.formats:
        raise UsageError(f"--formats: use html, pdf or html,pdf (got {','.join(config.formats)})")
    if opts.audience not in AUDIENCES:
        raise UsageError(f"--audience must be {' or '.join(AUDIENCES)}")
    try:
        make_dirs(out_root, config.dir_mode)  # only if missing: an existing reports/ keeps its mode
    except OSError as exc:
        raise UsageError(f"--out {opts.out}: cannot use it as the reports folder ({exc.strerror or exc})") from exc
    # the workers, their first kernels and the kernel zygote start now and import while the context is built
    config = replace(config, cwd=PROJECT_ROOT, preload=REPORT_PRELOAD, lock=False)  # lock: held below, for the job
    with (
        RunLock(out_root, job=config.job_name),
        tempfile.TemporaryDirectory(prefix="cadre-run-") as tmp,
        ExecutionPool.warm(config) as pool,
    ):
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
        units = ctx.report_units(opts.units) if "unit" in notebooks else []
        if "overview" in notebooks:
            jobs.append(NotebookJob("overview", notebooks["overview"], dict(common), "overview", scope="Toàn tỉnh"))
        if "unit" in notebooks:
            chosen = ctx.report_units(opts.units)
            if not chosen and opts.units != "none":
                log(f"--units {opts.units}: no such unit is valid on {ctx.as_of.strftime('%d/%m/%Y')} (levels of that "
                    f"day: {', '.join(ctx.report_levels)}); no unit report")
            for unit in chosen:
                jobs.append(NotebookJob(f"unit-{unit}", notebooks["unit"], {**common, "unit_id": str(unit)},
                                        f"unit-{unit}", scope=ctx.unit_name(unit)))
        if "data_quality" in notebooks:
            jobs.append(NotebookJob("data_quality", notebooks["data_quality"], dict(common), "data_quality",
                                    scope="Chất lượng dữ liệu"))
        if not jobs:
            raise UsageError(f"nothing to run: no notebook and no unit selected (--units {opts.units} on "
                             f"{ctx.as_of.strftime('%d/%m/%Y')}; levels of that day: {', '.join(ctx.report_levels)})")
        log(f"{len(jobs)} report(s), as_of {ctx.as_of.strftime('%d/%m/%Y')}, audience {opts.audience}")
        manifest = {
            "inputs": {"register": str(Path(opts.data).resolve()), "sha256": ctx.provenance["files"]},
            "parameters": ctx.provenance["parameters"],
            "parameters_file": ctx.provenance["parameters_file"],
            "audience": opts.audience,
            "job": config.job_name,
            "units": opts.units,
        }
        config = replace(config, sample_data=ctx.is_sample, as_of=ctx.as_of)
        scorecard = portal_scorecard(ctx, [(u, f"unit-{u}") for u in units],
                                     total="overview" if "overview" in notebooks else None)
        result = run_batch(
            jobs, out_root, config, manifest_extra=manifest,
            extra_files={"indicators.json": indicators, "indicators.xlsx": indicators_xlsx},
            portal_extra={"scorecard": scorecard} if units or "overview" in notebooks else None, pool=pool,
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
