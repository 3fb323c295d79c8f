"""Schedules that a remote service fires (SageMaker: a pipeline fired by EventBridge Scheduler),
so they run while this server is down.

ScheduleService.remote maps a backend name to a RemoteScheduler; a schedule of that backend
keeps the remote's handle (a JSON dict) in its `remote` column, and the local scheduler loop
never fires it (ScheduleStore.due skips rows with a handle).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ..runner.contract import SPEC_FILE, WORK_DIR, RunnerSpec, write_json_atomic
from . import inputs

log = logging.getLogger(__name__)


@dataclass
class RemoteRequest:
    """What a remote scheduler needs: a JOB_DIR-like folder (job.json + work/), the cron in
    the user's zone and the backend options. The fields of SageMakerSchedules' ScheduleRequest."""

    schedule_id: str
    cron: str
    timezone: str
    job_dir: Path
    spec: RunnerSpec
    options: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    description: str = ""
    start_at: datetime | None = None
    end_at: datetime | None = None


class RemoteScheduler(Protocol):
    async def create(self, req: Any) -> dict[str, Any]: ...
    async def update(self, handle: dict[str, Any], req: Any) -> dict[str, Any]: ...
    async def pause(self, handle: dict[str, Any]) -> None: ...
    async def resume(self, handle: dict[str, Any]) -> None: ...
    async def delete(self, handle: dict[str, Any]) -> None: ...
    async def list_runs(self, handle: dict[str, Any], limit: int = 50) -> list[dict[str, Any]]: ...


def stage(schedules_dir: Path, schedule: dict[str, Any], root_dir: str,
          outputs_folder: str) -> RemoteRequest:
    """Build the JOB_DIR of a schedule row (or of the values about to become one) next to its
    snapshots; the caller removes `req.job_dir` once the remote has uploaded it."""
    settings = schedule["settings"]
    job_dir = Path(schedules_dir) / schedule["id"] / f"remote-{uuid.uuid4().hex[:12]}"
    inputs.copy_snapshot(Path(schedule["snapshot_dir"]), job_dir / WORK_DIR)
    notebook = Path(settings["input_path"]).name
    output = Path(root_dir) / outputs_folder / f"{inputs.slug(schedule['name'])}-{schedule['id'][:8]}"
    spec: RunnerSpec = {
        "job_id": schedule["id"], "attempt": 1, "notebook": notebook,
        "kernel_name": settings["kernel_name"], "parameters": settings["parameters"],
        "output_formats": settings["output_formats"], "env": settings["env"],
        "timeout_seconds": settings["timeout_seconds"], "output_dir": str(output),
        "output_stem": Path(notebook).stem,
    }
    write_json_atomic(job_dir / SPEC_FILE, spec)
    return RemoteRequest(
        schedule_id=schedule["id"], cron=schedule["cron"], timezone=schedule["timezone"],
        job_dir=job_dir, spec=spec, options=dict(settings.get("backend_options") or {}),
        enabled=bool(schedule["active"]), description=f"nbjobs schedule {schedule['name']}",
        start_at=schedule.get("start_at"), end_at=schedule.get("end_at"))


async def call_staged(schedules_dir: Path, schedule: dict[str, Any], root_dir: str,
                      outputs_folder: str,
                      call: Callable[[RemoteRequest], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Stage (in a thread), hand the request to the remote, remove the staging folder."""
    req = await asyncio.to_thread(stage, schedules_dir, schedule, root_dir, outputs_folder)
    try:
        return await call(req)
    finally:
        await asyncio.to_thread(shutil.rmtree, req.job_dir, True)


async def quietly(awaitable: Awaitable[Any]) -> None:
    """Best-effort undo: the error being reported is the one that matters."""
    try:
        await awaitable
    except Exception:  # noqa: BLE001
        log.warning("nbjobs: undoing a remote schedule change failed", exc_info=True)
