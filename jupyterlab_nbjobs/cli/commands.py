"""One coroutine per command, each acting through the services the composition root built."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .output import follow, job_line, out
from .parse import job_settings, parse_grid

if TYPE_CHECKING:
    from ..composition import NbJobs


async def cmd_run(ctx: NbJobs, args) -> int:
    from ..models import JobCreate, SweepCreate

    fields = job_settings(args)
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
        from ..services.schedules import unknown_parameter_warnings

        notebook = Path(ctx.jobs.root_dir) / args.notebook
        for warning in unknown_parameter_warnings(notebook, list(fields["parameters"])):
            sys.stderr.write(f"warning: {warning}\n")
        out(f"job {job.id}")
        jobs = await follow(ctx, [job.id])
    elapsed = time.monotonic() - start
    for job in jobs:
        out(f"{job.status.value}: {job.name} -> {job.output_path}")
        if job.error:
            where = f" in cell {job.error.cell_index + 1}" if job.error.cell_index is not None else ""
            out(f"  {job.error.ename or job.error.reason}{where}: "
                f"{job.error.evalue or job.error.message}")
    out(f"{len(jobs)} job(s) in {elapsed:.1f} s")
    return 0 if all(j.status.value == "completed" for j in jobs) else 1


async def cmd_list(ctx: NbJobs, args) -> int:
    from ..models import JobListQuery

    query = JobListQuery(statuses=args.status or [], schedule_id=args.schedule,
                         sweep_id=args.sweep, limit=args.limit)
    jobs, _ = await ctx.jobs.list(query)
    if args.json:
        out(json.dumps([j.model_dump(mode="json") for j in jobs], indent=1))
        return 0
    for job in jobs:
        out(job_line(job))
    if not jobs:
        out("no jobs")
    return 0


async def cmd_show(ctx: NbJobs, args) -> int:
    out((await ctx.jobs.get(args.id)).model_dump_json(indent=2))
    return 0


async def cmd_logs(ctx: NbJobs, args) -> int:
    offset = 0
    while True:
        chunk = await ctx.jobs.read_log(args.id, offset, None)
        if chunk.text:
            sys.stdout.write(chunk.text)
            sys.stdout.flush()
        offset = chunk.offset
        if not args.follow or chunk.complete:
            return 0
        await asyncio.sleep(0.3)


async def cmd_stop(ctx: NbJobs, args) -> int:
    await ctx.jobs.stop(args.id)  # adopts a run another process started, then stops it
    await ctx.jobs.wait_final(args.id, 60)
    job = await ctx.jobs.get(args.id)
    out(f"{job.id}: {job.status.value}")
    return 0


async def cmd_schedule(ctx: NbJobs, args) -> int:
    from ..models import ScheduleCreate

    svc = ctx.schedules
    if args.action == "create":
        sched = await svc.create(ScheduleCreate(
            **job_settings(args), cron=args.cron, timezone=args.timezone,
            overlap_policy=args.overlap, catchup_policy=args.catchup,
            catchup_limit=args.catchup_limit, active=not args.paused, start_at=args.start,
            end_at=args.end), os.environ.get("USER"))
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


COMMANDS = {"run": cmd_run, "list": cmd_list, "show": cmd_show, "logs": cmd_logs,
            "stop": cmd_stop, "schedule": cmd_schedule}


# -- Commands that need no job store or services (they write scripts, or call AWS directly).
# Each is a module with add_parser(subparsers) and run(app, args) -> exit code; parse.py adds
# their parsers and app.py runs them without building the services. Add yours here.
from . import iam_policy, lcc  # noqa: E402

STANDALONE = {"lcc": lcc, "iam-policy": iam_policy}
