"""Bringing a local runner to life: forked by the warm pool, or a cold process.

Blocking (process starts, file work): the backend calls these off the event loop.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

from ...runner.contract import PROGRESS_FILE, RESULT_FILE, RUNNER_FILE, RUNNER_OUT, read_json
from ..base import RunRequest
from .pool import WarmPool
from .watch import Watched, kill_hard


def clear_attempt_files(job_dir: Path) -> None:
    """An earlier attempt's runner.json, progress and result must not be read as ours."""
    for name in (RESULT_FILE, PROGRESS_FILE, RUNNER_FILE):
        (job_dir / name).unlink(missing_ok=True)


def _timeout(run: RunRequest) -> float | None:
    timeout = (run.spec or {}).get("timeout_seconds")
    return float(timeout) if timeout else None


def launch_warm(pool: WarmPool, run: RunRequest, job_dir: Path) -> Watched | None:
    """A runner forked by the pool's zygote, or None (the caller starts a cold one)."""
    spec = run.spec or {}
    # A job with its own environment variables gets a fresh kernel (still a warm runner).
    got = pool.launch(run.job_id, job_dir, spec.get("kernel_name") or "", warm=not spec.get("env"))
    if got is None:
        # A pool that failed half-way may have forked a runner already: never two.
        info = read_json(job_dir / RUNNER_FILE) or {}
        if info.get("pid"):
            kill_hard(job_dir, info["pid"], info.get("create_time"), info["pid"])
            clear_attempt_files(job_dir)
        return None
    return Watched(
        job_id=run.job_id,
        attempt=run.attempt,
        job_dir=job_dir,
        pid=int(got["pid"]),
        create_time=float(got["create_time"]),
        pgid=int(got["pid"]),
        timeout=_timeout(run),
        extra={"warm": bool(got.get("warm"))},
    )


def launch_cold(python: str, boot: str, package_parent: str, run: RunRequest, job_dir: Path,
                on_exit: Callable[[], None]) -> Watched:
    """A fresh runner process in its own session; `on_exit` is called (from a small thread
    that reaps it) when it ends."""
    with open(job_dir / RUNNER_OUT, "ab") as out:
        popen = subprocess.Popen(
            [python, "-c", boot, package_parent, str(job_dir)],
            cwd=job_dir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    try:
        create_time = psutil.Process(popen.pid).create_time()
    except psutil.Error:  # already gone: the watcher reports it with its output
        create_time = time.time()

    def reap() -> None:
        popen.wait()
        on_exit()

    threading.Thread(target=reap, name=f"nbjobs-reap-{popen.pid}", daemon=True).start()
    return Watched(
        job_id=run.job_id,
        attempt=run.attempt,
        job_dir=job_dir,
        pid=popen.pid,
        create_time=create_time,
        pgid=popen.pid,
        popen=popen,
        timeout=_timeout(run),
    )
