"""The cron check the schedule form asks for as the user types: the expression normalized
and described, and its next fire times in the chosen zone."""

from __future__ import annotations

import asyncio

from ..errors import InvalidRequest
from ..models import CronCheck, CronInfo
from ..store.tables import utcnow
from . import cron


async def check_cron(request: CronCheck, allow_seconds: bool = False) -> CronInfo:
    """A 400 (reason invalid_cron or invalid_timezone) for an expression or zone that is not
    valid, or for an expression that never fires."""
    expr = cron.normalize(request.cron, allow_seconds)
    cron.zone(request.timezone)
    times = await asyncio.to_thread(cron.fire_times, expr, request.timezone, utcnow(),
                                    request.count)
    if not times:
        raise InvalidRequest(f"{expr!r} never fires", reason="invalid_cron", field="cron")
    return CronInfo(cron=expr, description=cron.describe(expr), timezone=request.timezone,
                    next_fire_times=times)
