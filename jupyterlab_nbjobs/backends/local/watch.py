"""Watching runner processes of the local backend: progress, exit, result, hard kills.

All of it is blocking file/process work, run off the event loop by LocalBackend.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...runner.contract import (
    PROGRESS_FILE,
    REASON_RUNNER_DIED,
    REASON_STOPPED,
    REASON_TIMEOUT,
    RESULT_FILE,
    RUNNER_FILE,
    RUNNER_OUT,
    SPEC_FILE,
    RunnerResult,
    read_json,
)
from ...runner.procs import kill_process_tree, process_if_same
from ..base import ActiveRun

RESULT_EXIT_GRACE = 5.0  # seconds a runner may take to exit after writing result.json


@dataclass
class Watched:
    """One runner process being watched (spawned here, or re-adopted after a restart)."""

    job_id: str
    attempt: int
    job_dir: Path
    pid: int
    create_time: float
    pgid: int
    popen: Any = None  # subprocess.Popen when this process spawned it (to reap it)
    timeout: float | None = None
    started: float = field(default_factory=time.time)  # wall clock, for the timeout backstop
    stop_requested: bool = False
    kill_at: float | None = None  # wall clock: hard-kill if still alive then
    timed_out: bool = False
    progress_stat: tuple[int, int] | None = None
    progress: tuple[int, int] | None = None
    finished: bool = False
    announced: bool = True  # False until on_started was reported: no events before it
    result_seen_at: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def handle(self) -> dict[str, Any]:
        return {"pid": self.pid, "create_time": self.create_time, "pgid": self.pgid}


def read_result(job_dir: Path, attempt: int) -> RunnerResult | None:
    """result.json of this attempt, or None (absent, half-written cannot happen: atomic)."""
    result = read_json(Path(job_dir) / RESULT_FILE)
    if isinstance(result, dict) and int(result.get("attempt") or 0) == int(attempt):
        return result  # type: ignore[return-value]
    return None


def is_alive(w: Watched) -> bool:
    if w.popen is not None:
        return w.popen.poll() is None
    return process_if_same(w.pid, w.create_time) is not None


def read_progress(w: Watched) -> tuple[int, int] | None:
    """The progress if progress.json changed since the last look, else None."""
    path = w.job_dir / PROGRESS_FILE
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (st.st_mtime_ns, st.st_size)
    if key == w.progress_stat:
        return None
    w.progress_stat = key
    data = read_json(path)
    if not isinstance(data, dict):
        return None
    value = (int(data.get("cells_done") or 0), int(data.get("cells_total") or 0))
    if value == w.progress:
        return None
    w.progress = value
    return value


def kill_hard(job_dir: Path, pid: int, create_time: float | None, pgid: int | None) -> None:
    """SIGKILL the runner, its process group, its descendants, and its kernel.

    jupyter_client starts the kernel in a session of its own, so the runner's group does
    not contain it: its pid comes from runner.json.
    """
    if process_if_same(pid, create_time) is not None:
        if pgid and pgid != os.getpgrp():
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        kill_process_tree(pid, create_time)
    # Read after the runner is dead, so a kernel it started a moment ago is not missed.
    kill_kernel(read_json(Path(job_dir) / RUNNER_FILE) or {})


def kill_kernel(info: dict) -> None:
    """Kill the kernel named in runner.json if it outlived its runner."""
    if isinstance(info, dict) and info.get("kernel_pid"):
        kill_process_tree(int(info["kernel_pid"]), info.get("kernel_create_time"))


def terminate(w: Watched) -> None:
    """SIGTERM the runner only: it stops the kernel and saves the partial notebook itself."""
    if process_if_same(w.pid, w.create_time) is not None:
        try:
            os.kill(w.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


def output_tail(job_dir: Path, limit: int = 2000) -> str:
    try:
        with open(Path(job_dir) / RUNNER_OUT, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            return fh.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def synthesize(w: Watched, message: str | None = None) -> RunnerResult:
    """The result of a run that ended without writing result.json."""
    if w.stop_requested:
        reason, msg = REASON_STOPPED, "the job was stopped (the runner had to be killed)"
    elif w.timed_out:
        reason, msg = REASON_TIMEOUT, f"the job exceeded its timeout of {w.timeout:g} s"
    else:
        reason = REASON_RUNNER_DIED
        msg = message or "the runner process ended without writing a result"
    tail = output_tail(w.job_dir)
    if tail and reason == REASON_RUNNER_DIED:
        msg = f"{msg}; its last output:\n{tail}"
    spec = read_json(w.job_dir / SPEC_FILE) or {}
    outputs = []
    out_dir, stem = spec.get("output_dir"), spec.get("output_stem")
    if out_dir and not stem and spec.get("notebook"):
        stem = Path(spec["notebook"]).stem
    for ext in (".ipynb", ".log"):
        if out_dir and stem and (Path(out_dir) / f"{stem}{ext}").exists():
            outputs.append(f"{stem}{ext}")
    done, total = w.progress or (0, 0)
    ended = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "status": "stopped" if reason == REASON_STOPPED else "failed",
        "attempt": w.attempt,
        "error": {
            "message": msg,
            "reason": reason,
            "cell_index": None,
            "ename": None,
            "evalue": None,
            "traceback": tail.splitlines()[-20:] if tail else [],
        },
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(w.started)),
        "ended_at": ended,
        "cells_done": done,
        "cells_total": total,
        "outputs": outputs,
    }


def ended_before_launch(attempt: int, status: str, reason: str, message: str) -> RunnerResult:
    """The result of an attempt whose runner was never launched."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "status": status,
        "attempt": attempt,
        "error": {"message": message, "reason": reason, "cell_index": None, "ename": None,
                  "evalue": None, "traceback": []},
        "started_at": now,
        "ended_at": now,
        "cells_done": 0,
        "cells_total": 0,
        "outputs": [],
    }


