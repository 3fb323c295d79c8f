"""The store and services of one server, built from `composition.build` when first needed.

An idle server (no run to resume, no schedule to fire, no notebook instances) starts without
them: only `watch` runs, asking the store with sqlite3 whether another server or the command
line has given it work. The first request, or that work, builds and starts everything.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .memory import release_free_memory

if TYPE_CHECKING:
    from .app import NbJobsApp
    from .composition import NbJobs

log = logging.getLogger(__name__)


class StackClosed(RuntimeError):
    """The server is stopping: nothing more is built or started."""


class Stack:
    def __init__(self, app: NbJobsApp, kernel_specs: Callable[[], dict[str, Any]]):
        self._app = app
        self._kernel_specs = kernel_specs
        self._nbjobs: NbJobs | None = None
        self._built = threading.Lock()  # build() runs in a worker thread or on the loop
        self._building: asyncio.Future | None = None
        self._started: asyncio.Future | None = None
        self._watch: asyncio.Task | None = None
        self._tidy: asyncio.Future | None = None
        self._closing = False

    @property
    def built(self) -> bool:
        return self._nbjobs is not None

    @property
    def started(self) -> bool:
        return self._started is not None and self._started.done() \
            and not self._started.cancelled() and self._started.exception() is None

    @property
    def watching(self) -> bool:
        """Idle: not started, the store watched for work."""
        return self._watch is not None and not self._watch.done()

    def work_waiting(self) -> bool:
        """Whether the server must build now rather than on the first request. Blocking."""
        return self._app.work_waiting()

    def build(self) -> NbJobs:
        """Import, open the store (migrating it) and wire the services, once. Blocking."""
        with self._built:
            if self._closing:
                raise StackClosed("the server is stopping")
            if self._nbjobs is None:
                from .composition import build

                app = self._app
                nbjobs = build(app, root_dir=app.serverapp.root_dir,
                               kernel_specs=self._kernel_specs)
                default_kernel = app.serverapp.kernel_manager.default_kernel_name
                services = {**nbjobs.handler_settings(), "nbjobs_default_kernel": default_kernel}
                app.settings.update(services)
                app.serverapp.web_app.settings.update(services)  # what handlers read
                self._nbjobs = nbjobs
            return self._nbjobs

    def now(self) -> NbJobs:
        """Built at once, for code that reaches the services from the app; started on the
        server's event loop (at once when called there)."""
        nbjobs = self.build()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        io_loop = getattr(self._app.serverapp, "io_loop", None)  # tornado's, thread-safe
        if running is not None and running is getattr(io_loop, "asyncio_loop", running):
            self._start()
        elif io_loop is not None:
            io_loop.add_callback(self._start_unless_closing)
        return nbjobs

    def _start_unless_closing(self) -> None:
        if not self._closing:
            self._start()

    async def ready(self) -> NbJobs:
        """Built (in a worker thread, so the server keeps answering meanwhile) and started."""
        if self._nbjobs is None:
            if self._building is None or self._building.done():
                self._building = asyncio.ensure_future(asyncio.to_thread(self.build))
            await asyncio.shield(self._building)
        await asyncio.shield(self._start())
        assert self._nbjobs is not None
        return self._nbjobs

    def _start(self) -> asyncio.Future:
        if self._started is None:
            if self._closing:
                raise StackClosed("the server is stopping")
            assert self._nbjobs is not None
            self._started = asyncio.ensure_future(self._start_then_tidy())
        return self._started

    async def _start_then_tidy(self) -> None:
        assert self._nbjobs is not None
        try:
            await self._nbjobs.start(run_scheduler=self._app.enable_scheduler)
        except BaseException:
            # What did start is stopped, and the next request or watch round starts again.
            await self._nbjobs.stop_loops()
            self._started = None
            raise
        # The imports and the build freed a few MB the C heap keeps (~7 MB measured); given
        # back in the background, so the request that caused the build does not wait for it.
        self._tidy = asyncio.ensure_future(asyncio.to_thread(release_free_memory))

    def watch(self, interval: float) -> None:
        """Until started: every `interval` seconds, build and start if the store has work
        (or something built the services without starting them)."""
        self._watch = asyncio.create_task(self._watch_store(interval), name="nbjobs-watch")

    async def _watch_store(self, interval: float) -> None:
        while not self.started:
            await asyncio.sleep(interval)
            if self._started is not None:  # a request is starting it
                continue
            try:
                waiting = self.built or await asyncio.to_thread(self.work_waiting)
            except Exception:  # noqa: BLE001 - a locked or broken file: the store will say
                log.exception("could not read the job store; loading it")
                waiting = True
            if waiting and self._started is None:
                log.info("the job store has work (a run or a schedule): starting notebook jobs")
                try:
                    await self.ready()
                except StackClosed:
                    return
                except Exception:  # noqa: BLE001 - tried again next round; requests get 503
                    log.exception("notebook jobs could not start")

    async def close(self) -> None:
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        for pending in (self._building, self._started):  # a build or start under way
            if pending is not None:
                await asyncio.gather(pending, return_exceptions=True)
        if self._tidy is not None:  # set by the start above
            await asyncio.gather(self._tidy, return_exceptions=True)
        if self._nbjobs is not None:
            await self._nbjobs.close()
