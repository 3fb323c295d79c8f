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
import sys
import time
from pathlib import Path
from typing import Any

from traitlets import Bool, Float, Integer, Unicode, default, observe

from ...memory import release_free_memory
from ...paths import PACKAGE_PARENT
from ...runner.contract import REASON_STOPPED
from ..base import ActiveRun, Backend, BackendEvents, RunRequest
from .launch import clear_attempt_files, launch_cold, launch_warm
from .pool import READY_WAIT, WarmPool
from .watch import Watched, adopt, ended_before_launch, kill_hard, poll_one, terminate

log = logging.getLogger(__name__)

# The runner imports the package from where this server imports it, installed or not.
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from jupyterlab_nbjobs.runner.__main__ import exit_now, main; exit_now(main())"
)


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
    burst_kernels = Integer(
        4, help="Kernels kept started ahead per kernelspec during a burst (a job found no "
        "started kernel while others ran), until 30 s after its last such job; then back to "
        "warm_kernels. At least warm_kernels."
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
        self._pending: dict[str, asyncio.Task] = {}  # launches waiting for a starting pool
        self._pool_waiters: set[asyncio.Event] = set()  # set from the pool's reader thread

    def _new_pool(self) -> WarmPool:
        return WarmPool(
            self.python,
            PACKAGE_PARENT,
            size=max(0, int(self.warm_kernels)),
            burst=max(0, int(self.burst_kernels)),
            pool_dir=self.pool_dir,
            on_exit=self._on_runner_exit,
            on_change=self._on_pool_change,
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
                await asyncio.to_thread(release_free_memory)  # what the jobs' bookkeeping freed
                return
            await asyncio.sleep(min(left, 30.0) + 0.05)

    def _on_pool_change(self) -> None:
        """From the pool's reader thread: it became ready, or its zygote ended."""
        loop = self._loop
        for event in list(self._pool_waiters):
            try:
                loop.call_soon_threadsafe(event.set)
            except (AttributeError, RuntimeError):  # no loop, or closed
                pass

    def _on_runner_exit(self, pid: int, code: int) -> None:
        """From the pool's reader thread: a forked runner ended; look at it now."""
        self._wake_soon()

    async def start(self, run: RunRequest) -> None:
        """Launch a runner for `run`; report on_started once it runs.

        Called with the job service's dispatch lock held. While the warm pool is still
        starting (the first job after an idle spell), the launch waits for it in the
        background and start() returns at once: the job is ours (reachable by stop(), not
        idle) from here, and other jobs, requests and dispatches go on meanwhile. A server
        that dies in between leaves the run with no runner: re-adoption reports it as
        ended, as for a crash between the claim and the spawn."""
        self._launching += 1
        try:
            await self.warm_up()
            if self.pool is not None and self.pool.starting():
                self._launch_later(run)
                return
            w = await asyncio.to_thread(self._launch, run)
        finally:
            self._launching -= 1
            self._last_used = time.monotonic()
        await self._announce(run, w)

    async def _announce(self, run: RunRequest, w: Watched) -> None:
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

    # -- launching once a starting pool is ready ----------------------------------------

    def _launch_later(self, run: RunRequest) -> None:
        # A placeholder: stop() marks it, the watcher skips it (not announced), the idle
        # loop sees a job.
        w = Watched(job_id=run.job_id, attempt=run.attempt, job_dir=Path(run.job_dir), pid=0,
                    create_time=0.0, pgid=0, announced=False, extra={"pending": True})
        self._watched[run.job_id] = w
        task = asyncio.create_task(self._launch_when_ready(run, w),
                                   name=f"nbjobs-launch-{run.job_id}")
        self._pending[run.job_id] = task

    async def _pool_settled(self, pool: WarmPool, timeout: float) -> None:
        """Wait until `pool` is ready or dead (its reader thread wakes us), or `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        changed = asyncio.Event()
        self._pool_waiters.add(changed)
        try:
            while pool.starting() and loop.time() < deadline:
                try:  # bounded: a wake-up is never missed for long
                    await asyncio.wait_for(changed.wait(), min(1.0, deadline - loop.time()))
                except asyncio.TimeoutError:
                    pass
                changed.clear()
        finally:
            self._pool_waiters.discard(changed)

    async def _launch_when_ready(self, run: RunRequest, placeholder: Watched) -> None:
        job_id = run.job_id
        try:
            if self.pool is not None:
                await self._pool_settled(self.pool, READY_WAIT)
            if placeholder.stop_requested:
                result = ended_before_launch(run.attempt, "stopped", REASON_STOPPED,
                                             "the job was stopped before it started")
                w = None
            else:
                w = await asyncio.to_thread(self._launch, run)
        except asyncio.CancelledError:  # closing: a runner launched meanwhile is re-adopted
            raise
        except Exception as exc:  # noqa: BLE001 - reported as the job's end
            log.exception("nbjobs: could not start job %s", job_id)
            result = ended_before_launch(run.attempt, "failed", "start_failed",
                                         f"could not start: {exc}")
            w = None
        finally:
            self._pending.pop(job_id, None)
            self._last_used = time.monotonic()
        if w is None:
            if self._watched.get(job_id) is placeholder:
                self._watched.pop(job_id, None)
            await self._report_finished(job_id, run.attempt, result)
            return
        try:
            await self._announce(run, w)
        except Exception:  # noqa: BLE001 - the runner is killed; the job ends failed
            log.exception("nbjobs: recording the start of job %s failed", job_id)
            await self._report_finished(job_id, run.attempt, ended_before_launch(
                run.attempt, "failed", "start_failed", "could not record the job's start"))
            return
        if placeholder.stop_requested:  # asked while the runner was being launched
            await self.stop(job_id)

    def _launch(self, run: RunRequest) -> Watched:
        """Start a runner for `run` (forked by the pool, else cold) and return what
        identifies it. Blocking; called off the event loop."""
        job_dir = Path(run.job_dir)
        clear_attempt_files(job_dir)
        if self.pool is not None:
            w = launch_warm(self.pool, run, job_dir)
            if w is not None:
                return w
        return launch_cold(self.python, _BOOT, PACKAGE_PARENT, run, job_dir, self._wake_soon)

    def _wake_soon(self) -> None:
        """From any thread: have the watcher look now."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # loop closed: nobody is watching any more
                pass

    # -- stopping ---------------------------------------------------------------------

    async def stop(self, job_id: str) -> None:
        w = self._watched.get(job_id)
        if w is None or w.finished:
            return
        w.stop_requested = True
        if w.extra.get("pending"):  # its launch sees the flag (before or after it runs)
            return
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
            w, result = await asyncio.to_thread(adopt, run)
            if w is not None:
                self._watch(w)
            elif result is not None:
                await self._report_finished(run.job_id, run.attempt, result)

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
        for launch in list(self._pending.values()):
            launch.cancel()
        if self.pool is not None:
            await asyncio.to_thread(self.pool.close)
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
