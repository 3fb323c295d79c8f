"""Notebook instances: parse, hand the caller (from current_user) to the service, answer.
The instance's project always comes from its record (the service), never from the path."""

from __future__ import annotations

from datetime import datetime, timezone

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidRequest
from ..models import InstanceCreate, InstanceList, InstanceListQuery, InstanceUpdate
from .projects import InstancesHandlerBase

NAME = r"(?P<instance_name>[^/]+)"


class InstancesHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def get(self):
        query = self.parse_query(InstanceListQuery)
        query.mine = self.query_bool("mine")
        found = await self.instances.list(self.caller, query.project, query.mine)
        self.write_model(InstanceList(instances=found))

    @web.authenticated
    @authorized
    async def post(self):
        request = self.parse_body(InstanceCreate)
        self.write_model(await self.instances.create(self.caller, request), 201)


class InstanceOptionsHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def get(self):
        project = self.get_query_argument("project", None, strip=False)
        if not project:
            raise InvalidRequest("project is required", reason="invalid_value",
                                 field="project")
        query = self.parse_query(InstanceListQuery)
        self.write_model(await self.instances.options(self.caller, query.project))


class InstanceHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, instance_name: str):
        self.write_model(await self.instances.get(self.caller, instance_name))

    @web.authenticated
    @authorized
    async def patch(self, instance_name: str):
        patch = self.parse_body(InstanceUpdate)
        self.write_model(await self.instances.update(self.caller, instance_name, patch))

    @web.authenticated
    @authorized
    async def delete(self, instance_name: str):
        self.write_model(await self.instances.delete(self.caller, instance_name), 202)


class InstanceStartHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def post(self, instance_name: str):
        self.write_model(await self.instances.start(self.caller, instance_name), 202)


class InstanceStopHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def post(self, instance_name: str):
        self.write_model(await self.instances.stop(self.caller, instance_name), 202)


class InstanceUrlHandler(InstancesHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, instance_name: str):
        self.write_model(await self.instances.url(self.caller, instance_name))


class InstanceLogsHandler(InstancesHandlerBase):
    def query_time(self, name: str) -> datetime | None:
        raw = self.get_query_argument(name, None, strip=False)
        if raw is None:
            return None
        if raw == "":
            raise self._empty_argument(name)
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRequest(f"{name} must be an ISO 8601 date-time",
                                 reason="invalid_value", field=name) from None
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

    @web.authenticated
    @authorized
    async def get(self, instance_name: str):
        start, end = self.query_time("start"), self.query_time("end")
        cursor = self.get_query_argument("cursor", None, strip=False)
        if cursor == "":
            raise self._empty_argument("cursor")
        limit = self.query_int("limit", 100, 1, 1000)
        self.write_model(await self.instances.logs(self.caller, instance_name, start, end,
                                                   cursor, limit))


def instance_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/instances", InstancesHandler),
        (rf"{prefix}/instances/options", InstanceOptionsHandler),  # before {name}: reserved
        (rf"{prefix}/instances/{NAME}", InstanceHandler),
        (rf"{prefix}/instances/{NAME}/start", InstanceStartHandler),
        (rf"{prefix}/instances/{NAME}/stop", InstanceStopHandler),
        (rf"{prefix}/instances/{NAME}/url", InstanceUrlHandler),
        (rf"{prefix}/instances/{NAME}/logs", InstanceLogsHandler),
    ]
