"""Tornado handlers: parse, authorize, call a service, write JSON."""

from .environments import environment_routes
from .jobs import job_routes
from .schedules import schedule_routes
from .sweeps import sweep_routes


def all_routes(prefix: str = "/nbjobs") -> list[tuple[str, type]]:
    return [*job_routes(prefix), *environment_routes(prefix), *schedule_routes(prefix),
            *sweep_routes(prefix)]
