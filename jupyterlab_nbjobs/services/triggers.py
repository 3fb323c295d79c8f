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
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..backends.base import ActiveRun, ScheduleRequest, ScheduleTrigger
from ..errors import Conflict, NbJobsError
from ..runner.contract import SPEC_FILE, WORK_DIR, runner_spec, write_json_atomic
from ..store.tables import utcnow
from . import cron, inputs
from .job_dirs import INPUT_DIR
from .wakeable import cancel_and_wait

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


# -- runs fired in the cloud become jobs ------------------------------------------------------

RUN_KEY_PREFIX = "cloud-run:"  # idempotency key: one job per cloud run, whichever server sees it


class RunImporter:
    """Makes every run a trigger started (a SageMaker pipeline execution) a job row carrying
    the schedule id, then hands it to its backend's reconcile() as if this server had started
    it: the backend watches it and brings its outputs home like any job's. Runs once when the
    server starts (catching up on what fired while it was down) and every `interval` seconds.
    A run with no job to adopt yet is looked at again next time; one that ended without ever
    starting a job becomes a failed job with the cloud's reason."""

    def __init__(self, triggers: Triggers, schedule_store: Any, interval: float = 60.0,
                 runs_per_schedule: int = 50):
        self.triggers = triggers
        self.schedule_store = schedule_store  # an AsyncStore[ScheduleStore]
        self.interval = interval
        self.runs_per_schedule = runs_per_schedule
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self._task = asyncio.ensure_future(self._loop())

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.import_once()
            except Exception:  # noqa: BLE001 - AWS down now: try again next round
                log.exception("nbjobs: importing cloud-fired schedule runs failed")
            await asyncio.sleep(self.interval)

    async def import_once(self) -> list[str]:
        """Import what is new; returns the ids of the jobs made."""
        made: list[str] = []
        for row in await self.schedule_store.list():
            if not row.get("trigger_handle"):
                continue
            trigger = self.triggers.of_backend(row["settings"]["backend"])
            if trigger is None:
                continue  # its backend is not configured here
            try:
                runs = await trigger.list_runs(row["trigger_handle"], self.runs_per_schedule)
            except NbJobsError as exc:
                log.warning("nbjobs: runs of schedule %s: %s", row["id"], exc.message)
                continue
            for run in reversed(runs):  # oldest first: jobs are listed in the order they ran
                job_id = await self._import(row, trigger, run)
                if job_id:
                    made.append(job_id)
        return made

    async def _import(self, schedule: dict[str, Any], trigger: ScheduleTrigger,
                      run: dict[str, Any]) -> str | None:
        jobs = self.triggers.jobs
        arn = run.get("execution_arn")
        if not arn:
            return None
        key = f"{RUN_KEY_PREFIX}{arn}"
        if await jobs.store.get_by_idempotency_key(key):
            return None
        handle = await trigger.run_handle(schedule["trigger_handle"], run)
        final = run.get("status") in ("failed", "stopped")
        if handle is None and not final:
            return None  # no job yet (or one that succeeded without a job: nothing to show)
        values = await asyncio.to_thread(self._prepare, schedule, run, key, handle)
        row, created = await jobs.store.insert(values)
        if not created:  # another server imported it meanwhile
            await asyncio.to_thread(shutil.rmtree, values["job_dir"], True)
            return None
        if handle is not None:
            backend = jobs.backends[schedule["settings"]["backend"]]
            await backend.reconcile([ActiveRun(job_id=row["id"], attempt=1,
                                               job_dir=Path(row["job_dir"]), handle=handle)])
        return row["id"]

    def _prepare(self, schedule: dict[str, Any], run: dict[str, Any], key: str,
                 handle: Handle | None) -> dict[str, Any]:
        """The job row of one run, and its JOB_DIR (job.json, the schedule's snapshot)."""
        jobs = self.triggers.jobs
        settings = schedule["settings"]
        job_id = uuid.uuid4().hex
        job_dir = jobs.staging_dir / job_id
        inputs.copy_snapshot(Path(schedule["snapshot_dir"]), job_dir / INPUT_DIR)
        output_path = jobs.output_path(schedule["name"], job_id)
        output_dir = Path(jobs.root_dir) / output_path
        output_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(job_dir / SPEC_FILE, runner_spec(settings, job_id=job_id, attempt=1,
                                                           output_dir=output_dir))
        started = _when(run.get("started_at"))
        values = {
            "id": job_id, "name": schedule["name"], "input_path": settings["input_path"],
            "kernel_name": settings.get("kernel_name") or "python3", "backend": settings["backend"],
            "backend_options": settings.get("backend_options") or {},
            "parameters": settings.get("parameters") or {},
            "output_formats": settings.get("output_formats") or ["ipynb"],
            "package_input_folder": bool(settings.get("package_input_folder")),
            "env": settings.get("env") or {}, "timeout_seconds": settings.get("timeout_seconds"),
            "max_retries": 0, "tags": list(dict.fromkeys(settings.get("tags") or [])),
            "idempotency_key": key, "schedule_id": schedule["id"], "sweep_id": None,
            "status": "running", "cells_done": 0, "cells_total": 0, "attempts": 1,
            "job_dir": str(job_dir), "output_path": output_path,
            "created_by": schedule.get("created_by"), "started_at": started, "handle": handle,
        }
        if handle is None:  # ended in the cloud before it made a job
            values.update(status=run["status"], ended_at=started or utcnow(), error={
                "message": run.get("failure_reason") or f"the cloud run {run['execution_arn']} "
                           f"ended ({run.get('aws_status')}) before it started the notebook",
                "reason": "stopped" if run["status"] == "stopped" else "start_failed"})
        return values


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
