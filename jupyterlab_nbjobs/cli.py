"""`jupyter nbjobs ...`: run, list, show, logs, stop and schedule notebooks from a shell.

The command works on the job store directly, through the same services as the REST API
(JobService, ScheduleService, SweepService), so the same rules and messages apply. It needs
no running server: `run` starts its job with the local backend itself and shows progress
until the job ends (the runner is detached, so a Ctrl-C leaves the job running; a server on
the same store adopts it when it starts). Schedules created here are picked up by a running
server within NbJobsApp.scheduler_poll_interval.

Point it at the server's store with --db-url/--staging-dir (default: the same defaults as
the server, in the Jupyter data dir) and at the server root with --root-dir (default: the
current directory). Exit codes: 0 done (job completed), 1 job failed or was stopped,
2 bad input (with a message on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import InvalidRequest, NbJobsError

FINAL = ("completed", "failed", "stopped")


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
            raise CliError(f"--env wants NAME=VALUE, got {item!r}")
        env[name] = value
    return env


class CliError(Exception):
    pass


class Context:
    """The services a server builds, built here on the same store."""

    def __init__(self, args: argparse.Namespace):
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_core.paths import jupyter_data_dir

        from .backends.local import LocalBackend
        from .services.jobs import JobService
        from .services.schedules import ScheduleService
        from .services.sweeps import SweepService
        from .store import Database, JobStore
        from .store.schedules import ScheduleStore, SweepStore

        data = os.path.join(jupyter_data_dir(), "nbjobs")  # the server's defaults (app.py)
        staging = args.staging_dir or os.path.join(data, "jobs")
        db_url = args.db_url or "sqlite:///" + os.path.join(data, "nbjobs.sqlite")
        self.db = Database(db_url)
        self.db.migrate()
        ksm = KernelSpecManager()
        self.jobs = JobService(JobStore(self.db), root_dir=os.path.abspath(args.root_dir),
                               staging_dir=staging, outputs_folder=args.outputs_folder,
                               kernel_specs=ksm.get_all_specs)
        # A warm pool pays off in a long-lived server, not in one command that runs and exits.
        self.backend = LocalBackend(self.jobs, max_concurrent_jobs=args.max_concurrent_jobs,
                                    warm_pool=False)
        self.jobs.add_backend(self.backend, default=True)
        self.schedules = ScheduleService(
            ScheduleStore(self.db), self.jobs,
            os.path.join(os.path.dirname(os.path.abspath(staging)), "schedules"))
        self.sweeps = SweepService(SweepStore(self.db), self.jobs,
                                   max_combinations=args.max_sweep_combinations)

    async def close(self) -> None:
        """Wait for the runs this command started, so that their ends get recorded."""
        started = [j for j, w in self.backend._watched.items() if not w.finished]
        if started:
            await asyncio.gather(*(self.jobs.wait_final(j, 24 * 3600) for j in started))
        await self.jobs.close()
        self.db.dispose()


# -- output -----------------------------------------------------------------------------------
def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def job_line(job) -> str:
    cells = f"{job.progress.cells_done}/{job.progress.cells_total}"
    created = job.created_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{job.id}  {job.status.value:<9}  {cells:>7}  {created}  {job.name}"


class Progress:
    """One line per job, rewritten in place on a terminal, appended otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.last: dict[str, str] = {}

    def show(self, job) -> None:
        done, total = job.progress.cells_done, job.progress.cells_total
        bar = ""
        if total:
            filled = int(20 * done / total)
            bar = f" [{'#' * filled}{'.' * (20 - filled)}] {done}/{total} cells"
        line = f"{job.name}: {job.status.value}{bar}"
        if self.last.get(job.id) == line:
            return
        self.last[job.id] = line
        sys.stderr.write(("\r\033[K" if self.tty else "") + line + ("" if self.tty else "\n"))
        sys.stderr.flush()

    def end(self) -> None:
        if self.tty:
            sys.stderr.write("\n")


