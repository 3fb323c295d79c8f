"""NbJobsApp: the server extension's settings, and start/stop of what `composition.build` makes."""

from __future__ import annotations

import asyncio
import os

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, CaselessStrEnum, Float, Integer, List, Type, Unicode, default

# Another package offers a backend with one line in its pyproject.toml:
#   [project.entry-points."jupyterlab_nbjobs.backends"]
#   mine = "my_package.backend:MyBackend"
BACKEND_ENTRY_POINTS = "jupyterlab_nbjobs.backends"

# Settings that moved from NbJobsApp to the local backend; the old names keep working.
MOVED_TO_LOCAL_BACKEND = ("max_concurrent_jobs", "warm_pool", "warm_kernels")

# How long before a schedule's fire the services start (they warm the pool then too).
SCHEDULE_LEAD = 60.0

# The config sections the service process must get to build what the server would build.
SERVICE_SECTIONS = {"NbJobsApp", "LocalBackend", "SageMakerConfig", "RemoteBackend",
                    "NotebookInstances", "KernelSpecManager"}

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

    backend_classes = List(
        Type(klass="jupyterlab_nbjobs.backends.base.Backend"),
        help="Backend classes to offer, each configured with c.<ClassName>.* (importable "
        "names or classes). Empty (the default): LocalBackend, plus SageMakerBackend when "
        "enable_sagemaker "
        "(or being in Studio) says so, RemoteBackend when c.RemoteBackend.targets names a "
        "server, and the backends installed packages declare in the entry-point group "
        "'jupyterlab_nbjobs.backends'.",
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

    # Moved to c.LocalBackend.*: still read from here, with a deprecation warning.
    max_concurrent_jobs = Integer(
        None, allow_none=True, help="Deprecated: use c.LocalBackend.max_concurrent_jobs"
    ).tag(config=True)
    warm_pool = Bool(None, allow_none=True, help="Deprecated: use c.LocalBackend.warm_pool").tag(
        config=True)
    warm_kernels = Integer(
        None, allow_none=True, help="Deprecated: use c.LocalBackend.warm_kernels"
    ).tag(config=True)

    enable_sagemaker = Bool(
        None, allow_none=True,
        help="Offer the SageMaker backend. Default: when running in SageMaker Studio (its "
        "resource metadata file exists) or when c.SageMakerConfig is set.",
    ).tag(config=True)

    load_when_needed = Bool(
        True, help="Build the job store and the services with the first request to /nbjobs/, "
        "or as soon as the store has work (a run to resume, an active schedule) or notebook "
        "instances are enabled: until then the server holds none of it (~30 MB) and starts "
        "as fast as without the extension. False: build at start. With a database other than "
        "SQLite the store is always read at start.",
    ).tag(config=True)

    service_process = CaselessStrEnum(
        ["auto", "always", "never"], "auto",
        help="Where the job store and the services run. always: in a process of their own, "
        "which the server starts with the first request to /nbjobs/ (or when the store has "
        "work) and stops after service_idle_timeout seconds with nothing to do, so that the "
        "server goes back to a bare server's memory; each request is forwarded to it. never: "
        "in the server, loaded when first needed and kept. auto (the default): always under "
        "JupyterHub, where an idle server's memory is paid per user all day; never otherwise.",
    ).tag(config=True)

    service_idle_timeout = Float(
        600.0, help="With the services in a process of their own: it stops once no job has "
        "been running or queued, no schedule due within a minute, no notebook instances "
        "enabled and no request made for this many seconds (0: it is kept).",
    ).tag(config=True)

    def initialize_settings(self):
        self.service = None
        if self._use_service_process():
            from .service_process.parent import ServiceProcess

            self.service = ServiceProcess(
                self._service_spec, work_waiting=self.work_waiting,
                idle_timeout=self.service_idle_timeout,
                poll_interval=self.scheduler_poll_interval, log=self.log)
            return
        from .stack import Stack

        self.stack = Stack(self, kernel_specs=self._kernel_specs)

    @property
    def nbjobs(self):
        """The store and the services, built on first use (see Stack)."""
        if self.service is not None:
            raise RuntimeError("the notebook jobs services run in a process of their own "
                               "(c.NbJobsApp.service_process): use the REST API")
        return self.stack.now()

    def _kernel_specs(self):
        ksm = self.serverapp.kernel_spec_manager
        spell_out_kernel_dirs(ksm)
        return ksm.get_all_specs()

    def work_waiting(self) -> bool:
        """Whether the services must run now rather than with the first request: a run to
        resume or settle, a schedule the loop fires within SCHEDULE_LEAD seconds (the store is
        asked again every scheduler_poll_interval), notebook instances to watch. Blocking."""
        from .store.pending import has_pending_work

        return (not self.load_when_needed or self.instances_enabled()
                or has_pending_work(self.db_url, schedules=self.enable_scheduler,
                                    schedule_lead=SCHEDULE_LEAD + self.scheduler_poll_interval))

    def _use_service_process(self) -> bool:
        if self.service_process == "never" or (
                self.service_process == "auto" and not _under_jupyterhub()):
            return False
        why_not = self._why_not_service_process()
        if why_not:
            self.log.warning("nbjobs: the services run in the server, not in a process of "
                             "their own: %s", why_not)
            return False
        return True

    def _why_not_service_process(self) -> str | None:
        import socket

        from jupyter_client.kernelspec import KernelSpecManager

        from .service_process.protocol import NotPortable, config_to_json
        from .store.pending import sqlite_path

        if not hasattr(socket, "AF_UNIX"):
            return "this system has no Unix sockets"
        if type(self.serverapp.kernel_spec_manager) is not KernelSpecManager:
            return "the server's kernel spec manager is not jupyter_client's"
        if sqlite_path(self.db_url) == "":
            return "the job store is an in-memory database"
        try:
            config_to_json(self.serverapp.config, self._service_sections())
        except NotPortable as exc:
            return str(exc)
        return None

    def _service_sections(self) -> set[str]:
        """The config sections the service process reads: ours, and each offered backend's
        (named from the config and the entry points, without importing them)."""
        from importlib.metadata import entry_points

        configured = self.config.get("NbJobsApp", {}).get("backend_classes") or []
        names = [c if isinstance(c, str) else getattr(c, "__qualname__", "")
                 for c in (configured if isinstance(configured, (list, tuple)) else [])]
        names += [e.value for e in entry_points(group=BACKEND_ENTRY_POINTS)]
        return SERVICE_SECTIONS | {n.replace(":", ".").rsplit(".", 1)[-1] for n in names if n}

    def _service_spec(self, socket_path: str, warm_first: bool):
        from jupyter_server.services.security import csp_report_uri
        from jupyter_server.utils import url_path_join

        from .service_process.protocol import Spec, config_to_json

        server = self.serverapp
        settings = server.web_app.settings
        return Spec(config=config_to_json(server.config, self._service_sections()),
                    root_dir=server.root_dir,
                    default_kernel=server.kernel_manager.default_kernel_name,
                    socket=socket_path, log_level=_level(server.log_level),
                    headers=dict(settings.get("headers", {})),
                    csp_report_uri=settings.get("csp_report_uri", url_path_join(
                        settings.get("base_url", "/"), csp_report_uri)),
                    cwd=os.getcwd(), warm_first=warm_first)

    # The services, as tests and other extensions reach them from the app.
    jobs = property(lambda self: self.nbjobs.jobs)
    schedules = property(lambda self: self.nbjobs.schedules)
    sweeps = property(lambda self: self.nbjobs.sweeps)
    scheduler = property(lambda self: self.nbjobs.scheduler)
    instances = property(lambda self: self.nbjobs.instances)  # c.NotebookInstances.*

    def initialize_handlers(self):
        from jupyter_server.utils import url_path_join

        from .handlers.on_demand import OnDemandRoutes

        web_app = self.serverapp.web_app
        if self.service is not None:
            from .handlers.service_proxy import ServiceProxyHandler, service_client

            prefix = url_path_join(web_app.settings["base_url"], "/nbjobs/")
            web_app.add_handlers(".*$", [(prefix + "(.*)", ServiceProxyHandler, {
                "service": self.service, "client": service_client(self.service),
                "prefix": prefix})])
            return
        self.routes = OnDemandRoutes(web_app, self._load_routes)
        web_app.add_handlers(".*$", [(url_path_join(web_app.settings["base_url"],
                                                    "/nbjobs/.*"), self.routes)])

    async def _load_routes(self) -> list[tuple]:
        """The handlers' routes, as ExtensionApp would register them, once the services are
        built and started."""
        from jupyter_server.extension.handler import ExtensionHandlerMixin
        from jupyter_server.utils import url_path_join

        from .handlers import all_routes

        await self.stack.ready()
        base_url = self.serverapp.web_app.settings["base_url"]
        routes = []
        for pattern, handler, *kwargs in await asyncio.to_thread(all_routes, "/nbjobs"):
            extra = {"name": self.name} if issubclass(handler, ExtensionHandlerMixin) else {}
            routes.append((url_path_join(base_url, pattern), handler,
                           {**extra, **(kwargs[0] if kwargs else {})}))
        return routes

    def instances_enabled(self) -> bool:
        from .services.instances.config import NotebookInstances

        return NotebookInstances(parent=self).enabled

    async def _start_jupyter_server_extension(self, serverapp):
        if self.service is not None:
            await self._start_service_process()
            return
        if await asyncio.to_thread(self.stack.work_waiting):  # sqlite3 may wait on a lock
            await self.routes.load()  # runs to resume, schedules to fire: before serving
        else:
            self.log.info("nbjobs: nothing to resume; the job store and services load with "
                          "the first request to /nbjobs/ or when work is added to the store")
            self.stack.watch(self.scheduler_poll_interval)

    async def _start_service_process(self) -> None:
        from .service_process.parent import ServiceUnavailable

        if await asyncio.to_thread(self.work_waiting):
            try:
                await self.service.ready()  # runs to resume, schedules to fire
            except ServiceUnavailable as exc:  # the watch and each request try again
                self.log.error("nbjobs: the service process could not start: %s", exc)
        else:
            self.log.info("nbjobs: nothing to resume; the service process starts with the "
                          "first request to /nbjobs/ or when work is added to the store")
        self.service.watch()

    async def stop_extension(self):
        if self.service is not None:
            await self.service.close()
        else:
            await self.stack.close()

    def carry_moved_settings(self) -> None:
        """`c.NbJobsApp.max_concurrent_jobs` and friends become `c.LocalBackend.*`, with a
        warning (a value set on LocalBackend itself wins)."""
        old = self.config.get("NbJobsApp", {})
        local = self.config.LocalBackend
        carried = self.__dict__.setdefault("_carried_settings", set())  # once per app
        for name in MOVED_TO_LOCAL_BACKEND:
            if name in old and name not in carried:
                self.log.warning("c.NbJobsApp.%s is deprecated: set c.LocalBackend.%s "
                                 "instead", name, name)
                local.setdefault(name, old[name])
                carried.add(name)

    def offered_backend_classes(self) -> list[type]:
        """`backend_classes`, or when it is empty the default set. Not the trait's default:
        jupyter_server reads every trait at start, and that would import each backend."""
        if self.backend_classes:
            return list(self.backend_classes)
        from traitlets.utils.importstring import import_item

        return [import_item(name) for name in self._default_backend_names()]

    def _default_backend_names(self) -> list[str]:
        classes = ["jupyterlab_nbjobs.backends.local.LocalBackend"]
        if self._sagemaker_wanted():
            classes.append("jupyterlab_nbjobs.backends.sagemaker.backend.SageMakerBackend")
        # Remote: offered once c.RemoteBackend.targets names a server.
        if self.config.get("RemoteBackend", {}).get("targets"):
            classes.append("jupyterlab_nbjobs.backends.remote.RemoteBackend")
        # Backends of other packages, as papermill finds engines: installed means offered.
        from importlib.metadata import entry_points

        for entry in sorted(entry_points(group=BACKEND_ENTRY_POINTS), key=lambda e: e.name):
            classes.append(entry.value.replace(":", "."))
        return classes

    def _sagemaker_wanted(self) -> bool:
        if self.enable_sagemaker is not None:
            return self.enable_sagemaker
        from .backends.sagemaker.config import SageMakerConfig

        in_studio = os.path.exists(SageMakerConfig(parent=self).resource_metadata_path)
        return in_studio or "SageMakerConfig" in self.config

    @default("staging_dir")
    def _staging_dir_default(self):
        return os.path.join(jupyter_data_dir(), "nbjobs", "jobs")

    @default("db_url")
    def _db_url_default(self):
        return "sqlite:///" + os.path.join(jupyter_data_dir(), "nbjobs", "nbjobs.sqlite")


def _level(level: int | str) -> int:
    import logging

    return level if isinstance(level, int) else logging.getLevelName(level)


def _under_jupyterhub() -> bool:
    return "JUPYTERHUB_SERVICE_PREFIX" in os.environ or "JUPYTERHUB_API_TOKEN" in os.environ


def spell_out_kernel_dirs(ksm) -> None:
    """jupyter_client's default kernel_dirs imports all of IPython (with prompt_toolkit and
    jedi: ~18 MB that stay in the server) only to name the legacy ~/.ipython/kernels folder.
    When that default is still to be computed, set it to the same folders without the import
    (IPYTHONDIR, else ~/.ipython, as the runner does). Configured dirs, another manager class
    or an IPython already imported: left alone."""
    import sys

    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_core.paths import jupyter_path

    if "IPython" in sys.modules or not isinstance(ksm, KernelSpecManager):
        return
    if "kernel_dirs" in ksm._trait_values:  # configured, or computed already
        return
    owner = next(c for c in type(ksm).__mro__ if "_kernel_dirs_default" in vars(c))
    if owner is not KernelSpecManager:  # a subclass computes its own default
        return
    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join("~", ".ipython")
    ksm.kernel_dirs = [*jupyter_path("kernels"),
                       os.path.join(os.path.normpath(os.path.expanduser(ipython_dir)), "kernels")]
