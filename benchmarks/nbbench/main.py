"""Command line and orchestration: one side at a time, every workload bounded, always cleaned up."""

from __future__ import annotations

import argparse
import importlib.metadata as md
import os
import platform
import signal
import subprocess
import sys
import traceback
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from . import notebooks, report, seed
from .console import log
from .servers import Server, ours, theirs
from .venv import ensure_scheduler_venv
from .workloads_api import latency_under_load, list_latency
from .workloads_jobs import burst, many_jobs, sequential

BENCH_DIR = Path(__file__).resolve().parents[1]
REPO = BENCH_DIR.parent
ORDER = ["1", "5", "2", "4", "6", "3"]  # 3 seeds 100k rows, so it runs last on each side


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="benchmarks/run.sh", description=(
        "Benchmark nbjobs against jupyter-scheduler 2.12 and the papermill CLI."))
    p.add_argument("--quick", action="store_true",
                   help="smoke test: small counts, no 100-job burst, 2k rows instead of 100k")
    p.add_argument("--ours-only", action="store_true", help="only our server (same as --sides ours)")
    p.add_argument("--sides", default="ours,theirs,papermill")
    p.add_argument("--workloads", default="1,2,3,4,5,6", help="which of 1..6 to run")
    p.add_argument("--n", type=int, help="workload 1: jobs timed (default 10; quick 3)")
    p.add_argument("--n10", type=int, help="workload 5: jobs timed (default 5; quick 2)")
    p.add_argument("--bursts", help="workload 2: burst sizes (default 20,100; quick 5)")
    p.add_argument("--seed-rows", type=int, help="workload 3: rows (default 100000; quick 2000)")
    p.add_argument("--list-requests", type=int, help="workload 3: requests per series "
                   "(default 200; quick 30)")
    p.add_argument("--load-jobs", type=int, help="workload 4: jobs running (default 20; quick 4)")
    p.add_argument("--load-samples", type=int, default=2000,
                   help="workload 4: most requests of each kind")
    p.add_argument("--many-jobs", type=int, help="workload 6, ours (default 1000; quick 20)")
    p.add_argument("--many-jobs-theirs", type=int,
                   help="workload 6, jupyter-scheduler (default 100; quick 6)")
    p.add_argument("--many-cap", type=float, default=1800.0,
                   help="workload 6, ours: time cap in s for submitting")
    p.add_argument("--many-cap-theirs", type=float, default=600.0)
    p.add_argument("--in-flight", type=int, default=20, help="workload 6: most unfinished jobs")
    p.add_argument("--poll", type=float, default=0.02, help="single-job poll interval (s)")
    p.add_argument("--job-timeout", type=float, default=180.0)
    p.add_argument("--burst-timeout", type=float, default=900.0)
    p.add_argument("--series-cap", type=float, default=300.0,
                   help="workload 3: time cap per series of requests (s)")
    p.add_argument("--min-available-gb", type=float, default=3.0,
                   help="memory guard: abort a burst when the machine has less available")
    p.add_argument("--ours-config", action="append", default=[], metavar="KEY=VALUE",
                   help="extra NbJobsApp setting for our server, e.g. max_concurrent_jobs=4")
    p.add_argument("--skip", action="append", default=[], metavar="SIDE:WORKLOAD",
                   help="leave one workload out on one side, e.g. ours:6 (repeatable)")
    p.add_argument("--merge-from", type=Path, metavar="JSON",
                   help="fill the workloads this run did not run from an earlier results "
                   "JSON (the report says which rows came from where)")
    p.add_argument("--work-dir", type=Path, default=BENCH_DIR / ".work",
                   help="servers' directories (wiped per run); one run at a time per folder")
    p.add_argument("--out", help="markdown path (default results/latest.md; quick: "
                   "results/quick.md); the JSON goes next to it")
    args = p.parse_args(argv)
    q = args.quick
    defaults = {"n": (10, 3), "n10": (5, 2), "bursts": ("20,100", "5"),
                "seed_rows": (100_000, 2000), "list_requests": (200, 30), "load_jobs": (20, 4),
                "many_jobs": (1000, 20), "many_jobs_theirs": (100, 6)}
    for key, (full, quick) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, quick if q else full)
    if args.ours_only:
        args.sides = "ours"
    args.side_list = [s.strip() for s in args.sides.split(",") if s.strip()]
    args.workload_list = [w for w in ORDER if w in args.workloads.split(",")]
    out = args.out or BENCH_DIR / "results" / ("quick.md" if q else "latest.md")
    args.out = Path(out).resolve()
    return args


