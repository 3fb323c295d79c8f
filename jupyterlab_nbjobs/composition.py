"""The composition root: the store, the backends and the services, built from configuration.

The server extension (`NbJobsApp`), its service process and the command line
(`jupyter nbjobs`) all call `build()` with the settings (`NbJobsSettings`), so
`c.NbJobsApp.*`, each backend's `c.<BackendClass>.*` and `c.SageMakerConfig.*` mean the same
in all three.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .backends.base import Backend, BackendEvents
from .services.instances.wiring import Instances, build_instances
from .services.jobs import JobService
from .services.scheduler import Scheduler
from .services.schedules import ScheduleService
from .services.sweeps import SweepService
from .settings import BACKEND_ENTRY_POINTS
from .store import Database, JobStore
from .store.schedules import ScheduleStore, SweepStore

if TYPE_CHECKING:
    from .settings import NbJobsSettings

log = logging.getLogger(__name__)


@dataclass
class NbJobs:
    """Everything one process needs to serve jobs, schedules and sweeps."""

    db: Database
    jobs: JobService
    schedules: ScheduleService
    sweeps: SweepService
    scheduler: Scheduler
    instances: Instances  # notebook instances and projects (off unless configured)

    def handler_settings(self) -> dict[str, Any]:
        """What the handlers read from the tornado application's settings."""
        return {"nbjobs_jobs": self.jobs, "nbjobs_schedules": self.schedules,
                "nbjobs_sweeps": self.sweeps, "nbjobs_instances": self.instances.service,
                "nbjobs_projects": self.instances.projects}

    async def start(self, *, run_scheduler: bool) -> None:
        """Re-adopt or settle the runs a previous process left, then fire schedules."""
        await self.jobs.reconcile()
        if run_scheduler:
            await self.scheduler.start()
            await self.schedules.run_importer.start()  # catch up on cloud-fired runs first
        await self.instances.start()

    async def stop_loops(self) -> None:
        """Stop what start() started (each stop is a no-op for a loop that never ran)."""
        await self.instances.stop()
        await self.scheduler.stop()
        await self.schedules.run_importer.stop()

    async def close(self) -> None:
        await self.stop_loops()
        await self.jobs.close()
        self.db.dispose()


def build(settings: NbJobsSettings, *, root_dir: str, kernel_specs: Callable[[], dict[str, Any]],
          ready_made: tuple[Backend, ...] = ()) -> NbJobs:
    """`ready_made`: backends made ahead (with no events yet), used for their classes."""
    db = Database(settings.db_url)
    try:
        return _build_on(db, settings, root_dir, kernel_specs, ready_made)
    except BaseException:
        db.dispose()  # a failed build is tried again, with an engine of its own
        raise


def _build_on(db: Database, settings: NbJobsSettings, root_dir: str,
              kernel_specs: Callable[[], dict[str, Any]],
              ready_made: tuple[Backend, ...]) -> NbJobs:
    db.migrate()
    jobs = JobService(JobStore(db), root_dir=root_dir, staging_dir=settings.staging_dir,
                      outputs_folder=settings.outputs_folder, kernel_specs=kernel_specs)
    for backend in make_backends(settings, jobs, ready_made):
        jobs.add_backend(backend, default=backend.name == settings.default_backend)
    schedule_store = ScheduleStore(db)
    schedules_dir = os.path.join(os.path.dirname(os.path.abspath(settings.staging_dir)),
                                 "schedules")
    schedules = ScheduleService(schedule_store, jobs, schedules_dir,
                                allow_seconds=settings.cron_seconds_field)
    sweeps = SweepService(SweepStore(db), jobs, max_combinations=settings.max_sweep_combinations)
    scheduler = Scheduler(schedule_store, schedules, poll_interval=settings.scheduler_poll_interval,
                          misfire_grace=settings.misfire_grace_seconds)
    return NbJobs(db=db, jobs=jobs, schedules=schedules, sweeps=sweeps, scheduler=scheduler,
                  instances=build_instances(settings, db))


def make_backends(settings: NbJobsSettings, events: BackendEvents,
                  ready_made: tuple[Backend, ...] = ()) -> list[Backend]:
    """One instance of each class in `c.NbJobsApp.backend_classes`, configured from `settings`
    (or the one of that class in `ready_made`, which gets `events`)."""
    settings.carry_moved_settings()
    made = {type(backend): backend for backend in ready_made}
    backends: dict[str, Backend] = {}
    for cls in settings.offered_backend_classes():
        if not (isinstance(cls, type) and issubclass(cls, Backend)):
            raise TypeError(f"{cls!r} is not a Backend class (c.NbJobsApp.backend_classes, "
                            f"or the entry-point group {BACKEND_ENTRY_POINTS!r})")
        backend = made.pop(cls, None) or cls(events, parent=settings)
        backend.events = events
        if not backend.name or backend.name in backends:
            raise ValueError(f"backend {cls.__name__} needs a name of its own "
                             f"(got {backend.name!r}; taken: {sorted(backends)})")
        backends[backend.name] = backend
    return list(backends.values())


def configurable_classes() -> list[type]:
    """The classes whose settings (c.Class.trait) the server and the command line read."""
    from .app import NbJobsApp
    from .backends.local.backend import LocalBackend
    from .backends.remote.backend import RemoteBackend
    from .backends.sagemaker.config import SageMakerConfig
    from .services.instances.config import NotebookInstances

    return [NbJobsApp, LocalBackend, SageMakerConfig, RemoteBackend, NotebookInstances]
