"""The daily auto-stop loop: sleeps until the earliest next stop, claims it exactly once
across every server sharing the store, stops the instance if it is InService, re-arms it for
the next day.

As the scheduler (services/scheduler.py): one query for the earliest next_stop_at, a sleep
that a change in this server cuts short, a poll every `poll_interval` for changes made by
another server, and InstanceStore.claim_daily (compare-and-set on next_stop_at plus a unique
instance_stops row) so that of several servers one stops each instance once."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from ...errors import NbJobsError
from ..wakeable import WakeableLoop, new_node_id
from .service import InstanceService
from .stoptime import next_stop_at

log = logging.getLogger(__name__)


class AutoStop(WakeableLoop):
    task_name = "nbjobs-autostop"

    def __init__(self, service: InstanceService, *, poll_interval: float = 15.0,
                 node_id: str | None = None):
        super().__init__(service.listeners)
        self.service = service
        self.store = service.store
        self.poll_interval = poll_interval
        self.node_id = node_id or new_node_id()

    async def _run(self) -> None:
        while True:
            try:
                self._event.clear()
                next_at = await self.store.next_stop_time()
                now = self.service.clock()
                if next_at is None or next_at > now:
                    delay = self.poll_interval
                    if next_at is not None:
                        delay = min(delay, (next_at - now).total_seconds())
                    try:
                        await asyncio.wait_for(self._event.wait(), max(delay, 0.01))
                    except asyncio.TimeoutError:
                        pass
                    continue
                await self.tick(now)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("auto-stop loop error; retrying in 1 s")
                await asyncio.sleep(1)

    async def tick(self, now: datetime | None = None) -> None:
        now = now or self.service.clock()
        for row in await self.store.due(now):
            await self._one(row, now)

    async def _one(self, row: dict[str, Any], now: datetime) -> None:
        project = await self.service.projects.get(row["project"])
        expected = row["next_stop_at"]
        new_next = None
        if project is not None:
            # From now, not from the missed time: after downtime, one stop, then tomorrow's.
            new_next = next_stop_at(self.service.effective_stop_time(project, row),
                                    project["timezone"], max(now, expected))
        if not await self.store.claim_daily(row["name"], expected, new_next, self.node_id):
            return  # another server claimed this stop, or the stop time changed meanwhile
        try:
            outcome = await self.service.auto_stop(row["name"])
        except NbJobsError as exc:
            log.warning("auto-stop of %s failed: %s", row["name"], exc.message)
            outcome = "failed"
        if outcome == "stopped":
            log.info("auto-stopped %s (stop time %s)", row["name"], expected.isoformat())
        await self.store.record_stop(row["name"], "daily", expected, self.node_id, outcome)
