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
from .store.pending import has_pending_work

if TYPE_CHECKING:
    from .app import NbJobsApp
    from .composition import NbJobs

log = logging.getLogger(__name__)


class Stack:
    def __init__(self, app: NbJobsApp, kernel_specs: Callable[[], dict[str, Any]]):
        self._app = app
        self._kernel_specs = kernel_specs
        self._nbjobs: NbJobs | None = None
        self._built = threading.Lock()  # build() runs in a worker thread or on the loop
        self._started: asyncio.Future | None = None
        self._watch: asyncio.Task | None = None
        self._tidy: asyncio.Future | None = None

    @property
    def built(self) -> bool:
        return self._nbjobs is not None

    @property
    def watching(self) -> bool:
        """Idle: not built, the store watched for work."""
        return self._watch is not None and not self._watch.done()

    def work_waiting(self) -> bool:
        """Whether the server must build now rather than on the first request."""
        app = self._app
        return (not app.load_when_needed or app.instances_enabled()
                or has_pending_work(app.db_url, schedules=app.enable_scheduler))

    def build(self) -> NbJobs:
        """Import, open the store (migrating it) and wire the services, once. Blocking."""
        with self._built:
            if self._nbjobs is None:
                from .composition import build

                app = self._app
                nbjobs = build(app, root_dir=app.serverapp.root_dir,
                               kernel_specs=self._kernel_specs)
                services = {"nbjobs_jobs": nbjobs.jobs, "nbjobs_schedules": nbjobs.schedules,
                            "nbjobs_sweeps": nbjobs.sweeps,
                            "nbjobs_instances": nbjobs.instances.service,
                            "nbjobs_projects": nbjobs.instances.projects}
                app.settings.update(services)
                app.serverapp.web_app.settings.update(services)  # what handlers read
                self._nbjobs = nbjobs
            return self._nbjobs

    def now(self) -> NbJobs:
        """Built at once, for code that reaches the services from the app; started as soon
        as the event loop runs."""
        nbjobs = self.build()
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return nbjobs
        self._start()
        return nbjobs

    async def ready(self) -> NbJobs:
        """Built (in a worker thread, so the server keeps answering meanwhile) and started."""
        if self._nbjobs is None:
            await asyncio.to_thread(self.build)
        await asyncio.shield(self._start())
        assert self._nbjobs is not None
        return self._nbjobs

    def _start(self) -> asyncio.Future:
        if self._started is None:
            assert self._nbjobs is not None
            self._started = asyncio.ensure_future(self._start_then_tidy())
        return self._started

    async def _start_then_tidy(self) -> None:
        assert self._nbjobs is not None
        await self._nbjobs.start(run_scheduler=self._app.enable_scheduler)
        # The imports and the build freed a few MB the C heap keeps (~7 MB measured); given
        # back in the background, so the request that caused the build does not wait for it.
        self._tidy = asyncio.ensure_future(asyncio.to_thread(release_free_memory))

    def watch(self, interval: float) -> None:
        """Until built: every `interval` seconds, build and start if the store has work."""
        self._watch = asyncio.create_task(self._watch_store(interval), name="nbjobs-watch")

    async def _watch_store(self, interval: float) -> None:
        while not self.built:
            await asyncio.sleep(interval)
            try:
                waiting = await asyncio.to_thread(self.work_waiting)
            except Exception:  # noqa: BLE001 - a locked or broken file: the store will say
                log.exception("could not read the job store; loading it")
                waiting = True
            if waiting and not self.built:
                log.info("the job store has work (a run or a schedule): starting notebook jobs")
                try:
                    await self.ready()
                except Exception:  # noqa: BLE001 - requests will get the 503 and the log
                    log.exception("notebook jobs could not start")
                    return

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
        if self._started is not None:
            await asyncio.gather(self._started, return_exceptions=True)
        if self._tidy is not None:  # set by the start above
            await asyncio.gather(self._tidy, return_exceptions=True)
        if self._nbjobs is not None:
            await self._nbjobs.close()
