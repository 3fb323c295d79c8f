"""Projects and who-am-I: parse, hand the caller (from current_user) to the service, answer."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import ProjectCreate, ProjectList, ProjectUpdate
from .base import NbJobsHandler

NAME = r"(?P<project_name>[^/]+)"


class InstancesHandlerBase(NbJobsHandler):
    @property
    def projects(self):
        return self.settings["nbjobs_projects"]

    @property
    def instances(self):
        return self.settings["nbjobs_instances"]

    @property
    def caller(self):
        return self.instances.caller(self.current_user)


class MeHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def get(self):
        user = self.current_user
        display = getattr(user, "display_name", "") or getattr(user, "name", "")
        self.write_model(await self.projects.me(self.caller, display))


class ProjectsHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def get(self):
        self.write_model(ProjectList(projects=await self.projects.list(self.caller)))

    @web.authenticated
    @authorized
    async def post(self):
        request = self.parse_body(ProjectCreate)
        self.write_model(await self.projects.create(self.caller, request), 201)


class ProjectHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, project_name: str):
        self.write_model(await self.projects.get(self.caller, project_name))

    @web.authenticated
    @authorized
    async def patch(self, project_name: str):
        patch = self.parse_body(ProjectUpdate)
        self.write_model(await self.projects.update(self.caller, project_name, patch))

    @web.authenticated
    @authorized
    async def delete(self, project_name: str):
        await self.projects.delete(self.caller, project_name)
        self.set_status(204)
        self.finish()


def project_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/me", MeHandler),
        (rf"{prefix}/projects", ProjectsHandler),
        (rf"{prefix}/projects/{NAME}", ProjectHandler),
    ]
