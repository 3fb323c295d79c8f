"""Idle cost, first job, bursts and throughput: nbjobs, jupyter-scheduler and a bare server.

    python benchmarks/round_two.py [--quick] [--sides bare,ours,ours-sp,theirs] [--out PATH]

Every side runs in the same invocation, one after the other (never two servers at once).
`ours-sp` is ours with the services in a process of their own (c.NbJobsApp.service_process =
"always", as under JupyterHub), which stops after the same idle timeout as the pool:
- start: `jupyter server` start → first answer, median of --starts starts (after an untimed
  one that created the database and directories, as an installed server has them);
- idle: the server's process tree PSS and USS (psutil memory_full_info, summed) after the
  start has settled, before any job; for ours also after jobs ran and the warm pool's idle
  timeout gave it back;
- first job: create → final with nothing warm (cold), and after the create-job form's
  requests (GET /nbjobs/environments and /nbjobs/parameters) and a user's think time
  (warmed); ours runs with a short `LocalBackend.pool_idle_timeout` so that the pool is given
  back between samples (each sample waits until the tree is the server alone);
- a one-cell job that sets env vars (a fresh kernel), median;
- bursts of 20 and 100 one-cell jobs (workloads_jobs.burst), --burst-repeats of each, median;
- sustained throughput and server RSS growth over --many jobs (workloads_jobs.many_jobs);
- with --rss-jobs N (ours only, e.g. 10000; long): the server's RSS growth over N jobs, with a
  sample a minute; --rss-only runs just that, --rss-from folds an earlier run's into the report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

from . import notebooks
from .console import log
from .main import git_commit, lock_work_dir, machine
from .procs import tree, wait_until
from .servers import Server, bare, ours, theirs
from .stats import percentile, summary
from .venv import ensure_scheduler_venv
from .workloads_jobs import burst, many_jobs, run_one

BENCH_DIR = Path(__file__).resolve().parents[1]
MB = 1 << 20
ONE = f"bench/{notebooks.ONE_CELL}"
IDLE_TIMEOUT = 8.0  # ours: LocalBackend.pool_idle_timeout while measuring first jobs
THINK = 3.0  # seconds between the form opening and its create request


def tree_memory(server: Server) -> dict:
    """PSS and USS summed over the server's process tree, and how many processes."""
    pss = uss = rss = 0
    procs = tree(server.proc)
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        pss, uss, rss = pss + info.pss, uss + info.uss, rss + info.rss
    return {"pss_mb": pss / MB, "uss_mb": uss / MB, "rss_mb": rss / MB, "processes": len(procs)}


def alone(server: Server, timeout: float) -> bool:
    """Wait until the server has no child process left (the pool given back)."""
    return wait_until(lambda: len(tree(server.proc)) == 1, timeout, interval=0.2)


def start_and_idle(make, starts: int, settle: float) -> tuple[dict, Server]:
    """`starts` starts: start time and idle memory of each; the last server is returned
    running. An untimed first start (and, for a job extension, its first job-list request)
    creates the database, as an installed server has."""
    seconds, mems, lists, server = [], [], [], make()
    server.prepare()
    notebooks.write_notebooks(server.root / "bench")
    server.start()
    if server.side != "bare":
        server.client.first_list()  # nbjobs creates its database with its first request
    server.stop()
    for i in range(starts):
        server = make()
        server.start()
        seconds.append(server.start_seconds)
        time.sleep(settle)
        mems.append(tree_memory(server))
        if server.side != "bare":
            lists.append(server.client.first_list())
        if i < starts - 1:
            server.stop()
    out = {"start_seconds": summary(seconds), "start_samples": seconds,
           "idle_samples": mems}
    if lists:
        out["first_list_seconds"] = {**summary(lists), "samples": lists}
    for key in ("pss_mb", "uss_mb", "rss_mb", "processes"):
        out[f"idle_{key}"] = percentile([m[key] for m in mems], 50)
    return out, server


def form_requests(server: Server) -> None:
    """What the create-job form asks when it opens on a notebook."""
    server.http.get("/nbjobs/environments")
    server.http.request("GET", "/nbjobs/parameters", query={"path": ONE})


def first_jobs(server: Server, count: int, timeout: float, poll: float) -> dict:
    cold, warmed, errors = [], [], []
    for mode, sink in (("cold", cold), ("warmed", warmed)):
        for _ in range(count):
            if not alone(server, IDLE_TIMEOUT + 60):
                errors.append(f"{mode}: the pool was not given back in time")
                continue
            time.sleep(0.5)
            if mode == "warmed":
                form_requests(server)
                time.sleep(THINK)
            seconds, status = run_one(server.client, ONE, timeout, poll)
            if status == "completed":
                sink.append(seconds)
            else:
                errors.append(f"{mode}: {status}")
    alone(server, IDLE_TIMEOUT + 60)
    time.sleep(1.0)
    return {"cold": {**summary(cold), "samples": cold},
            "warmed": {**summary(warmed), "samples": warmed},
            "given_back": tree_memory(server), "errors": errors}


