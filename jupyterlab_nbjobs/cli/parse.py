"""The command line's arguments: argparse for each command's own options, values read the
way papermill's `-p` reads them."""

from __future__ import annotations

import argparse
import json
from typing import Any


class CliError(Exception):
    pass


def parse_value(raw: str) -> Any:
    """A parameter value as papermill's -p reads it: JSON if it parses, else a string."""
    literals = {"True": True, "False": False, "None": None}
    if raw in literals:
        return literals[raw]
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    grid: dict[str, list[Any]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not name:
            raise CliError(f"--grid wants NAME=V1,V2,... got {item!r}")
        grid[name] = [parse_value(v) for v in values.split(",") if v != ""]
    return grid


def parse_env(items: list[str]) -> dict[str, str]:
    env = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--env/--option want NAME=VALUE, got {item!r}")
        env[name] = value
    return env


def _job_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("notebook", help="notebook path relative to --root-dir")
    p.add_argument("-p", "--parameter", dest="parameters", nargs=2, action="append",
                   default=[], metavar=("NAME", "VALUE"), help="JSON values keep their type")
    p.add_argument("--name")
    p.add_argument("--kernel")
    p.add_argument("--format", action="append", default=[], help="extra output format")
    p.add_argument("--package-folder", action="store_true",
                   help="copy the notebook's folder so relative paths work")
    p.add_argument("--tag", action="append", default=[])
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--timeout", type=float, help="seconds")
    p.add_argument("--retries", type=int, default=0)
    p.add_argument("--backend", help="where it runs: local (default), sagemaker, ...")
    p.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                   help="a backend option, e.g. instance_type=ml.m5.xlarge (JSON values "
                   "keep their type)")


def job_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The JobSettings fields that `run` and `schedule create` share."""
    fields = dict(input_path=args.notebook, name=args.name, kernel_name=args.kernel,
                  parameters={n: parse_value(v) for n, v in args.parameters},
                  output_formats=["ipynb", *args.format],
                  package_input_folder=args.package_folder, env=parse_env(args.env),
                  timeout_seconds=args.timeout, max_retries=args.retries, tags=args.tag,
                  backend_options={n: parse_value(v) for n, v in parse_env(args.option).items()})
    if args.backend:
        fields["backend"] = args.backend
    return fields


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter nbjobs", allow_abbrev=False,
        description="Run, list, show, stop and schedule notebook jobs from a shell.",
        epilog="Settings come from the server's Jupyter config files (c.NbJobsApp.*, "
        "c.LocalBackend.*, c.SageMakerConfig.*) and from --Class.trait=value options.")
    parser.add_argument("--db-url", help="default: $NBJOBS_DB_URL, else c.NbJobsApp.db_url")
    parser.add_argument("--staging-dir",
                        help="default: $NBJOBS_STAGING_DIR, else c.NbJobsApp.staging_dir")
    parser.add_argument("--root-dir", help="default: c.ServerApp.root_dir, else the current "
                        "directory")
    parser.add_argument("--outputs-folder")
    parser.add_argument("--max-concurrent-jobs", type=int)
    parser.add_argument("--max-sweep-combinations", type=int)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run a notebook now and show its progress")
    _job_options(run)
    run.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2",
                     help="sweep: one job per combination")

    lst = sub.add_parser("list", help="list jobs, newest first")
    lst.add_argument("--status")
    lst.add_argument("--schedule")
    lst.add_argument("--sweep")
    lst.add_argument("--limit", type=int, default=50)
    lst.add_argument("--json", action="store_true")
    for name, text in [("show", "a job as JSON"), ("stop", "stop a job")]:
        sub.add_parser(name, help=text).add_argument("id")
    logs = sub.add_parser("logs", help="a job's log")
    logs.add_argument("id")
    logs.add_argument("-f", "--follow", action="store_true")

    sched = sub.add_parser("schedule", help="create, list, pause, resume, delete schedules")
    ssub = sched.add_subparsers(dest="action", required=True)
    create = ssub.add_parser("create")
    _job_options(create)
    create.add_argument("--cron", required=True, help="5 fields, or daily at HH:MM, ...")
    create.add_argument("--timezone", "--tz", default="UTC")
    create.add_argument("--overlap", choices=["skip", "allow"], default="skip")
    create.add_argument("--catchup", choices=["skip", "once", "each"], default="once")
    create.add_argument("--catchup-limit", type=int, default=10)
    create.add_argument("--start")
    create.add_argument("--end")
    create.add_argument("--paused", action="store_true")
    ssub.add_parser("list")
    for action in ("pause", "resume"):
        ssub.add_parser(action).add_argument("id")
    delete = ssub.add_parser("delete")
    delete.add_argument("id")
    delete.add_argument("--delete-runs", action="store_true")

    # Commands that need no job store bring their own parsers (commands.STANDALONE).
    from .commands import STANDALONE

    for command in STANDALONE.values():
        command.add_parser(sub)
    return parser


