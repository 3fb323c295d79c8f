"""Schedules fired in the cloud by their backend's ScheduleTrigger (SageMaker: a pipeline
started by EventBridge Scheduler), so they run while no Jupyter server does.

A schedule of a backend that offers a trigger keeps the trigger's handle (a JSON dict) in its
`trigger_handle` column, and the scheduler loop never fires it (ScheduleStore.due skips rows
with a handle). Every change reaches the cloud side first, so a refused change leaves the row
as it was.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.base import ScheduleRequest, ScheduleTrigger
from ..errors import Conflict
from ..runner.contract import SPEC_FILE, WORK_DIR, runner_spec, write_json_atomic
from ..store.tables import utcnow
from . import cron, inputs

if TYPE_CHECKING:
    from .jobs import JobService

log = logging.getLogger(__name__)
Handle = dict[str, Any]


class Triggers:
    """The schedule service's way to the triggers of its job service's backends."""

    def __init__(self, jobs: JobService, schedules_dir: Path):
        self.jobs = jobs
        self.schedules_dir = Path(schedules_dir)

    def of_backend(self, name: str) -> ScheduleTrigger | None:
        backend = self.jobs.backends.get(name)
        return backend.schedule_trigger() if backend is not None else None

    def of(self, row: dict[str, Any]) -> ScheduleTrigger | None:
        """The trigger of a row that has a handle (None for a schedule fired here)."""
        if not row.get("trigger_handle"):
            return None
        backend = row["settings"]["backend"]
        trigger = self.of_backend(backend)
        if trigger is None:
            raise Conflict(f"schedule {row['id']} runs on {backend!r}, which is not configured "
                           "on this server", reason="backend_missing")
        return trigger

    def stage(self, schedule: dict[str, Any]) -> ScheduleRequest:
        """Build the JOB_DIR of a schedule row (or of the values about to become one) next to
        its snapshots; the caller removes `req.job_dir` once the trigger has uploaded it."""
        settings = schedule["settings"]
        job_dir = self.schedules_dir / schedule["id"] / f"trigger-{uuid.uuid4().hex[:12]}"
        inputs.copy_snapshot(Path(schedule["snapshot_dir"]), job_dir / WORK_DIR)
        output = Path(self.jobs.root_dir) / self.jobs.output_path(schedule["name"], schedule["id"])
        spec = runner_spec(settings, job_id=schedule["id"], attempt=1, output_dir=output)
        write_json_atomic(job_dir / SPEC_FILE, spec)
        return ScheduleRequest(
            schedule_id=schedule["id"], cron=schedule["cron"], timezone=schedule["timezone"],
            job_dir=job_dir, spec=spec, options=dict(settings.get("backend_options") or {}),
            name=schedule["name"], enabled=bool(schedule["active"]),
            start_at=schedule.get("start_at"), end_at=schedule.get("end_at"))

    async def staged(self, schedule: dict[str, Any],
                     call: Callable[[ScheduleRequest], Awaitable[Handle]]) -> Handle:
        """Stage (in a thread), hand the request to the trigger, remove the staging folder."""
        req = await asyncio.to_thread(self.stage, schedule)
        try:
            return await call(req)
        finally:
            await asyncio.to_thread(shutil.rmtree, req.job_dir, True)

    async def carry_update(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        """Carry a change of `row` (the new `values`) to the cloud side; sets the new handle
        and next_fire_at in `values`. Switching backends creates the new side before deleting
        the old one."""
        old = self.of(row)
        new_backend = values["settings"]["backend"]
        new = self.of_backend(new_backend)
        same = old is not None and new is not None and row["settings"]["backend"] == new_backend
        merged = {**row, **values}
        if new is not None:
            if same:
                values["trigger_handle"] = await self.staged(
                    merged, lambda r: new.update(row["trigger_handle"], r))
            else:
                values["trigger_handle"] = await self.staged(merged, new.create)
            values["next_fire_at"] = None
        if old is not None and not same:
            try:
                await old.delete(row["trigger_handle"])
            except BaseException:
                if new is not None:
                    await quietly(new.delete(values["trigger_handle"]))
                raise
            if new is None:  # fired by the scheduler loop from now on
                values["trigger_handle"] = None
                values["next_fire_at"] = None if not merged["active"] else cron.next_fire(
                    merged["cron"], merged["timezone"], utcnow(), start=merged["start_at"],
                    end=merged["end_at"])


async def quietly(awaitable: Awaitable[Any]) -> None:
    """Best-effort undo: the error being reported is the one that matters."""
    try:
        await awaitable
    except Exception:  # noqa: BLE001
        log.warning("nbjobs: undoing a change of a cloud schedule failed", exc_info=True)