def env_jobs(server: Server, count: int, timeout: float, poll: float) -> dict:
    """One-cell jobs that set an env var: the runner is warm, the kernel fresh."""
    from .workloads_jobs import pause

    times = []
    run_one(server.client, ONE, timeout, poll)  # the pool is up
    time.sleep(2.0)
    for i in range(count):
        started = time.perf_counter()
        job, _ = server.http.post("/nbjobs/jobs", {"input_path": ONE,
                                                   "env": {"NBJOBS_BENCH": str(i)}})
        while True:
            status, took = server.client.status(job["id"])
            elapsed = time.perf_counter() - started
            if status in ("completed", "failed", "stopped") or elapsed > timeout:
                break
            time.sleep(pause(poll, took, elapsed))
        if status == "completed":
            times.append(elapsed)
        time.sleep(1.0)  # the pool replaces what the last job used
    return {**summary(times), "samples": times}


def run_side(side: str, args, results: dict, python: str | None) -> None:
    work = args.work_dir.resolve()
    mine = side in ("ours", "ours-sp")
    extra: dict = {"LocalBackend": {"pool_idle_timeout": IDLE_TIMEOUT}} if mine else {}
    if side == "ours-sp":
        extra["NbJobsApp"] = {"service_process": "always", "service_idle_timeout": IDLE_TIMEOUT}

    def make() -> Server:
        if side == "bare":
            return bare(work)
        if mine:
            return ours(work, extra, name=side)
        return theirs(work, python)

    log(f"{side}: {args.starts} starts, idle memory")
    data, server = start_and_idle(make, args.starts, args.settle)
    results[side] = data
    guard = int(args.min_available_gb * (1 << 30))
    try:
        if side == "bare":
            return
        if side == "ours" and args.rss_jobs:
            log(f"ours: server RSS over {args.rss_jobs} jobs, 20 in flight")
            data["rss_run"] = many_jobs(server, ONE, args.rss_jobs, 20, args.rss_cap, 0.05, guard)
            if args.rss_only:
                return
        if mine:
            log(f"{side}: first jobs, cold and warmed by the form")
            data["first"] = first_jobs(server, args.first, args.job_timeout, args.poll)
            log(f"{side}: fresh-kernel (env) jobs")
            data["env"] = env_jobs(server, args.first, args.job_timeout, args.poll)
        else:
            log(f"{side}: first job after start")
            seconds, status = run_one(server.client, ONE, args.job_timeout, args.poll)
            data["first"] = {"cold": {"median": seconds if status == "completed" else None,
                                      "samples": [seconds], "status": status}}
        data["bursts"] = {}
        sizes = {"ours": args.bursts, "ours-sp": args.bursts_sp}.get(side, args.bursts_theirs)
        repeats = 1 if side == "theirs" else args.burst_repeats
        for size in [int(s) for s in sizes.split(",") if s]:
            runs = []
            for n in range(repeats):
                log(f"{side}: burst of {size} ({n + 1} of {repeats})")
                time.sleep(2.0)
                runs.append(burst(server, ONE, size, args.burst_timeout, 0.05, guard))
            data["bursts"][str(size)] = median_burst(runs)
        total = {"ours": args.many, "ours-sp": args.many_sp}.get(side, args.many_theirs)
        if total:
            log(f"{side}: {total} jobs, 20 in flight")
            data["many"] = many_jobs(server, ONE, total, 20, args.many_cap, 0.05, guard)
    finally:
        server.stop()


