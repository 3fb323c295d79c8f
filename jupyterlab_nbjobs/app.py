"""NbJobsApp: configuration, wiring, and start/stop of background tasks."""

from __future__ import annotations

import os

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Float, Integer, Unicode, default


class NbJobsApp(ExtensionApp):
    name = "jupyterlab_nbjobs"
    load_other_extensions = True

    db_url = Unicode(
        help="SQLAlchemy URL of the job store. Default: SQLite in the Jupyter data dir."
    ).tag(config=True)

    staging_dir = Unicode(
        help="Where job snapshots and runner state live (not under the server root)."
    ).tag(config=True)

    outputs_folder = Unicode(
        "nbjobs-outputs",
        help="Folder under the server root where each job's outputs are published.",
    ).tag(config=True)

    max_concurrent_jobs = Integer(
        help="How many local jobs run at once; the rest wait in the queue. Default: CPU count."
    ).tag(config=True)

    default_backend = Unicode("local", help="Backend used when a request names none.").tag(
        config=True
    )

    enable_scheduler = Bool(True, help="Run the schedule loop in this server.").tag(config=True)

    max_sweep_combinations = Integer(
        1000, help="Most jobs one parameter sweep may create."
    ).tag(config=True)

    scheduler_poll_interval = Float(
        5.0, help="Longest sleep of the schedule loop: how soon changes made by another "
        "server or the CLI are seen (changes in this server wake it at once)."
    ).tag(config=True)

    misfire_grace_seconds = Float(
        60.0, help="A fire later than this (the server was down) follows the schedule's "
        "catch-up policy instead of running as usual."
    ).tag(config=True)

    cron_seconds_field = Bool(
        False, help="Accept a 6th cron field for seconds. For tests and demos only: the "
        "public cron format has 5 fields."
    ).tag(config=True)

    warm_pool = Bool(
        True, help="Fork local runners from a process that has the runner imported, with "
        "kernels started ahead of demand (each used by one job only). Off: every job starts "
        "a fresh runner process and kernel."
    ).tag(config=True)

    warm_kernels = Integer(
        2, help="Kernels kept started ahead of demand per kernelspec in use (warm_pool)."
    ).tag(config=True)

    enable_sagemaker = Bool(
        None, allow_none=True,
        help="Offer the SageMaker backend. Default: when running in SageMaker Studio (its "
        "resource metadata file exists) or when c.SageMakerConfig is set.",
    ).tag(config=True)

    def initialize_settings(self):
        from .services.jobs import JobService
        from .store import Database, JobStore

        self.db = Database(self.db_url)
        self.db.migrate()
        ksm = self.serverapp.kernel_spec_manager
        self.jobs = JobService(
            JobStore(self.db),
            root_dir=self.serverapp.root_dir,
            staging_dir=self.staging_dir,
            outputs_folder=self.outputs_folder,
            kernel_specs=ksm.get_all_specs,
        )
        for backend in self._make_backends(self.jobs):
            self.jobs.add_backend(backend, default=backend.name == self.default_backend)
        self._init_schedules()
        self.settings.update({"nbjobs_jobs": self.jobs, "nbjobs_schedules": self.schedules,
                              "nbjobs_sweeps": self.sweeps})

    def _init_schedules(self):
        from .services.scheduler import Scheduler
        from .services.schedules import ScheduleService
        from .services.sweeps import SweepService
        from .store.schedules import ScheduleStore, SweepStore

        store = ScheduleStore(self.db)
        schedules_dir = os.path.join(os.path.dirname(os.path.abspath(self.staging_dir)),
                                     "schedules")
        self.schedules = ScheduleService(store, self.jobs, schedules_dir,
                                         allow_seconds=self.cron_seconds_field)
        if "sagemaker" in self.jobs.backends:  # AWS fires these while the server is down
            from .backends.sagemaker.schedules import SageMakerSchedules

            self.schedules.remote["sagemaker"] = SageMakerSchedules(self.jobs.backends["sagemaker"])
        self.sweeps = SweepService(SweepStore(self.db), self.jobs,
                                   max_combinations=self.max_sweep_combinations)
        self.scheduler = Scheduler(store, self.schedules,
                                   poll_interval=self.scheduler_poll_interval,
                                   misfire_grace=self.misfire_grace_seconds)

    def _make_backends(self, events):
        from .backends.local import LocalBackend

        backends = [LocalBackend(events, max_concurrent_jobs=self.max_concurrent_jobs,
                                 warm_pool=self.warm_pool, warm_kernels=self.warm_kernels)]
        if self._sagemaker_wanted():
            from .backends.sagemaker.backend import create_sagemaker_backend

            backends.append(create_sagemaker_backend(events, parent=self))
        return backends

    def _sagemaker_wanted(self) -> bool:
        if self.enable_sagemaker is not None:
            return self.enable_sagemaker
        from .backends.sagemaker.config import SageMakerConfig

        in_studio = os.path.exists(SageMakerConfig(parent=self).resource_metadata_path)
        return in_studio or "SageMakerConfig" in self.config

    def initialize_handlers(self):
        from .handlers import all_routes

        self.handlers.extend(all_routes("/nbjobs"))

    async def _start_jupyter_server_extension(self, serverapp):
        await self.jobs.reconcile()
        if self.enable_scheduler:
            await self.scheduler.start()

    async def stop_extension(self):
        await self.scheduler.stop()
        await self.jobs.close()
        self.db.dispose()

    @default("staging_dir")
    def _staging_dir_default(self):
        return os.path.join(jupyter_data_dir(), "nbjobs", "jobs")

    @default("db_url")
    def _db_url_default(self):
        return "sqlite:///" + os.path.join(jupyter_data_dir(), "nbjobs", "nbjobs.sqlite")

    @default("max_concurrent_jobs")
    def _max_concurrent_default(self):
        return os.cpu_count() or 1