def poll_one(w: Watched, now: float) -> tuple[tuple[int, int] | None, RunnerResult | None]:
    """One look at a run: (new progress or None, final result or None). Enforces kill_at."""
    progress = read_progress(w)
    result = read_result(w.job_dir, w.attempt)
    alive = is_alive(w)
    if result is not None and alive:
        # Written last, just before the runner exits: report once it has (a runner that
        # lingers past its result is broken and gets killed).
        w.result_seen_at = w.result_seen_at or now
        if now - w.result_seen_at < RESULT_EXIT_GRACE:
            return progress, None
        kill_hard(w.job_dir, w.pid, w.create_time, w.pgid)
        alive = False
    if result is not None or not alive:
        if result is None:
            # The runner may have written result.json just before exiting: look again.
            result = read_result(w.job_dir, w.attempt) or synthesize(w)
        if not alive:
            kill_kernel(read_json(w.job_dir / RUNNER_FILE) or {})  # a kernel never outlives
        progress = read_progress(w) or progress
        return progress, result
    if w.timeout and not w.stop_requested and now > w.started + w.timeout and not w.timed_out:
        # The runner enforces the timeout itself; past timeout + grace it is not listening.
        if w.kill_at is None or w.kill_at > now:
            w.kill_at = now + float(w.extra.get("timeout_grace", 30.0))
            w.timed_out = True
    if w.kill_at is not None and now >= w.kill_at:
        kill_hard(w.job_dir, w.pid, w.create_time, w.pgid)
        w.kill_at = None
    return progress, None


def adopt(run: ActiveRun) -> tuple[Watched | None, RunnerResult | None]:
    """After a restart: the run to watch if its runner still runs, else its result (read, or
    synthesized for a runner that died without one). Blocking."""
    job_dir = Path(run.job_dir)
    handle = dict(run.handle or {})
    info = read_json(job_dir / RUNNER_FILE) or {}
    if not handle.get("pid") and int(info.get("attempt") or 0) == run.attempt:
        # Crashed between spawning and recording on_started: runner.json knows the pid.
        handle = {"pid": info.get("pid"), "create_time": info.get("create_time")}
    pid, create_time = handle.get("pid"), handle.get("create_time")
    if (
        process_if_same(pid, create_time) is not None
        and read_result(job_dir, run.attempt) is None
    ):
        spec = read_json(job_dir / "job.json") or {}
        timeout = spec.get("timeout_seconds")
        w = Watched(
            job_id=run.job_id,
            attempt=run.attempt,
            job_dir=job_dir,
            pid=int(pid),
            create_time=float(create_time),
            pgid=int(handle.get("pgid") or pid),
            timeout=float(timeout) if timeout else None,
            started=float(create_time),
        )
        return w, None
    result = read_result(job_dir, run.attempt)
    if process_if_same(pid, create_time) is None:
        kill_kernel(info)  # a kernel never outlives its runner
    if result is not None:
        return None, result
    w = Watched(
        job_id=run.job_id,
        attempt=run.attempt,
        job_dir=job_dir,
        pid=int(pid or 0),
        create_time=float(create_time or time.time()),
        pgid=int(handle.get("pgid") or pid or 0),
    )
    return None, synthesize(w, "the runner process ended while the server was down")

