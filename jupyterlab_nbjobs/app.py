"""NbJobsApp: the server extension. Its settings (settings.py), the start and stop of what
`composition.build` makes in the server, or of the service process that holds it."""

from __future__ import annotations

import asyncio
import os

from jupyter_server.extension.application import ExtensionApp
from traitlets.config.loader import LazyConfigValue

from .paths import spell_out_kernel_dirs
from .settings import (
    BACKEND_ENTRY_POINTS,
    EXTENSION_NAME,
    SCHEDULE_LEAD,
    SERVICE_SECTIONS,
    NbJobsSettings,
    lazy_list,
)


class NbJobsApp(ExtensionApp, NbJobsSettings):
    name = EXTENSION_NAME
    load_other_extensions = True

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

        from .service_process.protocol import NotPortable
        from .store.pending import sqlite_path

        if not hasattr(socket, "AF_UNIX"):
            return "this system has no Unix sockets"
        if type(self.serverapp.kernel_spec_manager) is not KernelSpecManager:
            return "the server's kernel spec manager is not jupyter_client's"
        if sqlite_path(self.db_url) == "":
            return "the job store is an in-memory database"
        try:
            self._carried_config()
        except NotPortable as exc:
            return str(exc)
        return None

    def _service_sections(self) -> set[str]:
        """The config sections the service process reads: ours, and each offered backend's
        (named from the config and the entry points, without importing them)."""
        from importlib.metadata import entry_points

        configured = self.config.get("NbJobsApp", {}).get("backend_classes") or []
        if isinstance(configured, LazyConfigValue):  # .append(...) and friends
            configured = lazy_list(configured, [])
        names = [c if isinstance(c, str) else getattr(c, "__qualname__", "")
                 for c in (configured if isinstance(configured, (list, tuple)) else [])]
        names += [e.value for e in entry_points(group=BACKEND_ENTRY_POINTS)]
        return SERVICE_SECTIONS | {n.replace(":", ".").rsplit(".", 1)[-1] for n in names if n}

    def _carried_config(self) -> dict:
        """The server's config as the service process gets it: the sections it reads, and
        of c.NbJobsApp only NbJobsSettings' names (the rest is ExtensionApp's)."""
        from .service_process.protocol import config_to_json

        return config_to_json(self.serverapp.config, self._service_sections(), only={
            "NbJobsApp": set(NbJobsSettings.class_trait_names(config=True))})

    def _service_spec(self, socket_path: str, warm_first: bool):
        from jupyter_server.services.security import csp_report_uri
        from jupyter_server.utils import url_path_join

        from .service_process.protocol import Spec

        server = self.serverapp
        settings = server.web_app.settings
        return Spec(config=self._carried_config(),
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



def _level(level: int | str) -> int:
    import logging

    return level if isinstance(level, int) else logging.getLevelName(level)


def _under_jupyterhub() -> bool:
    return "JUPYTERHUB_SERVICE_PREFIX" in os.environ or "JUPYTERHUB_API_TOKEN" in os.environ
