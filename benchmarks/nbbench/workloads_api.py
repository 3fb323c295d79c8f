"""Workloads on the REST API itself: list pages over a big store (3), latency under load (4).

Requests are sent one at a time by one client on a keep-alive connection, so a sample is
the server's answer time plus ~0.1 ms of client.
"""

from __future__ import annotations

import random
import time

from .clients import FINAL
from .jsonhttp import HttpError
from .servers import Server
from .stats import summary
from .workloads_jobs import submit_all, wait_final

# Kept per series in the JSON for later analysis; the table shows the summaries only.
KEEP_SAMPLES = 2000


def timed_series(call, count: int, time_cap: float) -> dict:
    """Call `call()` (returning its request seconds) up to `count` times or `time_cap` s."""
    times: list[float] = []
    deadline = time.monotonic() + time_cap
    while len(times) < count and time.monotonic() < deadline:
        times.append(call())
    result = summary(times)
    result["capped"] = len(times) < count
    result["samples"] = times[:KEEP_SAMPLES]
    return result


def list_latency(server: Server, rows_seeded: int, count: int, time_cap: float) -> dict:
    """Workload 3: a 50-row page, first / deep (half-way) / filtered by status=failed."""
    client = server.client
    result: dict = {"rows_seeded": rows_seeded}

    first_rows, _, _ = client.page(limit=50)
    failed_rows, _, _ = client.page(limit=50, status="failed")
    token, reached = client.seek(rows_seeded // 2, time_cap)
    deep_rows, _, _ = client.page(limit=50, token=token)
    result["check"] = {"first": len(first_rows), "failed": len(failed_rows),
                       "deep": len(deep_rows), "deep_offset": reached,
                       "failed_all_failed": all(s == "failed" for _, s in failed_rows)}
    result["first"] = timed_series(lambda: client.page(limit=50)[2], count, time_cap)
    result["deep"] = timed_series(lambda: client.page(limit=50, token=token)[2], count,
                                  time_cap)
    result["filtered"] = timed_series(lambda: client.page(limit=50, status="failed")[2],
                                      count, time_cap)
    return result


def latency_under_load(server: Server, notebook: str, jobs: int, time_cap: float,
                       max_samples: int) -> dict:
    """Workload 4: GET list (50 rows) and GET one job, alternately, while `jobs` jobs run.

    Sampling stops when all of them are final (their status is read from the list page,
    where they are the newest rows), at `max_samples` each, or at the time cap. A failed
    request is counted, not timed."""
    client = server.client
    rng = random.Random(6)
    errors: list[str] = []
    started = time.perf_counter()
    ids = submit_all(client, notebook, jobs, errors)
    submit_seconds = time.perf_counter() - started
    wanted = set(ids)
    list_times: list[float] = []
    get_times: list[float] = []
    all_final = False
    deadline = time.monotonic() + time_cap
    while ids and time.monotonic() < deadline and len(list_times) < max_samples:
        seen = {}
        try:
            rows, _, elapsed = client.page(limit=50)
            list_times.append(elapsed)
            seen = {job_id: status for job_id, status in rows if job_id in wanted}
        except (HttpError, OSError) as exc:
            errors.append(f"list: {exc}")
        try:
            _, elapsed = client.status(rng.choice(ids))
            get_times.append(elapsed)
        except (HttpError, OSError) as exc:
            errors.append(f"get: {exc}")
        if len(seen) == len(wanted) and all(s in FINAL for s in seen.values()):
            all_final = True
            break
    run_seconds = time.perf_counter() - started
    if not all_final:  # sampling cap reached first: let the jobs end before the next workload
        done, _ = wait_final(client, ids, time.monotonic() + time_cap, 0.5, errors=errors)
        if len(done) < len(ids):
            server.end_jobs()
    return {
        "jobs": jobs, "created": len(ids), "submit_seconds": submit_seconds,
        "sampling_seconds": run_seconds, "jobs_final_during_sampling": all_final,
        "http_errors": len(errors), "first_errors": errors[:3],
        "list": {**summary(list_times), "samples": list_times[:KEEP_SAMPLES]},
        "get": {**summary(get_times), "samples": get_times[:KEEP_SAMPLES]},
    }