async def follow(ctx: Context, job_ids: list[str]) -> list:
    progress = Progress()
    while True:
        jobs = [await ctx.jobs.get(j) for j in job_ids]
        if len(jobs) == 1:
            progress.show(jobs[0])
        else:
            counts: dict[str, int] = {}
            for job in jobs:
                counts[job.status.value] = counts.get(job.status.value, 0) + 1
            line = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            if progress.last.get("*") != line:
                progress.last["*"] = line
                sys.stderr.write(("\r\033[K" if progress.tty else "") + f"sweep: {line}"
                                 + ("" if progress.tty else "\n"))
                sys.stderr.flush()
        if all(j.status.value in FINAL for j in jobs):
            progress.end()
            return jobs
        await asyncio.sleep(0.2)


# -- commands ---------------------------------------------------------------------------------
async def cmd_run(ctx: Context, args) -> int:
    from .models import JobCreate, SweepCreate

    fields = dict(input_path=args.notebook, name=args.name, kernel_name=args.kernel,
                  parameters={n: parse_value(v) for n, v in args.parameters},
                  output_formats=["ipynb", *args.format],
                  package_input_folder=args.package_folder, env=parse_env(args.env),
                  timeout_seconds=args.timeout, max_retries=args.retries, tags=args.tag)
    start = time.monotonic()
    if args.grid:
        sweep = await ctx.sweeps.create(SweepCreate(**fields, grid=parse_grid(args.grid)),
                                        os.environ.get("USER"))
        for warning in sweep.warnings:
            sys.stderr.write(f"warning: {warning}\n")
        out(f"sweep {sweep.id}: {sweep.total} jobs")
        jobs = await follow(ctx, [i.job_id for i in sweep.items])
    else:
        job, _ = await ctx.jobs.create(JobCreate(**fields), os.environ.get("USER"))
        from .services.schedules import unknown_parameter_warnings

        notebook = Path(ctx.jobs.root_dir) / args.notebook
        for warning in unknown_parameter_warnings(notebook, list(fields["parameters"])):
            sys.stderr.write(f"warning: {warning}\n")
        out(f"job {job.id}")
        jobs = await follow(ctx, [job.id])
    elapsed = time.monotonic() - start
    for job in jobs:
        out(f"{job.status.value}: {job.name} -> {job.output_path}")
        if job.error:
            where = f" in cell {job.error.cell_index}" if job.error.cell_index is not None else ""
            out(f"  {job.error.ename or job.error.reason}{where}: "
                f"{job.error.evalue or job.error.message}")
    out(f"{len(jobs)} job(s) in {elapsed:.1f} s")
    return 0 if all(j.status.value == "completed" for j in jobs) else 1


async def cmd_list(ctx: Context, args) -> int:
    from .services.jobs import job_status
    from .store.jobs import JobQuery

    statuses = [job_status(s).value for s in (args.status or "").split(",") if s]
    jobs, _ = await ctx.jobs.list(JobQuery(statuses=statuses, schedule_id=args.schedule,
                                           sweep_id=args.sweep, limit=args.limit))
    if args.json:
        out(json.dumps([j.model_dump(mode="json") for j in jobs], indent=1))
        return 0
    for job in jobs:
        out(job_line(job))
    if not jobs:
        out("no jobs")
    return 0


async def cmd_show(ctx: Context, args) -> int:
    out((await ctx.jobs.get(args.id)).model_dump_json(indent=2))
    return 0


async def cmd_logs(ctx: Context, args) -> int:
    from .services import outputs

    offset = 0
    while True:
        row = await ctx.jobs.get_row(args.id)
        chunk = await asyncio.to_thread(outputs.read_log, ctx.jobs.root_dir, row, offset, None)
        if chunk["text"]:
            sys.stdout.write(chunk["text"])
            sys.stdout.flush()
        offset = chunk["offset"]
        if not args.follow or chunk["complete"]:
            return 0
        await asyncio.sleep(0.3)


