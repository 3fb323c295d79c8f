"""Parameter sweep handlers: create, list, get, stop and delete a group of jobs."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import SweepCreate, SweepList
from .base import NbJobsHandler

ID = r"(?P<sweep_id>[^/]+)"


class SweepHandlerBase(NbJobsHandler):
    @property
    def sweeps(self):
        return self.settings["nbjobs_sweeps"]


class SweepsHandler(SweepHandlerBase):
    @web.authenticated
    @authorized
    async def get(self):
        self.write_model(SweepList(sweeps=await self.sweeps.list()))

    @web.authenticated
    @authorized
    async def post(self):
        request = self.parse_body(SweepCreate)
        self.write_model(await self.sweeps.create(request, self.username), 201)


class SweepHandler(SweepHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, sweep_id: str):
        self.write_model(await self.sweeps.get(sweep_id))

    @web.authenticated
    @authorized
    async def delete(self, sweep_id: str):
        await self.sweeps.delete(sweep_id)
        self.set_status(204)
        self.finish()


class SweepStopHandler(SweepHandlerBase):
    @web.authenticated
    @authorized
    async def post(self, sweep_id: str):
        self.write_model(await self.sweeps.stop(sweep_id))


def sweep_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/sweeps", SweepsHandler),
        (rf"{prefix}/sweeps/{ID}", SweepHandler),
        (rf"{prefix}/sweeps/{ID}/stop", SweepStopHandler),
    ]
