"""The scheduler loop: sleeps until the next fire, claims it exactly once, creates the run.

- Event driven: one query for the earliest next_fire_at, then a sleep until then that a
  schedule change in this server cuts short; changes made by another server or the CLI are
  seen within `poll_interval`.
- Exactly once across servers: ScheduleStore.claim (compare-and-set on next_fire_at plus a
  unique (schedule_id, fire_time) row) decides who creates a fire's job; the job carries an
  idempotency key derived from the fire, so re-creating it after a crash cannot double it.
- Catch-up after downtime: a fire later than `misfire_grace` is "missed" and handled by the
  schedule's catch-up policy (skip, once, each up to catchup_limit).
- Schedules fired in the cloud by their backend's trigger are never due here.
- SQL goes through the store's async facade; enumerating fire times runs in a thread.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from ..store.aio import AsyncStore, aio
from ..store.schedules import ScheduleStore
from ..store.tables import utcnow
from . import cron, inputs
from .schedules import ScheduleService
from .wakeable import WakeableLoop, new_node_id

log = logging.getLogger(__name__)

CATCHUP_WINDOW = timedelta(days=7)  # older missed fires are skipped without a record
MAX_SKIP_RECORDS = 100
RECOVER_AFTER = timedelta(seconds=30)
WARM_AHEAD = timedelta(seconds=60)  # a fire this close: have the backends warm up for it
PREFETCH_LEAD = timedelta(seconds=10)  # nbconvert's exporters are imported if this far off


def plan_fires(row: dict[str, Any], now: datetime, grace: float) -> tuple[
        datetime | None, list[tuple[datetime, str]]]:
    """(next fire after now, [(fire_time, outcome)]) for a schedule due at `now`."""
    expected = row["next_fire_at"]
    expr, tz = row["cron"], row["timezone"]
    upto = now if row["end_at"] is None else min(now, row["end_at"])
    due = [expected] if expected <= upto else []
    after = max(expected, now - CATCHUP_WINDOW)
    due += [t for t in cron.fires_between(expr, tz, after, upto, 200_000) if t > expected]
    new_next = cron.next_fire(expr, tz, now, start=row["start_at"], end=row["end_at"])
    late = timedelta(seconds=grace)
    missed = [t for t in due if now - t > late]
    on_time = [t for t in due if now - t <= late]
    policy = row["catchup_policy"]
    if policy == "skip":
        run_missed: list[datetime] = []
    elif policy == "once":
        run_missed = missed[-1:]
    else:
        run_missed = missed[-row["catchup_limit"]:]
    runs = run_missed + on_time
    if row["overlap_policy"] == "skip":
        runs = runs[-1:]  # runs of one claim would overlap each other
    skipped = [t for t in missed if t not in run_missed][-MAX_SKIP_RECORDS:]
    plan = [(t, "skipped_missed") for t in skipped]
    plan += [(t, "skipped_overlap") for t in run_missed + on_time if t not in runs]
    plan += [(t, "run") for t in runs]
    plan.sort()
    return new_next, plan


class Scheduler(WakeableLoop):
    task_name = "nbjobs-scheduler"

    def __init__(self, store: ScheduleStore | AsyncStore[ScheduleStore],
                 schedules: ScheduleService, *, poll_interval: float = 5.0,
                 misfire_grace: float = 60.0, node_id: str | None = None):
        super().__init__(schedules.listeners)
        self.store = aio(store)
        self.schedules = schedules
        self.poll_interval = poll_interval
        self.misfire_grace = misfire_grace
        self.node_id = node_id or new_node_id()
        self._creating: set[asyncio.Task] = set()
        self.ready_at: datetime | None = None  # when the loop began watching
        self._warmed_for: datetime | None = None  # the fire time warm_ahead was done for

    # -- lifecycle --------------------------------------------------------------------------
    async def stop(self) -> None:
        await super().stop()
        while self._creating:  # a tick the stop cut short still creates what it claimed
            await asyncio.gather(*self._creating, return_exceptions=True)

    # -- the loop ----------------------------------------------------------------------------
    async def _run(self) -> None:
        self.ready_at = utcnow()
        last_recover = None
        while True:
            try:
                now = utcnow()
                if last_recover is None or now - last_recover > RECOVER_AFTER:
                    last_recover = now
                    await self._recover(now)
                self._event.clear()
                next_at = await self.store.next_due_time()
                now = utcnow()
                if next_at is not None and next_at - now <= WARM_AHEAD:
                    self._warm_ahead(next_at)
                if next_at is None or next_at > now:
                    delay = self.poll_interval
                    if next_at is not None:
                        delay = min(delay, (next_at - now).total_seconds())
                    try:
                        await asyncio.wait_for(self._event.wait(), delay)
                    except asyncio.TimeoutError:
                        pass
                    continue
                await self._tick_through(now)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scheduler loop error; retrying in 1 s")
                await asyncio.sleep(1)

    def _warm_ahead(self, fire_at: datetime) -> None:
        """Once per fire due within WARM_AHEAD: what its job creation needs (nbconvert's
        exporters, seconds to import) and the backends' warm pools, ready before it fires
        instead of held all day on an idle server."""
        if self._warmed_for == fire_at:
            return
        self._warmed_for = fire_at
        warm_jobs = getattr(getattr(self.schedules, "jobs", None), "warm_ahead", None)
        if warm_jobs is not None:
            warm_jobs()
        if fire_at - utcnow() >= PREFETCH_LEAD:
            # In the background, and only with time to spare: an import in a thread slows
            # the loop, and a fire due now would wait for it (the create imports it if needed).
            task = asyncio.ensure_future(asyncio.to_thread(inputs.export_formats))
            self._creating.add(task)
            task.add_done_callback(self._creating.discard)

    async def _tick_through(self, now: datetime) -> None:
        """A tick in its own task, so that stop() cancelling the loop between a claim (done
        in a worker thread, so it commits anyway) and its run cannot leave the fire claimed
        without a job until the next server's recovery."""
        task = asyncio.ensure_future(self.tick(now))
        self._creating.add(task)
        task.add_done_callback(self._creating.discard)
        await asyncio.shield(task)

    async def tick(self, now: datetime | None = None) -> None:
        now = now or utcnow()
        for row in await self.store.due(now):
            new_next, plan = await asyncio.to_thread(plan_fires, row, now, self.misfire_grace)
            claimed = await self._claim(row, new_next, plan, now)
            if claimed is None:
                continue  # another server claimed this fire, or the schedule changed
            for fire_time, outcome in claimed:
                if outcome == "run":
                    self._spawn(row, fire_time)
                elif outcome == "skipped_overlap":
                    log.info("schedule %s: fire %s skipped, previous run still active",
                             row["id"], fire_time)

    async def _claim(self, row: dict[str, Any], new_next, plan, now: datetime) -> list | None:
        skip_if_active = row["overlap_policy"] == "skip"
        claimed = await self.store.claim(row["id"], row["next_fire_at"], new_next, plan,
                                         self.node_id, skip_if_active, decided_at=now)
        if claimed is not None:
            return claimed
        current = await self.store.get(row["id"])
        if current is None or current["next_fire_at"] != row["next_fire_at"]:
            return None  # lost the race: the normal case
        # Nobody moved the schedule, so a fire of the plan already has a record (say, the
        # schedule was edited back to an earlier time): leave those fires alone, claim the rest.
        done = {f["fire_time"] for f in await self.store.fires(row["id"], 1000)}
        rest = [(t, o) for t, o in plan if t not in done]
        return await self.store.claim(row["id"], row["next_fire_at"], new_next, rest,
                                      self.node_id, skip_if_active, decided_at=now)

    def _spawn(self, row: dict[str, Any], fire_time: datetime) -> None:
        task = asyncio.create_task(self._create(row, fire_time))
        self._creating.add(task)
        task.add_done_callback(self._creating.discard)

    async def _create(self, row: dict[str, Any], fire_time: datetime) -> None:
        try:
            job = await self.schedules.run_fire(row, fire_time)
        except Exception:
            log.exception("schedule %s: could not create the run for %s", row["id"], fire_time)
            await self.store.set_fire_job(row["id"], fire_time, None, "failed")
            return
        await self.store.set_fire_job(row["id"], fire_time, job.id)

    async def _recover(self, now: datetime) -> None:
        """Create the runs of fires claimed by a server that died before creating them."""
        for fire in await self.store.unfinished_fires(now - RECOVER_AFTER):
            row = await self.store.get(fire["schedule_id"])
            if row is None:
                await self.store.set_fire_job(fire["schedule_id"], fire["fire_time"], None,
                                              "failed")
                continue
            await self._create(row, fire["fire_time"])
