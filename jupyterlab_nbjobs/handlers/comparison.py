"""Runs side by side: GET /sweeps/{id}/comparison and /schedules/{id}/comparison."""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..services.comparison import RunComparison
from .base import NbJobsHandler


class SweepComparisonHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, sweep_id: str):
        await self.settings["nbjobs_sweeps"].get(sweep_id)  # a 404 for an unknown sweep
        self.write_model(await RunComparison(self.jobs).of(sweep_id=sweep_id))


class ScheduleComparisonHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, schedule_id: str):
        await self.settings["nbjobs_schedules"].get(schedule_id)
        self.write_model(await RunComparison(self.jobs).of(schedule_id=schedule_id))


def comparison_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/sweeps/(?P<sweep_id>[^/]+)/comparison", SweepComparisonHandler),
        (rf"{prefix}/schedules/(?P<schedule_id>[^/]+)/comparison", ScheduleComparisonHandler),
    ]