async def cmd_stop(ctx: Context, args) -> int:
    from .backends.base import ActiveRun

    row = await ctx.jobs.get_row(args.id)
    if row["status"] in ("running", "stopping") and row["backend"] == ctx.backend.name:
        # The run belongs to whoever started it: adopt it here so that stop can end it.
        await ctx.backend.reconcile([ActiveRun(job_id=row["id"], attempt=row["attempts"],
                                               job_dir=Path(row["job_dir"]),
                                               handle=row["handle"] or {})])
    job = await ctx.jobs.stop(args.id)
    await ctx.jobs.wait_final(args.id, 60)
    job = await ctx.jobs.get(args.id)
    out(f"{job.id}: {job.status.value}")
    return 0


async def cmd_schedule(ctx: Context, args) -> int:
    from .models import ScheduleCreate

    svc = ctx.schedules
    if args.action == "create":
        sched = await svc.create(ScheduleCreate(
            input_path=args.notebook, name=args.name, kernel_name=args.kernel, cron=args.cron,
            timezone=args.timezone, parameters={n: parse_value(v) for n, v in args.parameters},
            output_formats=["ipynb", *args.format], package_input_folder=args.package_folder,
            overlap_policy=args.overlap, catchup_policy=args.catchup,
            catchup_limit=args.catchup_limit, active=not args.paused, start_at=args.start,
            end_at=args.end, tags=args.tag, env=parse_env(args.env),
            timeout_seconds=args.timeout, max_retries=args.retries), os.environ.get("USER"))
        for warning in sched.warnings:
            sys.stderr.write(f"warning: {warning}\n")
        out(f"schedule {sched.id}: {sched.cron_description} ({sched.timezone})")
        for t in sched.next_fire_times:
            out(f"  next: {t.isoformat()}")
    elif args.action == "list":
        schedules = await svc.list()
        for s in schedules:
            nxt = s.next_fire_at.isoformat() if s.next_fire_at else "-"
            state = "active" if s.active else "paused"
            out(f"{s.id}  {state:<6}  {s.cron:<16} {s.timezone:<16} next {nxt}  {s.name}")
        if not schedules:
            out("no schedules")
    elif args.action in ("pause", "resume"):
        sched = await getattr(svc, args.action)(args.id)
        out(f"{sched.id}: {'active' if sched.active else 'paused'}")
    elif args.action == "delete":
        await svc.delete(args.id, delete_runs=args.delete_runs)
        out(f"{args.id}: deleted" + (" with its runs" if args.delete_runs else ""))
    return 0


# -- argument parsing -------------------------------------------------------------------------
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jupyter nbjobs", description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=os.environ.get("NBJOBS_DB_URL"))
    parser.add_argument("--staging-dir", default=os.environ.get("NBJOBS_STAGING_DIR"))
    parser.add_argument("--root-dir", default=".")
    parser.add_argument("--outputs-folder", default="nbjobs-outputs")
    parser.add_argument("--max-concurrent-jobs", type=int, default=None)
    parser.add_argument("--max-sweep-combinations", type=int, default=1000)
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
    return parser


COMMANDS = {"run": cmd_run, "list": cmd_list, "show": cmd_show, "logs": cmd_logs,
            "stop": cmd_stop, "schedule": cmd_schedule}


async def _main(args) -> int:
    ctx = Context(args)
    try:
        return await COMMANDS[args.command](ctx, args)
    finally:
        await ctx.close()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return asyncio.run(_main(args))
    except (NbJobsError, CliError) as exc:
        message = getattr(exc, "message", str(exc))
        sys.stderr.write(f"error: {message}\n")
        status = getattr(exc, "status_code", 400)
        return 2 if status < 500 else 1
    except ValidationError as exc:
        sys.stderr.write(f"error: {InvalidRequest.from_validation(exc).message}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; the job keeps running (see `jupyter nbjobs list`)\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
