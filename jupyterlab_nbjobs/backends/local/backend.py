"""The local backend: each attempt is a detached runner process on this machine.

The runner runs in its own session (so a server restart does not take it down, and its
process group can be killed as one), writes progress.json/result.json in JOB_DIR, and is
watched from here by one polling task. The job service owns the queue and only calls
start() below capacity().
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from traitlets import Bool, Float, Integer, Unicode, default, observe

from ...runner.contract import PROGRESS_FILE, RESULT_FILE, RUNNER_FILE, RUNNER_OUT, read_json
from ...runner.procs import process_if_same
from ..base import ActiveRun, Backend, BackendEvents, RunRequest
from .pool import WarmPool
from .watch import (
    Watched,
    kill_hard,
    kill_kernel,
    poll_one,
    read_result,
    synthesize,
    terminate,
)

log = logging.getLogger(__name__)

# The runner imports the package from where this server imports it, installed or not.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from jupyterlab_nbjobs.runner.__main__ import exit_now, main; exit_now(main())"
)
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


def _poll_all(runs: list[Watched], now: float) -> list[tuple]:
    return [(w, *poll_one(w, now)) for w in runs]


class LocalBackend(Backend):
    name = "local"
    label = "This machine"

    max_concurrent_jobs = Integer(
        allow_none=True,
        help="How many local jobs run at once; the rest wait in the queue. Default (or 0, or "
        "None): the CPU count.",
    ).tag(config=True)
    warm_pool = Bool(
        True, help="Fork runners from a process that has the runner imported, with kernels "
        "started ahead of demand (each used by one job only). Off: every job starts a fresh "
        "runner process and kernel.",
    ).tag(config=True)
    warm_kernels = Integer(
        2, help="Kernels kept started ahead of demand per kernelspec in use (warm_pool)."
    ).tag(config=True)
    python = Unicode(help="Python that runs the runner. Default: this server's.").tag(config=True)
    poll_interval = Float(0.1, help="Seconds between looks at the running jobs.").tag(config=True)
    stop_grace = Float(
        10.0, help="Seconds a stopped job gets to end before it is killed."
    ).tag(config=True)
    timeout_grace = Float(
        30.0, help="Seconds past its timeout before a job that did not end is killed."
    ).tag(config=True)
    pool_dir = Unicode(
        None, allow_none=True, help="Where the warm pool keeps its sockets. Default: a temp dir."
    ).tag(config=True)
    pool_idle_timeout = Float(
        600.0, help="Seconds without a local job (running, starting, or asked for by warm_up) "
        "after which the warm pool ends with all its processes; it starts again when the next "
        "job, the create-job form or a due schedule needs it. 0: keep it running for good.",
    ).tag(config=True)

    def __init__(self, events: BackendEvents, **kwargs: Any):
        super().__init__(events, **kwargs)
        self._watched: dict[str, Watched] = {}
        self._task: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Runners forked from a process that imported everything, most with a kernel
        # already started; without it, or while it is down, runners start cold.
        self.pool: WarmPool | None = self._new_pool() if self.warm_pool else None
        self._last_used = time.monotonic()  # the last job start/end or warm_up
        self._launching = 0  # start() calls under way
        self._idle_task: asyncio.Task | None = None

    def _new_pool(self) -> WarmPool:
        return WarmPool(
            self.python,
            _PACKAGE_PARENT,
            size=max(0, int(self.warm_kernels)),
            pool_dir=self.pool_dir,
            on_exit=self._on_runner_exit,
        )

    @default("python")
    def _python_default(self) -> str:
        return sys.executable

    @default("max_concurrent_jobs")
    def _max_concurrent_default(self) -> int:
        return os.cpu_count() or 1

    def capacity(self) -> int | None:
        return self.max_concurrent_jobs or os.cpu_count() or 1

    # -- starting ---------------------------------------------------------------------

    async def warm_up(self) -> None:
        """Start the warm pool (if enabled) ahead of a job: a job about to be created (the
        create-job form is open, a schedule is due) or being started. Cheap when it runs."""
        self._loop = self._loop or asyncio.get_running_loop()
        self._last_used = time.monotonic()
        if self.pool is None:
            return
        if not self.pool.alive():
            await asyncio.to_thread(self.pool.ensure_started)
        self._watch_idle()

    # -- giving the pool back when idle ---------------------------------------------------

    def _watch_idle(self) -> None:
        if self.pool_idle_timeout > 0 and (self._idle_task is None or self._idle_task.done()):
            self._idle_task = asyncio.create_task(self._idle_loop(), name="nbjobs-pool-idle")

    @observe("pool_idle_timeout")
    def _idle_timeout_changed(self, _change: Any) -> None:
        """A new timeout applies now, not after the current wait."""
        task = getattr(self, "_idle_task", None)
        if task is not None and not task.done():
            task.cancel()
            self._idle_task = None
            self._watch_idle()

    def _idle(self) -> bool:
        return not self._watched and not self._launching

    async def _idle_loop(self) -> None:
        """End the pool once no job has needed it for pool_idle_timeout seconds."""
        while self.pool is not None and self.pool.alive():
            if not self._idle() or not self.pool.ready():  # a pool still starting is not idle
                self._last_used = time.monotonic()
            left = self._last_used + self.pool_idle_timeout - time.monotonic()
            if left <= 0:
                old, self.pool = self.pool, self._new_pool()  # the next job starts afresh
                log.info("nbjobs: no local job for %.0f s; ending the warm pool",
                         self.pool_idle_timeout)
                await asyncio.to_thread(old.close)
                return
            await asyncio.sleep(min(left, 30.0) + 0.05)

    def _on_runner_exit(self, pid: int, code: int) -> None:
        """From the pool's reader thread: a forked runner ended; look at it now."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # loop closed: nobody is watching any more
                pass

    async def start(self, run: RunRequest) -> None:
        self._launching += 1
        try:
            await self.warm_up()
            w = await asyncio.to_thread(self._launch, run)
        finally:
            self._launching -= 1
            self._last_used = time.monotonic()
        w.announced = False  # stop() can reach it now; events wait for on_started
        self._watch(w)
        try:
            await self.events.on_started(run.job_id, run.attempt, w.handle)
        except BaseException:
            # Not recorded as started: a runner nobody knows about must not keep running.
            self._watched.pop(run.job_id, None)
            await asyncio.to_thread(kill_hard, w.job_dir, w.pid, w.create_time, w.pgid)
            raise
        w.announced = True
        self._kick()

    def _launch(self, run: RunRequest) -> Watched:
        """Start a runner for `run` and return what identifies it.

        The one place a runner comes to life: a warm pool replaces this method.
        Blocking; called off the event loop.
        """
        job_dir = Path(run.job_dir)
        for name in (RESULT_FILE, PROGRESS_FILE, RUNNER_FILE):  # an earlier attempt's
            (job_dir / name).unlink(missing_ok=True)
        timeout = (run.spec or {}).get("timeout_seconds")
        if self.pool is not None:
            w = self._launch_warm(run, job_dir)
            if w is not None:
                return w
        with open(job_dir / RUNNER_OUT, "ab") as out:
            popen = subprocess.Popen(
                [self.python, "-c", _BOOT, _PACKAGE_PARENT, str(job_dir)],
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
        w = Watched(
            job_id=run.job_id,
            attempt=run.attempt,
            job_dir=job_dir,
            pid=popen.pid,
            create_time=create_time,
            pgid=popen.pid,
            popen=popen,
            timeout=float(timeout) if timeout else None,
        )
        self._reap_in_thread(w)
        return w

    def _launch_warm(self, run: RunRequest, job_dir: Path) -> Watched | None:
        spec = run.spec or {}
        # A job with its own environment variables gets a fresh kernel (still a warm runner).
        got = self.pool.launch(
            run.job_id, job_dir, spec.get("kernel_name") or "", warm=not spec.get("env")
        )
        if got is None:
            # A pool that failed half-way may have forked a runner already: never two.
            info = read_json(job_dir / RUNNER_FILE) or {}
            if info.get("pid"):
                kill_hard(job_dir, info["pid"], info.get("create_time"), info["pid"])
                for name in (RESULT_FILE, PROGRESS_FILE, RUNNER_FILE):
                    (job_dir / name).unlink(missing_ok=True)
            return None
        timeout = spec.get("timeout_seconds")
        return Watched(
            job_id=run.job_id,
            attempt=run.attempt,
            job_dir=job_dir,
            pid=int(got["pid"]),
            create_time=float(got["create_time"]),
            pgid=int(got["pid"]),
            timeout=float(timeout) if timeout else None,
            extra={"warm": bool(got.get("warm"))},
        )

    def _reap_in_thread(self, w: Watched) -> None:
        """Wait for our own child in a small thread: reaps it, and wakes the watcher at once."""
        popen = w.popen

        def wait() -> None:
            popen.wait()
            loop, wake = self._loop, self._wake
            if loop is not None and wake is not None:
                try:
                    loop.call_soon_threadsafe(wake.set)
                except RuntimeError:  # loop closed: nobody is watching any more
                    pass

        threading.Thread(target=wait, name=f"nbjobs-reap-{w.pid}", daemon=True).start()

    # -- stopping ---------------------------------------------------------------------

    async def stop(self, job_id: str) -> None:
        w = self._watched.get(job_id)
        if w is None or w.finished:
            return
        w.stop_requested = True
        deadline = time.time() + self.stop_grace
        w.kill_at = deadline if w.kill_at is None else min(w.kill_at, deadline)
        await asyncio.to_thread(terminate, w)
        self._kick()

    # -- after a restart --------------------------------------------------------------

    async def reconcile(self, runs: list[ActiveRun]) -> None:
        # No warm-up here: an idle server holds no pool; the first job, the create-job form
        # or a schedule about to fire starts it.
        self._loop = self._loop or asyncio.get_running_loop()
        for run in runs:
            if run.job_id in self._watched:
                continue
            w, result = await asyncio.to_thread(self._reconcile_one, run)
            if w is not None:
                self._watch(w)
            elif result is not None:
                await self._report_finished(run.job_id, run.attempt, result)

    def _reconcile_one(self, run: ActiveRun) -> tuple[Watched | None, dict | None]:
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

    # -- watching ---------------------------------------------------------------------

    def _watch(self, w: Watched) -> None:
        w.extra["timeout_grace"] = self.timeout_grace
        self._watched[w.job_id] = w
        if self._task is None or self._task.done():
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._task = asyncio.create_task(self._watch_loop(), name="nbjobs-local-watch")
        self._kick()

    def _kick(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _watch_loop(self) -> None:
        while self._watched:
            self._wake.clear()
            runs = [w for w in self._watched.values() if w.announced and not w.finished]
            try:
                looks = await asyncio.to_thread(_poll_all, runs, time.time())
            except Exception:  # noqa: BLE001 - keep watching the others
                log.exception("nbjobs: polling local runners failed")
                looks = []
            for w, progress, result in looks:
                if progress is not None and result is None:
                    await self._call(self.events.on_progress, w.job_id, *progress)
                if result is not None:
                    w.finished = True
                    self._watched.pop(w.job_id, None)
                    self._last_used = time.monotonic()
                    await self._report_finished(w.job_id, w.attempt, result)
            if not self._watched:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except asyncio.TimeoutError:
                pass

    async def _report_finished(self, job_id: str, attempt: int, result: dict) -> None:
        await self._call(self.events.on_finished, job_id, attempt, result)

    async def _call(self, fn: Any, *args: Any) -> None:
        try:
            await fn(*args)
        except Exception:  # noqa: BLE001 - one bad event must not stop the watcher
            log.exception("nbjobs: event handler %s failed", getattr(fn, "__name__", fn))

    def reaches(self, job_id: str) -> bool:
        return job_id in self.active_job_ids()

    def active_job_ids(self) -> list[str]:
        return list(self._watched)

    async def close(self) -> None:
        """Stop watching; the runners keep going and are re-adopted by reconcile()."""
        task, self._task = self._task, None
        self._watched.clear()
        idle, self._idle_task = self._idle_task, None
        if idle is not None:
            idle.cancel()
        if self.pool is not None:
            await asyncio.to_thread(self.pool.close)
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
