"""The ``salesops-nb`` command.

Every subcommand imports what it needs when it runs, so ``salesops-nb --help`` stays fast.
A SalesOpsError is printed as its one-paragraph message and hint, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from salesops_nb.backends import ENGINES
from salesops_nb.errors import ReportError, SalesOpsError

__all__ = ["main"]

_EXIT_USER_ERROR = 2
_EXIT_RUN_FAILED = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        args.handler(args)
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return _EXIT_RUN_FAILED
    except SalesOpsError as err:
        print(f"error: {err}", file=sys.stderr)
        return _EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesops-nb",
        description="Notebook templates and reports for the four sales-operations fundamentals.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    templates = commands.add_parser("templates", help="list the available templates")
    _add_user_dir(templates)
    templates.set_defaults(handler=_cmd_templates)

    new = commands.add_parser(
        "new",
        help="copy a template into a folder as a new notebook (not run)",
        description="Copy a template into DEST as <template>.ipynb (then <template>-2.ipynb, ...); "
        "an existing file is never overwritten.",
    )
    new.add_argument("template", help="template name (see `salesops-nb templates`) or .ipynb path")
    new.add_argument("dest", nargs="?", default=".", help="folder to create it in (default: .)")
    _add_parameter_options(new)
    _add_user_dir(new)
    new.set_defaults(handler=_cmd_new)

    run = commands.add_parser(
        "run",
        help="run a template headless into a notebook and an HTML report",
        description="Execute a template with papermill and export a self-contained HTML report.",
    )
    run.add_argument("template", help="template name (see `salesops-nb templates`) or .ipynb path")
    _add_parameter_options(run)
    run.add_argument(
        "--data", metavar="PATH", help="data file (CSV, XLSX or Parquet); sets data_path"
    )
    run.add_argument(
        "--engine",
        choices=ENGINES,
        help="where the data is processed (sets the template's engine parameter): pandas, "
        "polars, duckdb or spark",
    )
    run.add_argument(
        "--spark-master",
        metavar="URL",
        help="Spark master URL with --engine spark, e.g. spark://host:7077 (default local[2])",
    )
    run.add_argument(
        "--out", metavar="DIR", default="reports", help="output folder (default: reports)"
    )
    _add_timeout(run)
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_user_dir(run)
    run.set_defaults(handler=_cmd_run)

    batch = commands.add_parser(
        "batch",
        help="run a template once per combination of parameter values, in parallel",
        description="Run one report per combination of the --over values (e.g. one per "
        "region) in worker processes, write an index.html linking them with their status, and "
        "list the failures at the end (exit code 1 if any run failed).",
    )
    batch.add_argument("template", help="template name (see `salesops-nb templates`) or .ipynb")
    batch.add_argument(
        "--over",
        action="append",
        default=[],
        metavar="NAME=V1,V2",
        help="a parameter and its values, one report each (repeatable: every combination)",
    )
    batch.add_argument(
        "--jobs", type=_positive_int, default=1, help="reports run at the same time (default 1)"
    )
    _add_parameter_options(batch)
    batch.add_argument(
        "--out", metavar="DIR", default="reports", help="output folder (default: reports)"
    )
    _add_timeout(batch)
    batch.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    _add_user_dir(batch)
    batch.set_defaults(handler=_cmd_batch)

    status = commands.add_parser(
        "status",
        help="list a workspace's artefacts, their checks and broken links",
        description="List the artefacts of a workspace with their last change, the number of "
        "coaching-check findings and of links that cannot be followed.",
    )
    status.add_argument(
        "workspace",
        nargs="?",
        default="salesops-workspace",
        help="workspace folder (default: salesops-workspace)",
    )
    status.set_defaults(handler=_cmd_status)

    sample = commands.add_parser("sample", help="write the built-in sample CRM data to files")
    sample.add_argument(
        "--rows", type=_positive_int, default=5000, help="opportunities (default 5000)"
    )
    sample.add_argument(
        "--out", metavar="DIR", default="sample-data", help="folder (default: sample-data)"
    )
    sample.add_argument("--format", choices=["csv", "xlsx", "parquet"], default="csv")
    sample.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    sample.add_argument("--messy", action="store_true", help="plant data-quality flaws")
    sample.set_defaults(handler=_cmd_sample)

    demo = commands.add_parser(
        "demo",
        help="generate sample data, run every template, write an index.html",
        description="Generate sample data into a workspace, run every bundled template headless "
        "and write an index.html linking the reports.",
    )
    demo.add_argument(
        "--workspace",
        metavar="DIR",
        default="salesops-workspace",
        help="workspace folder (default: salesops-workspace)",
    )
    demo.add_argument(
        "--rows", type=_positive_int, default=5000, help="opportunities (default 5000)"
    )
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def _add_parameter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="set a template parameter (repeatable); checked against the template's parameters",
    )
    parser.add_argument("--params", metavar="FILE", help="YAML file of parameter values")


def _add_user_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user-templates",
        metavar="DIR",
        type=Path,
        default=None,
        help="folder of your own templates (default: $SALESOPS_NB_TEMPLATES)",
    )


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        help="stop a run when one of its cells runs longer than this (default: no limit)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {value}")
    return value


def _version() -> str:
    from salesops_nb import __version__

    return __version__


def _parameters(args: argparse.Namespace, template) -> dict:
    """Merge the YAML file and -p values (command line wins), type-checked against the template."""
    from salesops_nb.parameters import coerce_parameters, load_parameter_file

    values = {}
    if args.params:
        values.update(coerce_parameters(template, load_parameter_file(args.params)))
    values.update(coerce_parameters(template, dict(args.parameter), from_strings=True))
    return values


def _cmd_templates(args: argparse.Namespace) -> None:
    from salesops_nb.templates import list_templates

    for template in list_templates(args.user_templates):
        print(f"{template.name:<24} {template.title}")
        if template.description:
            print(f"{'':<24} {template.description}")
        for p in template.parameters:
            print(f"{'':<26}{p.name}: {p.type} = {p.default!r}  # {p.help}")


def _cmd_new(args: argparse.Namespace) -> None:
    from salesops_nb.scaffold import create_notebook
    from salesops_nb.templates import get_template

    template = get_template(args.template, args.user_templates)
    path = create_notebook(template, args.dest, _parameters(args, template))
    print(f"Created {path}")


def _cmd_run(args: argparse.Namespace) -> None:
    from salesops_nb.report import run_template
    from salesops_nb.templates import get_template

    template = get_template(args.template, args.user_templates)
    parameters = _parameters(args, template)
    if args.data:
        parameters.update(_data_parameter(template, args.data))
    if args.engine or args.spark_master:
        parameters.update(_engine_parameters(template, args.engine, args.spark_master))
    report = run_template(
        args.template,
        parameters,
        out_dir=args.out,
        user_dir=args.user_templates,
        progress=not args.no_progress,
        timeout=args.timeout,
    )
    print(f"Notebook: {report.notebook}\nReport:   {report.html}")


def _data_parameter(template, data: str) -> dict:
    from salesops_nb.errors import ParameterError

    if template.parameter("data_path") is None:
        raise ParameterError(
            f"Template {template.name!r} takes no data file (it has no data_path parameter).",
            hint="Run it without --data, or pick a template listed by `salesops-nb templates`.",
        )
    return {"data_path": data}


def _engine_parameters(template, engine: str | None, master: str | None) -> dict:
    from salesops_nb.errors import ParameterError

    wanted = {"engine": engine, "spark_master": master}
    values = {name: value for name, value in wanted.items() if value}
    for name in values:
        if template.parameter(name) is None:
            option = "--" + name.replace("_", "-")
            raise ParameterError(
                f"Template {template.name!r} has no {name} parameter, so {option} cannot "
                "apply to it.",
                hint="Run it without the option: it processes its data with pandas.",
            )
    if master and (engine or template.parameter("engine").default) != "spark":
        raise ParameterError(
            "--spark-master only applies with --engine spark.",
            hint="Add --engine spark, or drop --spark-master.",
        )
    return values


def _cmd_batch(args: argparse.Namespace) -> None:
    from salesops_nb.batch import parse_over, run_batch
    from salesops_nb.templates import get_template

    template = get_template(args.template, args.user_templates)
    result = run_batch(
        args.template,
        parse_over(args.over),
        _parameters(args, template),
        out_dir=args.out,
        jobs=args.jobs,
        user_dir=args.user_templates,
        progress=not args.no_progress,
        timeout=args.timeout,
    )
    print(result.summary())
    if result.failed:
        raise ReportError(
            f"{len(result.failed)} of {len(result.runs)} runs failed: "
            + "; ".join(run.label for run in result.failed)
            + ".",
            hint=f"The reasons are listed above and in {result.index}.",
        )


def _cmd_status(args: argparse.Namespace) -> None:
    from salesops_nb.status import workspace_status

    print(workspace_status(args.workspace).render())


def _cmd_sample(args: argparse.Namespace) -> None:
    from salesops_nb.data.sample import generate_crm, write_sample

    crm = generate_crm(args.rows, seed=args.seed, messy=args.messy)
    for table, path in write_sample(crm, args.out, args.format).items():
        print(f"{table:<14} {path}")


def _cmd_demo(args: argparse.Namespace) -> None:
    from salesops_nb.demo import run_demo

    result = run_demo(args.workspace, rows=args.rows, progress=not args.no_progress)
    print(result.summary())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
