"""Environments (kernels, formats, backends) and a notebook's parameters."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidRequest
from .base import NbJobsHandler


class EnvironmentsHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self):
        self.write_model(await self.jobs.environments(self.settings["nbjobs_default_kernel"]))


class ParametersHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self):
        path = self.get_query_argument("path", "")
        if not path:
            raise InvalidRequest("give the notebook as ?path=", reason="missing_path",
                                 field="path")
        # The create-job form asks this as it opens on a notebook: a job is likely to follow.
        # (Not on /environments: the job list reads that too, for display names.)
        self.jobs.warm_ahead()
        self.write_model(await self.jobs.notebook_parameters(path))


def environment_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/environments", EnvironmentsHandler),
        (rf"{prefix}/parameters", ParametersHandler),
    ]