def median_burst(runs: list[dict]) -> dict:
    """The run of median wall time (its CPU and memory are shown), with every run's wall
    time; no wall time when one run failed or was cut short."""
    walls = [r["wall"] for r in runs]
    done = sorted((r for r in runs if r["wall"] is not None), key=lambda r: r["wall"])
    middle = dict(done[(len(done) - 1) // 2] if done else runs[0])
    middle["walls"] = walls
    if None in walls:
        middle["wall"] = None
    elif len(walls) % 2 == 0:  # the median of an even count: the mean of the middle two
        middle["wall"] = percentile(walls, 50)
    return middle


def ratio(a, b):
    return None if a is None or not b else a / b


def fmt(v, unit):
    if v is None:
        return "–"
    if unit == "s":
        return f"{v:.2f} s"
    if unit:
        return f"{v:.0f} {unit}"
    return f"{v:.0f}" if float(v).is_integer() or v >= 100 else f"{v:.2f}"


def table(results: dict) -> str:
    o, t, b, sp = (results.get(k) or {} for k in ("ours", "theirs", "bare", "ours-sp"))

    def get(d, *path):
        for k in path:
            d = d.get(k) if isinstance(d, dict) else None
        return d

    rows = [
        ("server start, median", "s", ("start_seconds", "median"), "≤ bare + 5%"),
        ("first job list after start (what loads on demand), median", "s",
         ("first_list_seconds", "median"), ""),
        ("idle tree USS, before any job", "MB", ("idle_uss_mb",), "≤ bare + 15 MB"),
        ("idle tree PSS, before any job", "MB", ("idle_pss_mb",), ""),
        ("idle tree processes", "", ("idle_processes",), ""),
        ("tree USS after jobs, pool given back", "MB", ("first", "given_back", "uss_mb"),
         "≈ bare"),
        ("tree PSS after jobs, pool given back", "MB", ("first", "given_back", "pss_mb"), ""),
        ("first job after idle, cold, median", "s", ("first", "cold", "median"), "≤ 1 s"),
        ("first job after idle, warmed by the form, median", "s",
         ("first", "warmed", "median"), "≤ 0.3 s"),
        ("1-cell job with env vars (fresh kernel), median", "s", ("env", "median"), "≤ 0.5 s"),
        ("20 jobs at once: all final", "s", ("bursts", "20", "wall"), "≤ 1.5 s"),
        ("20 jobs at once: peak tree RSS", "MB", ("bursts", "20", "peak_tree_rss_mb"), ""),
        ("100 jobs at once: all final", "s", ("bursts", "100", "wall"), "≤ 8 s"),
        ("100 jobs at once: peak tree RSS", "MB", ("bursts", "100", "peak_tree_rss_mb"), ""),
        ("sustained throughput (20 in flight), jobs/min", "",
         ("many", "jobs_per_minute"), "≥ 600"),
        ("server RSS growth over the many-jobs run", "MB", ("many", "server_rss_growth_mb"),
         "≤ 30 MB / 10,000"),
        ("jobs in the many-jobs run", "", ("many", "completed"), ""),
        ("server RSS growth over the long run", "MB", ("rss_run", "server_rss_growth_mb"),
         "≤ 30 MB / 10,000"),
        ("jobs in the long run", "", ("rss_run", "completed"), ""),
        ("long run throughput, jobs/min", "", ("rss_run", "jobs_per_minute"), ""),
    ]
    out = ["| measure | nbjobs | nbjobs, service process | jupyter-scheduler | bare server "
           "| nbjobs / bare | service process / bare | nbjobs / scheduler | target |",
           "|---|---|---|---|---|---|---|---|---|"]
    for what, unit, path, target in rows:
        a, e, c, d = get(o, *path), get(sp, *path), get(t, *path), get(b, *path)
        if a is None and e is None and c is None and d is None:
            continue
        if path[:2] == ("first", "given_back"):  # against the bare server at rest
            d = get(b, f"idle_{path[-1]}")
        r1, r3, r2 = ratio(a, d), ratio(e, d), ratio(a, c)
        out.append(f"| {what} | {fmt(a, unit)} | {fmt(e, unit)} | {fmt(c, unit)} | "
                   f"{fmt(d, unit)} | {fmt(r1, '') if r1 else '–'} | "
                   f"{fmt(r3, '') if r3 else '–'} | {fmt(r2, '') if r2 else '–'} | {target} |")
    return "\n".join(out)


def parse(argv):
    p = argparse.ArgumentParser(prog="benchmarks/round_two.py")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sides", default="bare,ours,ours-sp,theirs")
    p.add_argument("--starts", type=int, default=5)
    p.add_argument("--settle", type=float, default=5.0, help="seconds after start before "
                   "the idle memory is read")
    p.add_argument("--first", type=int, default=5, help="first-job samples per mode")
    p.add_argument("--bursts", default="20,100")
    p.add_argument("--bursts-theirs", default="20")
    p.add_argument("--bursts-sp", default="20,100", help="bursts of ours-sp")
    p.add_argument("--burst-repeats", type=int, default=3, help="bursts of each size, ours "
                   "(both ways): the median is shown (one for jupyter-scheduler: ~minutes each)")
    p.add_argument("--many-sp", type=int, default=300, help="jobs of ours-sp's many-jobs run")
    p.add_argument("--many", type=int, default=2000)
    p.add_argument("--many-theirs", type=int, default=40)
    p.add_argument("--many-cap", type=float, default=900.0)
    p.add_argument("--poll", type=float, default=0.02)
    p.add_argument("--job-timeout", type=float, default=180.0)
    p.add_argument("--burst-timeout", type=float, default=600.0)
    p.add_argument("--min-available-gb", type=float, default=2.0)
    p.add_argument("--rss-jobs", type=int, default=0, help="ours: also run this many jobs "
                   "(e.g. 10000) and report the server's RSS growth over them")
    p.add_argument("--rss-cap", type=float, default=3600.0, help="time cap of that run (s)")
    p.add_argument("--rss-only", action="store_true", help="ours: only the start, idle "
                   "memory and the --rss-jobs run")
    p.add_argument("--rss-from", type=Path, help="a JSON report of an earlier --rss-jobs run "
                   "whose long-run rows this report shows (the run it came from is named)")
    p.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work")
    p.add_argument("--out", type=Path, default=BENCH_DIR / "results" / "round-two.md")
    args = p.parse_args(argv)
    if args.quick:
        args.starts, args.first, args.bursts, args.bursts_theirs = 2, 2, "5", "5"
        args.burst_repeats = 1
        args.many, args.many_theirs, args.bursts_sp, args.many_sp = 40, 4, "5", 40
    return args


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    lock = lock_work_dir(args.work_dir.resolve())  # noqa: F841
    results: dict = {"meta": {
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "nbjobs_commit": git_commit(),
        "command": "python benchmarks/round_two.py " + " ".join(sys.argv[1:] if argv is None
                                                                 else argv)}}
    sides = [s for s in args.sides.split(",") if s]
    python = None
    if "theirs" in sides:
        python, version = ensure_scheduler_venv(BENCH_DIR / ".work" / "venv-scheduler",
                                                BENCH_DIR / ".work" / "venv-install.log")
        results["meta"]["scheduler_version"] = version
    errors = []
    if args.rss_from:
        earlier = json.loads(args.rss_from.read_text())
        got = (earlier.get("ours") or {}).get("rss_run")
        if got:
            results.setdefault("ours", {})["rss_run"] = got
            results["meta"]["rss_from"] = (f"{args.rss_from.name} ({earlier['meta']['started']} "
                                           f"UTC, load at start {earlier['meta']['load_start']})")
    for side in sides:
        try:
            kept = (results.get(side) or {}).get("rss_run")
            run_side(side, args, results, python)
            if kept and "rss_run" not in results[side]:
                results[side]["rss_run"] = kept
        except Exception as exc:  # noqa: BLE001 - record it, go on with the other sides
            errors.append(f"{side}: {type(exc).__name__}: {exc}")
            log(f"{side} FAILED: {exc}")
        write(results, errors, args.out)
    results["meta"]["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    results["meta"]["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    write(results, errors, args.out)
    print(table(results))
    return 1 if errors else 0


def burst_cpu(results: dict) -> list[str]:
    """Where a burst's time goes: the CPU each kind of process used during it, against the
    CPU the machine had (its cores times the burst's wall time)."""
    lines = []
    for side in ("ours", "ours-sp", "theirs"):
        for size, data in ((results.get(side) or {}).get("bursts") or {}).items():
            cpu, wall = data.get("cpu_seconds"), data.get("waited")
            if not cpu or not wall:
                continue
            if not lines:
                lines = ["## CPU used during the bursts, by process", ""]
            have = wall * (os.cpu_count() or 1)
            parts = ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in cpu.items())
            walls = data.get("walls") or []
            runs = (" (runs: " + " / ".join("–" if w is None else f"{w:.2f}" for w in walls)
                    + " s; this is the median one)") if len(walls) > 1 else ""
            lines.append(f"- {side}, {size} jobs in {wall:.2f} s{runs}: "
                         f"{sum(cpu.values()):.2f} s of "
                         f"the {have:.2f} s the {os.cpu_count()} cores had "
                         f"({sum(cpu.values()) / have:.0%}): {parts}.")
    return [*lines, ""] if lines else []


def write(results: dict, errors: list[str], out: Path) -> None:
    meta = results["meta"]
    results["errors"] = errors
    text = [f"# Idle cost, first job, bursts, throughput ({meta['started']} UTC)", "",
            f"{meta['machine']}; load average at start {meta['load_start']}, at end "
            f"{meta.get('load_end')}; nbjobs {meta['nbjobs_commit']}; jupyter-scheduler "
            f"{meta.get('scheduler_version')}.", f"Command: `{meta['command']}`", "",
            table(results), ""]
    if meta.get("rss_from"):
        text += [f"The long-run rows come from {meta['rss_from']}.", ""]
    text += burst_cpu(results)
    text += [f"- error: {e}" for e in errors]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(text) + "\n")
    out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str))
