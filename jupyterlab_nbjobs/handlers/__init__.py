"""Tornado handlers: parse, authorize, call a service, write JSON."""

from .environments import environment_routes
from .jobs import job_routes


def all_routes(prefix: str = "/nbjobs") -> list[tuple[str, type]]:
    return [*job_routes(prefix), *environment_routes(prefix)]
