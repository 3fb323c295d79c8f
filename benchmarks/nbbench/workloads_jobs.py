"""Workloads that run notebooks: single jobs (1, 5), bursts (2) and many jobs (6).

Every loop is bounded in count and in time; a job that does not finish in time counts as
"timeout" and is left out of the timings (the report shows how many finished).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from .clients import FINAL, ApiClient
from .console import log
from .jsonhttp import HttpError
from .procs import Sampler, cpu_by_kind, cpu_used, rss, tree
from .servers import Server
from .stats import summary

MB = 1 << 20


def pause(poll: float, last_request: float, elapsed: float) -> float:
    """How long to wait before the next status check: `poll`, but at least twice the last
    check's time (the polling never takes more than a third of the server) and 2% of the
    time waited so far (a job that takes 5 s is seen to within 0.1 s)."""
    return max(poll, 2 * last_request, 0.02 * elapsed)


def run_one(client: ApiClient, notebook: str, timeout: float,
            poll: float) -> tuple[float | None, str]:
    """Create a job and poll it until final: (seconds from create to final, status)."""
    started = time.perf_counter()
    job_id = client.create(notebook)
    while True:
        status, took = client.status(job_id)
        elapsed = time.perf_counter() - started
        if status in FINAL:
            return elapsed, status
        if elapsed > timeout:
            return None, "timeout"
        time.sleep(pause(poll, took, elapsed))


def sequential(server: Server, notebook: str, count: int, timeout: float, poll: float,
               warmup: bool) -> dict:
    """`count` jobs one after the other (workloads 1 and 5); only completed ones are timed."""
    result: dict = {}
    if warmup:
        seconds, status = run_one(server.client, notebook, timeout, poll)
        result["first_job"] = {"seconds": seconds, "status": status}
    times, statuses = [], []
    for _ in range(count):
        seconds, status = run_one(server.client, notebook, timeout, poll)
        statuses.append(status)
        if status == "completed":
            times.append(seconds)
    result.update(summary(times))
    result["statuses"] = {s: statuses.count(s) for s in set(statuses)}
    result["samples"] = times
    return result


def submit_all(client: ApiClient, notebook: str, count: int,
               errors: list[str] | None = None) -> list[str]:
    """`count` create requests at the same time, one connection each. With `errors`, a
    refused create (e.g. an HTTP 500 from a locked database) is recorded there instead
    of raised; the ids of the jobs created are returned."""
    def create(_):
        try:
            return client.create(notebook)
        except (HttpError, OSError) as exc:
            if errors is None:
                raise
            errors.append(f"create: {exc}")
            return None

    with ThreadPoolExecutor(max_workers=min(count, 100)) as pool:
        return [i for i in pool.map(create, range(count)) if i is not None]


def wait_final(client: ApiClient, ids: list[str], deadline: float, poll: float,
               sampler: Sampler | None = None,
               errors: list[str] | None = None) -> tuple[dict[str, str], dict[str, float]]:
    """Poll (through list pages) until every id is final, the deadline, or low memory.
    Returns (final statuses, seconds since the call at which each was seen final).
    A failed status read is recorded in `errors` (when given) and polling goes on."""
    pending, done, seen_at = set(ids), {}, {}
    started = time.perf_counter()
    took = 0.0
    while pending and time.monotonic() < deadline:
        if sampler is not None and sampler.low_memory:
            break
        time.sleep(pause(poll, took, 0.0))
        check = time.perf_counter()
        try:
            found = client.statuses(pending)
        except (HttpError, OSError) as exc:
            if errors is None:
                raise
            errors.append(f"status: {exc}")
            found = {}
        took = time.perf_counter() - check
        for job_id, status in found.items():
            if status in FINAL:
                done[job_id] = status
                seen_at[job_id] = time.perf_counter() - started
                pending.discard(job_id)
    return done, seen_at


def burst(server: Server, notebook: str, count: int, timeout: float, poll: float,
          min_available: int) -> dict:
    """Workload 2: `count` jobs submitted at once; time until all are final; peak RSS.
    HTTP errors (jupyter-scheduler answers 500 when its SQLite is locked) are counted, and
    a burst with errors or unfinished jobs has no wall time."""
    idle_tree = rss(tree(server.proc))
    errors: list[str] = []
    done: dict[str, str] = {}
    cpu_before = cpu_by_kind(server.proc)
    client_before = time.process_time()
    try:
        with Sampler(server.proc, server.registry, min_available=min_available) as sampler:
            started = time.perf_counter()
            ids = submit_all(server.client, notebook, count, errors)
            submitted = time.perf_counter() - started
            done, _ = wait_final(server.client, ids, time.monotonic() + timeout, poll,
                                 sampler, errors)
            wall = time.perf_counter() - started
            # Before the pool trims its burst spares: what the burst itself used.
            cpu = cpu_used(cpu_before, cpu_by_kind(server.proc))
            cpu["this benchmark (the client, the sampler)"] = round(
                time.process_time() - client_before, 3)
    finally:
        if len(done) < count:
            server.end_jobs()  # do not let the rest run into the next workload
    aborted = None
    if len(done) < count:
        aborted = ("memory guard" if sampler.low_memory else
                   f"{count - len(ids)} creates refused" if len(ids) < count else
                   f"time cap {timeout:.0f} s")
    statuses = list(done.values())
    return {
        "count": count, "wall": wall if aborted is None else None, "waited": wall,
        "submit_seconds": submitted, "created": len(ids),
        "completed": statuses.count("completed"), "failed": statuses.count("failed"),
        "unfinished": count - len(done), "aborted": aborted, "http_errors": len(errors),
        "first_errors": errors[:3], "peak_tree_rss_mb": sampler.peak_rss / MB,
        "idle_tree_rss_mb": idle_tree / MB, "peak_processes": sampler.peak_procs,
        "cpu_seconds": cpu,
    }


def many_jobs(server: Server, notebook: str, total: int, in_flight: int, time_cap: float,
              poll: float, min_available: int, settle: float = 3.0) -> dict:
    """Workload 6: run up to `total` jobs (at most `in_flight` at a time, time-capped) and
    compare the server process's RSS before and after (the server alone: job processes
    are separate and end with their job).

    A few warm-up jobs run first, so that "before" already includes what the first jobs
    load once (imports, caches): the growth is what stays per job, not first use."""
    warmup = min(10, max(1, total // 20))
    ids = submit_all(server.client, notebook, warmup)
    wait_final(server.client, ids, time.monotonic() + 300, poll)
    time.sleep(settle)
    before, before_tree = server.server_rss(), rss(tree(server.proc))
    submitted: list[str] = []
    done: dict[str, str] = {}
    started = time.perf_counter()
    deadline = time.monotonic() + time_cap
    next_report = time.monotonic() + 60
    rss_samples: list[list[float]] = []  # [jobs final, server RSS MB], once a minute
    with Sampler(server.proc, server.registry, interval=1.0,
                 min_available=min_available) as sampler:
        while time.monotonic() < deadline and not sampler.low_memory:
            if time.monotonic() > next_report:
                next_report += 60
                now_rss = server.server_rss() / MB
                rss_samples.append([len(done), round(now_rss, 1)])
                log(f"  {len(done)} of {total} jobs final, server RSS {now_rss:.0f} MB")
            room = min(in_flight - (len(submitted) - len(done)), total - len(submitted))
            if room > 0:
                submitted += submit_all(server.client, notebook, room)
            if len(done) == len(submitted) == total:
                break
            pending = [i for i in submitted if i not in done]
            finished, _ = wait_final(server.client, pending, time.monotonic() + poll * 1.5,
                                     poll, sampler)
            done.update(finished)
        # Past the cap: let what was submitted finish (bounded), so the "after" is idle.
        if len(done) < len(submitted) and not sampler.low_memory:
            pending = [i for i in submitted if i not in done]
            finished, _ = wait_final(server.client, pending, time.monotonic() + 300, poll,
                                     sampler)
            done.update(finished)
    wall = time.perf_counter() - started
    unfinished = len(submitted) - len(done)
    if unfinished:
        server.end_jobs()
    time.sleep(settle)
    after, after_tree = server.server_rss(), rss(tree(server.proc))
    statuses = list(done.values())
    return {
        "warmup_jobs": warmup, "requested": total, "submitted": len(submitted), "completed": statuses.count("completed"),
        "failed": statuses.count("failed"), "unfinished": unfinished,
        "capped": len(submitted) < total, "time_cap": time_cap, "wall": wall,
        "jobs_per_minute": 60 * len(done) / wall if wall else None,
        "server_rss_before_mb": before / MB, "server_rss_after_mb": after / MB,
        "server_rss_growth_mb": (after - before) / MB,
        "tree_rss_before_mb": before_tree / MB, "tree_rss_after_mb": after_tree / MB,
        "peak_tree_rss_mb": sampler.peak_rss / MB, "low_memory": sampler.low_memory,
        "rss_samples": rss_samples,
    }
