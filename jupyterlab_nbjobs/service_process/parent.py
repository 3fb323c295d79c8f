"""The server's side of its service process: start it when a request or the store needs it,
stop it when it has had nothing to do for `idle_timeout` seconds.

Only the server decides when the process stops, and only between requests: a request that
arrives while it stops waits for the stop and starts a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict

from ..paths import PACKAGE_PARENT, child_python_env
from .protocol import Spec

log = logging.getLogger(__name__)

START_TIMEOUT = 120.0  # a first start may migrate the store
RETRY_MAX = 300.0  # the longest wait of the watch between starts that failed
STOP_TIMEOUT = 30.0  # the services' own close waits for the warm pool and the loops


class ServiceUnavailable(RuntimeError):
    """The service process could not be started (the cause is in the server log)."""


class ServiceProcess:
    def __init__(self, spec: Callable[[str, bool], Spec], *, work_waiting: Callable[[], bool],
                 idle_timeout: float, poll_interval: float, log: logging.Logger = log):
        """`spec(socket, warm_first)` makes the settings at each start; `work_waiting()`
        (blocking) says whether the store has work that needs the process (then it is
        started, or kept)."""
        self._spec = spec
        self.log = log
        self._work_waiting = work_waiting
        self.idle_timeout = idle_timeout
        self.poll_interval = poll_interval
        self._dir = tempfile.mkdtemp(prefix="nbjobs-service-")  # 0700: only this user
        self.socket = os.path.join(self._dir, "http.sock")
        self._proc: asyncio.subprocess.Process | None = None
        self._starting: asyncio.Future | None = None
        self._stopping: asyncio.Future | None = None
        self._watch: asyncio.Task | None = None
        self._in_flight = 0
        self._last_request = time.monotonic()
        self._closed = False
        self._retry = 0.0  # the watch's wait after a start that failed, doubled each time
        self._retry_at = 0.0

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """Around a forwarded request: the process is not stopped for idleness meanwhile."""
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._last_request = time.monotonic()

    async def ready(self, warm_first: bool = False) -> str:
        """The socket of a process that serves, started if need be (`warm_first`: for a
        request after which a job is likely)."""
        while self._stopping is not None:
            await asyncio.shield(self._stopping)
        if self._closed:
            raise ServiceUnavailable("the server is stopping")
        if self.running and self._starting is None:
            return self.socket
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start(warm_first))
        starting = self._starting
        try:
            await asyncio.shield(starting)
        finally:
            if self._starting is starting and starting.done():
                self._starting = None
        return self.socket

    async def _start(self, warm_first: bool) -> None:
        if self._proc is not None and self._proc.returncode is not None:
            self.log.warning("notebook jobs: the service process ended (exit code %s); "
                             "starting another", self._proc.returncode)
        self._proc = None
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket)
        # Off the loop: naming the backends' config sections reads the entry points.
        spec = json.dumps(asdict(await asyncio.to_thread(self._spec, self.socket, warm_first)))
        began = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "jupyterlab_nbjobs.service_process",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            cwd=PACKAGE_PARENT, env=child_python_env())
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(spec.encode() + b"\n")
            await proc.stdin.drain()
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
            answer = json.loads(line) if line.strip() else {}
        except (ValueError, OSError) as exc:  # not our answer, or the pipe broke
            await _end(proc, 5.0)
            raise ServiceUnavailable(f"no answer from it ({exc})") from None
        except BaseException:
            await _end(proc, 0)
            raise
        if not isinstance(answer, dict) or not answer.get("ready"):
            await _end(proc, 5.0)
            raise ServiceUnavailable(isinstance(answer, dict) and answer.get("error") or
                                     f"it ended before serving (exit code {proc.returncode})")
        self._proc = proc
        self._retry = self._retry_at = 0.0
        self._last_request = time.monotonic()
        self.log.info("notebook jobs: the service process (pid %d) serves, started in %.2f s",
                      proc.pid, time.monotonic() - began)

    def watch(self) -> None:
        """Every poll_interval: start the process when the store has work (a schedule the
        command line added, a run another server left), stop it when idle."""
        self._watch = asyncio.create_task(self._watch_loop(), name="nbjobs-service-watch")

    async def _watch_loop(self) -> None:
        while True:
            await asyncio.sleep(self.poll_interval)
            try:
                await self._look()
            except ServiceUnavailable as exc:  # requests get 503 (and try again themselves)
                self._retry = min(RETRY_MAX, max(self.poll_interval, self._retry * 2))
                self._retry_at = time.monotonic() + self._retry
                self.log.error("notebook jobs: the service process could not start (tried "
                               "again in %.0f s): %s", self._retry, exc)
            except Exception:  # noqa: BLE001 - the watch goes on
                self.log.exception("notebook jobs: watching the service process failed")

    async def _look(self) -> None:
        if self._starting is not None or self._stopping is not None:
            return
        if not self.running:
            if time.monotonic() >= self._retry_at and \
                    await asyncio.to_thread(self._work_waiting):
                self.log.info("notebook jobs: the job store has work; starting the service "
                              "process")
                await self.ready()
            return
        if not self._idle():
            return
        seen = self._last_request
        if await asyncio.to_thread(self._work_waiting):
            return
        # A request may have come while the store was read: then it is not idle.
        if self._idle() and self._last_request == seen and self._stopping is None:
            self.log.info("notebook jobs: nothing to do for %.0f s; the service process "
                          "stops", self.idle_timeout)
            await self.stop()

    def _idle(self) -> bool:
        return (self.idle_timeout > 0 and self._in_flight == 0
                and time.monotonic() - self._last_request >= self.idle_timeout)

    async def stop(self) -> None:
        """Stop the process (requests arriving meanwhile wait, then start a new one)."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        stopping = self._stopping
        try:
            await asyncio.shield(stopping)
        finally:
            if self._stopping is stopping:
                self._stopping = None

    async def _stop(self) -> None:
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)
        proc, self._proc = self._proc, None
        if proc is not None:
            await _end(proc, STOP_TIMEOUT)

    def lost(self) -> None:
        """A forwarded request found no one listening on the socket: a process that still
        runs is ended (it cannot serve), and the next request starts another."""
        proc = self._proc
        if proc is not None and self._starting is None and self._stopping is None:
            self._proc = None
            if proc.returncode is None:
                self.log.error("notebook jobs: the service process (pid %d) does not listen; "
                               "ending it", proc.pid)
                asyncio.ensure_future(_end(proc, 5.0))

    async def close(self) -> None:
        self._closed = True
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        await self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


async def _end(proc: asyncio.subprocess.Process, grace: float) -> None:
    """Close the process's stdin (its signal to stop), then terminate, then kill."""
    if proc.stdin is not None and not proc.stdin.is_closing():
        proc.stdin.close()
    for signal_it in (None, proc.terminate, proc.kill):
        if signal_it is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                signal_it()
        try:
            await asyncio.wait_for(proc.wait(), grace if signal_it is not proc.kill else None)
            return
        except asyncio.TimeoutError:
            continue
