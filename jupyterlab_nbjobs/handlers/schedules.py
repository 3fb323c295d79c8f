"""Schedules REST handlers and the cron validation endpoint."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import (
    CronCheck,
    ScheduleCreate,
    ScheduleList,
    ScheduleRunRequest,
    ScheduleUpdate,
)
from ..services.cron_checks import check_cron
from .base import NbJobsHandler

ID = r"(?P<schedule_id>[^/]+)"


class ScheduleHandlerBase(NbJobsHandler):
    @property
    def schedules(self):
        return self.settings["nbjobs_schedules"]


class SchedulesHandler(ScheduleHandlerBase):
    @web.authenticated
    @authorized
    async def get(self):
        self.write_model(ScheduleList(schedules=await self.schedules.list()))

    @web.authenticated
    @authorized
    async def post(self):
        request = self.parse_body(ScheduleCreate)
        self.write_model(await self.schedules.create(request, self.username), 201)


class ScheduleHandler(ScheduleHandlerBase):
    @web.authenticated
    @authorized
    async def get(self, schedule_id: str):
        self.write_model(await self.schedules.get(schedule_id))

    @web.authenticated
    @authorized
    async def patch(self, schedule_id: str):
        patch = self.parse_body(ScheduleUpdate)
        self.write_model(await self.schedules.update(schedule_id, patch))

    @web.authenticated
    @authorized
    async def delete(self, schedule_id: str):
        delete_runs = self.query_bool("delete_runs")
        await self.schedules.delete(schedule_id, delete_runs=delete_runs)
        self.set_status(204)
        self.finish()


class SchedulePauseHandler(ScheduleHandlerBase):
    @web.authenticated
    @authorized
    async def post(self, schedule_id: str):
        self.write_model(await self.schedules.pause(schedule_id))


class ScheduleResumeHandler(ScheduleHandlerBase):
    @web.authenticated
    @authorized
    async def post(self, schedule_id: str):
        self.write_model(await self.schedules.resume(schedule_id))


class ScheduleRunHandler(ScheduleHandlerBase):
    @web.authenticated
    @authorized
    async def post(self, schedule_id: str):
        request = self.parse_body(ScheduleRunRequest)
        result = await self.schedules.run_now(schedule_id, request.parameters, self.username,
                                              request.overrides())
        self.write_model(result, 201)


class ScheduleRefreshHandler(ScheduleHandlerBase):
    @web.authenticated
    @authorized
    async def post(self, schedule_id: str):
        self.write_model(await self.schedules.refresh_snapshot(schedule_id))


class CronValidateHandler(ScheduleHandlerBase):
    @web.authenticated
    @authorized("read")  # a POST only for its body: it changes nothing
    async def post(self):
        request = self.parse_body(CronCheck)
        self.write_model(await check_cron(request, self.schedules.allow_seconds))


def schedule_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/schedules", SchedulesHandler),
        (rf"{prefix}/schedules/{ID}", ScheduleHandler),
        (rf"{prefix}/schedules/{ID}/pause", SchedulePauseHandler),
        (rf"{prefix}/schedules/{ID}/resume", ScheduleResumeHandler),
        (rf"{prefix}/schedules/{ID}/run", ScheduleRunHandler),
        (rf"{prefix}/schedules/{ID}/refresh-snapshot", ScheduleRefreshHandler),
        (rf"{prefix}/cron/validate", CronValidateHandler),
    ]
