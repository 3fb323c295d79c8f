"""Tornado handlers: parse, authorize, call a service, write JSON.

The handler modules are imported by `all_routes`, not here: the server registers
`on_demand.OnDemandRoutes` at start and loads them with the first request."""


def all_routes(prefix: str = "/nbjobs") -> list[tuple[str, type]]:
    from .comparison import comparison_routes  # runs side by side
    from .environments import environment_routes
    from .instances import instance_routes
    from .jobs import job_routes
    from .projects import project_routes
    from .schedules import schedule_routes
    from .sweeps import sweep_routes

    return [*job_routes(prefix), *environment_routes(prefix), *schedule_routes(prefix),
            *sweep_routes(prefix),
            *project_routes(prefix), *instance_routes(prefix),  # notebook instances
            *comparison_routes(prefix)]  # runs side by side