def ours_extra_config(pairs: list[str]) -> dict:
    values = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        try:
            value: object = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = {"true": True, "false": False}.get(raw.lower(), raw)
        values[key.strip()] = value
    return {"NbJobsApp": values} if values else {}


def git_commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True, timeout=20).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "jupyterlab_nbjobs"],
                               cwd=REPO, capture_output=True, text=True, timeout=20).stdout
        return head + (" (+ uncommitted changes in jupyterlab_nbjobs/)" if dirty.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> str:
    """The system, the CPU's model (runs on different CPUs differ by more than our
    changes do), its cores, the Python."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            model = next((line.split(":", 1)[1].strip() for line in info
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}, {model}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def attempt(results: dict, label: str, fn):
    """Run one workload; an error is recorded and the run goes on."""
    try:
        return fn()
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        log(f"  {label} FAILED: {exc}")
        results["errors"].append(f"{label}: {type(exc).__name__}: {exc}")
        traceback.print_exc()
        return None


def run_side(server: Server, args, results: dict) -> dict:
    side = server.side
    data: dict = {"server_start_seconds": server.start_seconds,
                  "server_rss_start_mb": server.server_rss() / (1 << 20)}
    one, ten = f"bench/{notebooks.ONE_CELL}", f"bench/{notebooks.TEN_CELLS}"
    guard = int(args.min_available_gb * (1 << 30))
    for wl in args.workload_list:
        if f"{side}:{wl}" in args.skip:
            continue
        label = f"{side} workload {wl}"
        log(f"{label} ...")
        if wl == "1":
            data["w1"] = attempt(results, label, lambda: sequential(
                server, one, args.n, args.job_timeout, args.poll, warmup=True))
        elif wl == "5":
            data["w5"] = attempt(results, label, lambda: sequential(
                server, ten, args.n10, args.job_timeout, args.poll, warmup=False))
        elif wl == "2":
            data["w2"] = {}
            for size in [int(s) for s in args.bursts.split(",") if s]:
                log(f"  burst of {size}")
                data["w2"][str(size)] = attempt(results, f"{label}/{size}", partial(
                    burst, server, one, size, args.burst_timeout, 0.25, guard))
        elif wl == "4":
            data["w4"] = attempt(results, label, lambda: latency_under_load(
                server, one, args.load_jobs, args.burst_timeout, args.load_samples))
        elif wl == "6":
            total = args.many_jobs if side == "ours" else args.many_jobs_theirs
            cap = args.many_cap if side == "ours" else args.many_cap_theirs
            data["w6"] = attempt(results, label, partial(
                many_jobs, server, one, total, args.in_flight, cap, 0.5, guard))
        elif wl == "3":
            data["w3"] = attempt(results, label, lambda: _list_workload(server, args))
        done = data.get(f"w{wl}")
        if isinstance(done, dict) and "median" in done:
            log(f"  median {done['median']}")
    return data


def _list_workload(server: Server, args) -> dict:
    rows = args.seed_rows
    log(f"  seeding {rows} rows into {server.db_path.name}")
    if server.side == "ours":
        seconds = seed.seed_ours(server.db_path, rows)
    else:
        seconds = seed.seed_theirs(server.python, server.db_path, rows)
    log(f"  seeded in {seconds:.1f} s")
    result = list_latency(server, rows, args.list_requests, args.series_cap)
    result["seed_seconds"] = seconds
    return result


def lock_work_dir(work: Path):
    """One run per work folder: a second run would wipe the first one's servers."""
    import fcntl

    work.mkdir(parents=True, exist_ok=True)
    handle = open(work / "run.lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        sys.exit(f"another benchmark run ({holder}) is using {work}; wait for it, or give "
                 "this one its own --work-dir (both will then share the 2 cores)")
    handle.truncate(0)
    handle.write(f"pid {os.getpid()}, started {datetime.now(timezone.utc):%H:%M:%S} UTC")
    handle.flush()
    return handle  # keep it open: the lock lives as long as this process


def merge(results: dict, path: Path) -> None:
    """Copy the workloads missing here from an earlier run's JSON, with their provenance."""
    import json

    earlier = json.loads(path.read_text())
    when = earlier.get("meta", {}).get("started", "?")
    # What the earlier file had merged itself keeps its own provenance.
    notes = {" ".join(n.split(" ")[:2]): n for n in earlier.get("merged", [])}
    for side in ("ours", "theirs", "papermill", "plain_python"):
        for key, value in (earlier.get(side) or {}).items():
            mine = results.setdefault(side, {})
            if not key.startswith("w"):  # server start time/RSS of a side not run here
                if value is not None and mine.get(key) is None:
                    mine[key] = value
                continue
            if value is not None and mine.get(key) is None:
                mine[key] = value
                results.setdefault("merged", []).append(notes.get(
                    f"{side} {key}", f"{side} {key} from the run started {when} UTC "
                    f"({path.name}: `{earlier.get('meta', {}).get('command', '?')}`)"))


def run_papermill(args, work: Path, results: dict) -> dict:
    folder = work / "papermill"
    paths = notebooks.write_notebooks(folder / "in")
    data: dict = {}
    from .stats import summary

    def series(path: Path, count: int, warmup: bool) -> dict:
        extra = {}
        if warmup:
            extra["first_job"] = {"seconds": notebooks.papermill_seconds(path, folder / "out")}
        times = [notebooks.papermill_seconds(path, folder / "out") for _ in range(count)]
        return {**summary(times), **extra, "samples": times, "statuses": {"completed": count}}

    if "1" in args.workload_list:
        log("papermill workload 1 ...")
        data["w1"] = attempt(results, "papermill 1", lambda: series(
            paths[notebooks.ONE_CELL], args.n, True))
    if "5" in args.workload_list:
        log("papermill workload 5 ...")
        data["w5"] = attempt(results, "papermill 5", lambda: series(
            paths[notebooks.TEN_CELLS], args.n10, False))
    return data


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    work = args.work_dir.resolve()
    lock = lock_work_dir(work)  # noqa: F841  (held until exit)
    results: dict = {"meta": {
        "mode": "quick" if args.quick else "full",
        "started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "nbjobs_commit": git_commit(), "papermill_version": md.version("papermill"),
        "jupyter_server": md.version("jupyter_server"), "poll_ms": round(args.poll * 1000),
        "command": "bash benchmarks/run.sh " + " ".join(sys.argv[1:] if argv is None else argv),
    }, "options": {k: v for k, v in vars(args).items() if k not in ("out", "work_dir")},
        "errors": []}
    log(f"results will go to {args.out}")
    try:
        if "theirs" in args.side_list:
            python, version = ensure_scheduler_venv(BENCH_DIR / ".work" / "venv-scheduler",
                                                    BENCH_DIR / ".work" / "venv-install.log")
            results["meta"]["scheduler_version"] = version
        for side in ("ours", "theirs"):
            if side not in args.side_list:
                continue
            server = (ours(work, ours_extra_config(args.ours_config)) if side == "ours"
                      else theirs(work, python))
            server.prepare()
            notebooks.write_notebooks(server.root / "bench")
            log(f"starting {side} server")
            try:
                # Untimed: the first start and job-list request create the database and
                # folders (nbjobs creates its database with its first request), as an
                # installed server has them.
                server.start()
                server.client.first_list()
                server.stop()
                server.start()
                log(f"  ready on 127.0.0.1:{server.port} in {server.start_seconds:.1f} s")
                results[side] = run_side(server, args, results)
            finally:
                log(f"stopping {side} server")
                server.stop()
            report.write(results, args.out)  # keep what we have if a later part fails
        if "papermill" in args.side_list:
            results["papermill"] = run_papermill(args, work, results)
        if "5" in args.workload_list:
            plain = notebooks.plain_python_seconds(notebooks.TEN_CELL_SOURCES)
            results["plain_python"] = {"w5": plain}
            for side in ("ours", "theirs", "papermill"):
                w5 = (results.get(side) or {}).get("w5")
                if w5 and w5.get("median") is not None:
                    w5["overhead"] = w5["median"] - plain
        if args.merge_from:
            merge(results, args.merge_from)
    except KeyboardInterrupt:
        results["errors"].append("interrupted")
        log("interrupted; servers stopped")
    finally:
        results["meta"]["finished"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        results["meta"]["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        report.write(results, args.out)
    print()
    print(report.table(results))
    print()
    print(report.details(results))
    log(f"wrote {args.out} and {args.out.with_suffix('.json')}")
    return 1 if results["errors"] else 0
