"""A scheduling stack without a Jupyter server: what one server runs, built from the package.

InstantBackend is a test double for the exactly-once and latency tests: it "runs" a job by
reporting started and completed at once, so that those tests measure the scheduler and the
store, not kernel start-up on a 2-core machine. The end-to-end tests use the real
LocalBackend (tests/handlers/test_schedules_api.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from jupyterlab_nbjobs.backends.base import Backend
from jupyterlab_nbjobs.services.jobs import JobService
from jupyterlab_nbjobs.services.scheduler import Scheduler
from jupyterlab_nbjobs.services.schedules import ScheduleService
from jupyterlab_nbjobs.store import Database, JobStore
from jupyterlab_nbjobs.store.schedules import FIRE_COLUMNS, ScheduleStore

SPECS = {"python3": {"spec": {"display_name": "Python 3", "language": "python"}}}


class InstantBackend(Backend):
    name = "local"
    label = "instant (test double)"

    def __init__(self, events, hold: float = 0.0):
        super().__init__(events)
        self.hold = hold
        self.started: list[str] = []
        self._tasks: set[asyncio.Task] = set()

    def capacity(self):
        return None

    async def start(self, run):
        self.started.append(run.job_id)
        await self.events.on_started(run.job_id, run.attempt, {"instant": True})
        task = asyncio.create_task(self._finish(run))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _finish(self, run):
        await asyncio.sleep(self.hold)
        await self.events.on_finished(run.job_id, run.attempt, {"status": "completed"})

    async def stop(self, job_id):
        pass

    async def reconcile(self, runs):
        for run in runs:
            await self.events.on_finished(run.job_id, run.attempt, {"status": "completed"})

    async def close(self):
        # Runs already started end as they would have (a node stopping right after a fire
        # must not leave its job running forever); only a long hold is cut short.
        pending = list(self._tasks)
        if pending:
            _, late = await asyncio.wait(pending, timeout=self.hold + 1.0)
            for task in late:
                task.cancel()


class ClaimLog(ScheduleStore):
    """The store, keeping what each successful claim returned: the fires this node won."""

    def __init__(self, db):
        super().__init__(db)
        self.won: list[tuple[str, object]] = []

    def claim(self, schedule_id, *args, **kwargs):
        claimed = super().claim(schedule_id, *args, **kwargs)
        self.won += [(schedule_id, t) for t, outcome in claimed or () if outcome == "run"]
        return claimed

    def all_fires(self) -> list[dict]:
        """Every fire record of every schedule (the service reads them per schedule)."""
        with self.db.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(*FIRE_COLUMNS)).mappings()]


class Stack:
    def __init__(self, db_url: str, root: Path, work: Path, *, hold: float = 0.0,
                 grace: float = 2.0, poll: float = 1.0, backend=None):
        self.db = Database(db_url)
        self.db.migrate()
        self.jobs = JobService(JobStore(self.db), root_dir=str(root),
                               staging_dir=str(work / "staging"), outputs_folder="out",
                               kernel_specs=lambda: SPECS)
        self.backend = backend(self.jobs) if backend else InstantBackend(self.jobs, hold)
        self.jobs.add_backend(self.backend, default=True)
        self.store = ClaimLog(self.db)
        self.schedules = ScheduleService(self.store, self.jobs, work / "schedules",
                                         allow_seconds=True)
        self.scheduler = Scheduler(self.store, self.schedules, poll_interval=poll,
                                   misfire_grace=grace)

    async def start(self):
        await self.scheduler.start()

    async def stop(self):
        await self.scheduler.stop()
        await self.jobs.close()
        self.db.dispose()
