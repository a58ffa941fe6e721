"""Command line: ``python -m cadre_lib <command>``. Exit codes: 0 ok, 2 bad input or parameters
(message on stderr, no traceback), 1 internal error or failed reports."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cadre_lib import __version__
from cadre_lib.core.files import PROJECT_ROOT
from cadre_lib.core.scope import ALL, AUDIENCES, LEADERSHIP, LEVEL_ALL, UNIT_SELECTORS
from cadre_lib.errors import CadreError, RegisterError, UsageError

DEFAULT_DATA = "data/sample"
MAX_PROBLEMS = 200


def _load(args: argparse.Namespace) -> tuple[Any, Any]:
    from cadre_lib.params import load_params
    from cadre_lib.register.validate import load_register

    params = load_params(args.params, getattr(args, "as_of", None))
    register = load_register(args.data)
    return register, params


def _warn(register: Any) -> None:
    for w in register.warnings:
        print(f"warning: {w}", file=sys.stderr)


def _write_table(frame: Any, out: str | None, fmt: str | None) -> None:
    from cadre_lib.output import write_table

    write_table(frame, out, fmt)


def _validate_json(args: argparse.Namespace) -> int:
    """``validate --format json``: the parameters and the register checked apart, every problem as an object
    (table, file, row, column, value, code, message) on standard output; exit 2 when there is any."""
    import json

    from cadre_lib.errors import ParameterError
    from cadre_lib.params import load_params
    from cadre_lib.register.validate import load_register

    problems: list[dict[str, Any]] = []
    out: dict[str, Any] = {"valid": False}
    try:
        params = load_params(args.params, args.as_of)
        out["as_of"] = params.as_of.isoformat()
    except ParameterError as exc:
        problems.append({"table": "parameters", "file": exc.file or args.params, "row": exc.line,
                         "column": exc.column, "value": None, "code": "invalid_parameters", "message": str(exc)})
    try:
        register = load_register(args.data)
        out.update(register.summary())
    except RegisterError as exc:
        problems.extend(p.as_dict() for p in exc.problems)
    out["valid"] = not problems
    out["problems"] = problems
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, default=str)
    sys.stdout.write("\n")
    return 2 if problems else 0


def cmd_validate(args: argparse.Namespace) -> int:
    if args.format == "json":
        return _validate_json(args)
    register, params = _load(args)
    _warn(register)
    summary = register.summary()
    print(f"register {summary['path']}: valid" + (" (SAMPLE DATA)" if summary["sample_data"] else ""))
    for table, n in summary["rows"].items():
        print(f"  {table:<13} {n:>10,} rows")
    levels = ", ".join(f"{k}: {v}" for k, v in summary["units_by_level"].items())
    print(f"  units by level: {levels}")
    print(f"  {len(register.warnings)} warning(s); parameters: as_of {params.as_of.isoformat()}")
    return 0


def cmd_indicators(args: argparse.Namespace) -> int:
    from cadre_lib.indicators.engine import compute_indicators
    from cadre_lib.output import write_indicators

    register, params = _load(args)
    _warn(register)
    frame = compute_indicators(register, params, boundaries=_boundaries(args))
    write_indicators(frame, args.out, args.format)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from cadre_lib.indicators.engine import Engine

    register, params = _load(args)
    _warn(register)
    frame = Engine(register, params).explain(args.indicator, args.unit, args.level, args.missing,
                                             boundaries=_boundaries(args))
    _write_table(frame, args.out, args.format)
    return 0


def _boundaries(args: argparse.Namespace) -> Any:
    from cadre_lib.params import parse_date

    if not getattr(args, "boundaries", None):
        return None
    try:
        return parse_date(args.boundaries)
    except ValueError as exc:
        raise UsageError(f"--boundaries: {exc}") from None


def cmd_admin_units(args: argparse.Namespace) -> int:
    from cadre_lib.register.admin_units import build

    result = build(args.province)
    paths = result.write(Path(args.out))
    print(f"{result.province}: {len(result.units):,} units, {len(result.successors):,} successor rows -> "
          + ", ".join(map(str, paths)))
    return 0


def cmd_sample_data(args: argparse.Namespace) -> int:
    from cadre_lib.register.sample import generate_sample

    out = Path(args.out)
    if args.cadres < 10:
        raise UsageError("--cadres must be at least 10")
    counts = generate_sample(out, n_cadres=args.cadres, seed=args.seed)
    print(f"sample register written to {out}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from cadre_lib.report.job import KNOWN_NOTEBOOKS, RunOptions, run_reports
    from cadre_lib.runner.config import RunConfig

    config = RunConfig(
        formats=tuple(f.strip() for f in args.formats.split(",") if f.strip()), n_jobs=args.jobs,
        timeout=args.timeout, progress=True, force_progress=args.progress, job_name=args.job,
        group_readable=args.group_readable,
    )
    opts = RunOptions(
        data=args.data, params=args.params, as_of=args.as_of, units=args.units,
        notebooks=[n.strip() for n in (args.notebooks or ",".join(KNOWN_NOTEBOOKS)).split(",") if n.strip()],
        audience=args.audience, out=args.out, config=config,
    )
    return run_reports(opts)


def cmd_schedule(args: argparse.Namespace) -> int:
    from cadre_lib.report.job import SCHEDULE_FILE
    from cadre_lib.runner import crontab_lines, load_schedule, systemd_units

    schedule = load_schedule(Path(args.schedule) if args.schedule else SCHEDULE_FILE)
    python = args.python or sys.executable
    if args.format in ("cron", "both"):
        print(crontab_lines(schedule, PROJECT_ROOT, python))
    if args.format in ("systemd", "both"):
        print(systemd_units(schedule, PROJECT_ROOT, python))
    return 0


def _common(p: argparse.ArgumentParser, as_of: bool = True) -> None:
    p.add_argument("--data", default=DEFAULT_DATA, help="register folder or workbook (default: %(default)s)")
    p.add_argument("--params", default=None, help="parameters file (default: parameters/default.yaml)")
    if as_of:
        p.add_argument("--as-of", dest="as_of", default=None, help="reference date, overrides the parameters")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cadre-monitor", description=__doc__)
    parser.add_argument("--version", action="version", version=f"cadre-monitor {__version__}")
    parser.add_argument("--max-problems", type=int, default=MAX_PROBLEMS,
                        help="how many register problems to print (0 = all; default %(default)s)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a register against the data contract")
    _common(p)
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="json: the summary or every problem as objects on standard output (default: %(default)s)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("indicators", help="compute every indicator for every unit and level")
    _common(p)
    p.add_argument("--format", choices=["json", "csv", "xlsx"], default=None,
                   help="output format (default: from --out's extension, else json)")
    p.add_argument("--out", default=None, help="output file (default: standard output)")
    p.add_argument("--boundaries", default=None, help="boundaries date R: units as on that day (default: as_of)")
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("explain", help="the people or rows behind one number")
    _common(p)
    p.add_argument("--indicator", required=True)
    p.add_argument("--unit", default=ALL, help=f"unit id or {ALL} (default)")
    p.add_argument("--level", default=LEVEL_ALL, help=f"{LEVEL_ALL} (default) or one level")
    p.add_argument("--missing", action="store_true",
                   help="keep only those still to act on (outside the numerator; inside it for lower-is-better)")
    p.add_argument("--format", choices=["csv", "xlsx", "json"], default=None)
    p.add_argument("--out", default=None)
    p.add_argument("--boundaries", default=None, help="boundaries date R: units as on that day (default: as_of)")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("admin-units", help="units.csv + unit_successors.csv of a province before and after 7/2025 "
                       "(needs the [admin] extra: vietnamadminunits)")
    p.add_argument("--province", required=True, help="province of today: code (33), name (Hưng Yên) or key")
    p.add_argument("--out", required=True, help="folder to write into")
    p.set_defaults(func=cmd_admin_units)

    p = sub.add_parser("sample-data", help="write a deterministic synthetic register")
    p.add_argument("--out", required=True)
    p.add_argument("--cadres", type=int, default=20000)
    p.add_argument("--seed", type=int, default=2024)
    p.set_defaults(func=cmd_sample_data)

    p = sub.add_parser("run", help="execute and render the report notebooks (the main job)")
    _common(p)
    others = ", ".join(s for s in UNIT_SELECTORS if s != "default")
    p.add_argument("--units", default="default",
                   help=f"default (departments and district-level units), {others}, or unit codes ID,ID,...")
    p.add_argument("--notebooks", default=None, help="overview,unit,data_quality (default: all three)")
    p.add_argument("--formats", default="html,pdf", help="html,pdf (default), html or pdf")
    p.add_argument("--jobs", type=int, default=None, help="parallel kernels (default: CPU count)")
    p.add_argument("--audience", default=LEADERSHIP, choices=list(AUDIENCES),
                   help="leadership (no personal names, default) or analyst (named action lists)")
    p.add_argument("--out", default="reports", help="reports folder (default: %(default)s)")
    p.add_argument("--timeout", type=int, default=900, help="seconds per notebook (default: %(default)s)")
    p.add_argument("--job", default=None, help="a job of parameters/schedule.yaml (as_of from its rule)")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
    p.add_argument("--group-readable", action="store_true",
                   help="run folders 0750 and files 0640 (readable by their group) instead of 0700/0600; "
                        "see docs/security.md")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("schedule", help="print crontab lines / systemd timers for the scheduled jobs")
    p.add_argument("--schedule", default=None, help="schedule file (default: parameters/schedule.yaml)")
    p.add_argument("--format", choices=["cron", "systemd", "both"], default="both")
    p.add_argument("--python", default=None, help="interpreter to run (default: this one)")
    p.set_defaults(func=cmd_schedule)
    return parser


def _print_error(exc: CadreError, max_problems: int) -> None:
    if isinstance(exc, RegisterError):
        probs = exc.problems
        shown = probs if max_problems <= 0 else probs[:max_problems]
        print(f"error: the register has {len(probs)} problem{'s' if len(probs) != 1 else ''}:", file=sys.stderr)
        for pr in shown:
            print(f"  - {pr}", file=sys.stderr)
        if len(shown) < len(probs):
            print(f"  ... and {len(probs) - len(shown)} more (use --max-problems 0 to list all)", file=sys.stderr)
    else:
        print(f"error: {exc}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except CadreError as exc:
        _print_error(exc, args.max_problems)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # internal error: say so, keep the traceback for bug reports
        import traceback

        traceback.print_exc()
        print(f"internal error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
