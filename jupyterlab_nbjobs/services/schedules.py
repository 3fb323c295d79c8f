"""The schedule service: job definitions on a cron, each with its own notebook snapshot.

Runs are ordinary jobs carrying the schedule id, created through JobService from the
schedule's snapshot. The scheduler loop (services/scheduler.py) decides when; this module
decides what a schedule is and how it changes.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import nbformat

from ..errors import Conflict, InvalidRequest, NbJobsError, NotFound
from ..models import (
    FireRecord,
    JobCreate,
    JobSettings,
    RemoteRun,
    RunResult,
    Schedule,
    ScheduleCreate,
    ScheduleUpdate,
)
from ..store.jobs import JobQuery
from ..store.schedules import ScheduleStore
from ..store.tables import utcnow
from . import cron, inputs
from .jobs import JobService
from .remote_schedules import RemoteScheduler, call_staged, quietly

SETTINGS_FIELDS = tuple(JobSettings.model_fields)
TIMING_FIELDS = ("cron", "timezone", "start_at", "end_at", "active")


def unknown_parameter_warnings(notebook: Path, names: list[str]) -> list[str]:
    """papermill injects any name, but warns when the parameters cell does not declare it."""
    if not names:
        return []
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:  # the job itself reports an unreadable notebook
        return []
    if not any("parameters" in c.metadata.get("tags", []) for c in nb.cells):
        return [f"the notebook has no cell tagged 'parameters'; {', '.join(sorted(names))} "
                "will be injected at the top"]
    from papermill import inspect_notebook

    declared = set(inspect_notebook(str(notebook)))
    return [f"parameter {n!r} is not declared in the notebook's parameters cell"
            for n in names if n not in declared]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class ScheduleService:
    def __init__(self, store: ScheduleStore, jobs: JobService, schedules_dir: str | Path, *,
                 allow_seconds: bool = False):
        self.store = store
        self.jobs = jobs
        self.schedules_dir = Path(schedules_dir)
        self.allow_seconds = allow_seconds
        self.listeners: list[Callable[[], None]] = []  # the scheduler wakes on changes
        # Backends whose schedules a remote service fires (app.py: "sagemaker").
        self.remote: dict[str, RemoteScheduler] = {}

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    # -- checks ------------------------------------------------------------------------------
    def _check_timing(self, request: ScheduleCreate) -> tuple[str, datetime | None]:
        expr = cron.normalize(request.cron, self.allow_seconds)
        cron.zone(request.timezone)
        start, end = _aware(request.start_at), _aware(request.end_at)
        if start and end and end <= start:
            raise InvalidRequest("end_at must be after start_at", reason="invalid_dates",
                                 field="end_at")
        now = utcnow()
        if end and end <= now:
            raise InvalidRequest("end_at is in the past", reason="invalid_dates", field="end_at")
        first = cron.next_fire(expr, request.timezone, now, start=start, end=end)
        if first is None:
            raise InvalidRequest(
                f"{expr!r} never fires" + (" between start_at and end_at" if end else ""),
                reason="invalid_cron", field="cron")
        return expr, (first if request.active else None)

    def _notebook_path(self, row: dict[str, Any]) -> Path:
        return Path(row["snapshot_dir"]) / Path(row["settings"]["input_path"]).name

    def _snapshot(self, schedule_id: str, notebook: Path, package_folder: bool) -> Path:
        dest = self.schedules_dir / schedule_id / f"snap-{uuid.uuid4().hex[:12]}"
        outputs_root = Path(self.jobs.root_dir) / self.jobs.outputs_folder
        inputs.take_snapshot(notebook, package_folder, dest, skip_dirs=(outputs_root,))
        return dest

    def _prune_snapshots(self, schedule_id: str, keep: set[str]) -> None:
        # The previous snapshot is kept: a run created a moment ago may still be copying it.
        folder = self.schedules_dir / schedule_id
        snaps = sorted(folder.glob("snap-*"), key=lambda p: p.stat().st_mtime)
        for path in snaps[:-2]:
            if str(path) not in keep:
                shutil.rmtree(path, ignore_errors=True)

    def _resolve(self, request: ScheduleCreate, snapshot_from: Path | None) -> dict[str, Any]:
        checked = self.jobs.validate(request, snapshot_from)
        settings = request.model_dump(mode="json", include=set(SETTINGS_FIELDS))
        settings.update(backend=checked["backend"], backend_options=checked["backend_options"],
                        kernel_name=checked["kernel_name"],
                        output_formats=checked["output_formats"])
        return {"settings": settings, "notebook": checked["notebook"]}

    # -- create / read -------------------------------------------------------------------------
    async def create(self, request: ScheduleCreate, user: str | None) -> Schedule:
        values = await asyncio.to_thread(self._prepare_create, request, user)
        remote = self.remote.get(values["settings"]["backend"])
        try:
            if remote is not None:  # AWS fires it: never the local loop
                values.update(next_fire_at=None,
                              remote=await self._staged(values, remote.create))
            row = await asyncio.to_thread(self.store.insert, values)
        except BaseException:
            if values.get("remote"):
                await quietly(remote.delete(values["remote"]))
            await asyncio.to_thread(shutil.rmtree, self.schedules_dir / values["id"], True)
            raise
        self._changed()
        warnings = await asyncio.to_thread(unknown_parameter_warnings, self._notebook_path(row),
                                           list(request.parameters))
        return await asyncio.to_thread(self._model, row, False, warnings)

    def _prepare_create(self, request: ScheduleCreate, user: str | None) -> dict[str, Any]:
        expr, first = self._check_timing(request)
        resolved = self._resolve(request, None)
        schedule_id = uuid.uuid4().hex
        snap = self._snapshot(schedule_id, resolved["notebook"], request.package_input_folder)
        return {
            "id": schedule_id, "name": request.name or Path(request.input_path).stem,
            "settings": resolved["settings"], "cron": expr, "timezone": request.timezone,
            "start_at": request.start_at, "end_at": request.end_at,
            "active": request.active, "overlap_policy": request.overlap_policy.value,
            "catchup_policy": request.catchup_policy.value,
            "catchup_limit": request.catchup_limit, "next_fire_at": first,
            "snapshot_dir": str(snap), "snapshot_at": utcnow(), "created_by": user,
        }

    async def _staged(self, schedule: dict[str, Any], call) -> dict[str, Any]:
        return await call_staged(self.schedules_dir, schedule, self.jobs.root_dir,
                                 self.jobs.outputs_folder, call)

    def _remote_of(self, row: dict[str, Any]) -> RemoteScheduler | None:
        """The remote scheduler of a row that has a handle (None for a local schedule)."""
        if not row.get("remote"):
            return None
        backend = row["settings"]["backend"]
        if backend not in self.remote:
            raise Conflict(f"schedule {row['id']} runs on {backend!r}, which is not configured "
                           "on this server", reason="backend_missing")
        return self.remote[backend]

    def _row(self, schedule_id: str) -> dict[str, Any]:
        row = self.store.get(schedule_id)
        if row is None:
            raise NotFound(f"no schedule with id {schedule_id!r}", reason="schedule_not_found")
        return row

    async def get(self, schedule_id: str) -> Schedule:
        row = await asyncio.to_thread(self._row, schedule_id)
        runs, _ = await self.jobs.list(JobQuery(schedule_id=schedule_id, limit=5))
        model = await asyncio.to_thread(self._model, row, True)
        model.last_runs = runs
        if row.get("remote") and row["settings"]["backend"] in self.remote:
            try:
                found = await self.remote[row["settings"]["backend"]].list_runs(row["remote"])
                model.remote_runs = [RemoteRun(**r) for r in found]
            except NbJobsError as exc:  # the schedule still shows while AWS is unreachable
                model.warnings.append(f"could not list the remote runs: {exc.message}")
        return model

    async def list(self) -> list[Schedule]:
        rows = await asyncio.to_thread(self.store.list)
        return [await asyncio.to_thread(self._model, r, False) for r in rows]

    def _model(self, row: dict[str, Any], details: bool, warnings=()) -> Schedule:
        upcoming: list[datetime] = []
        next_at = row["next_fire_at"]
        if row.get("remote") and row["active"]:  # fired remotely: shown, never stored
            next_at = cron.next_fire(row["cron"], row["timezone"], utcnow(),
                                     start=row["start_at"], end=row["end_at"])
        if row["active"] and next_at:
            upcoming = [next_at, *cron.fire_times(
                row["cron"], row["timezone"], next_at, 4, until=row["end_at"])]
        fires = self.store.fires(row["id"], 10) if details else []
        settings = {k: v for k, v in row["settings"].items() if k != "name"}
        return Schedule(
            **settings, id=row["id"], name=row["name"], cron=row["cron"],
            cron_description=cron.describe(row["cron"]), timezone=row["timezone"],
            start_at=row["start_at"], end_at=row["end_at"], active=row["active"],
            overlap_policy=row["overlap_policy"], catchup_policy=row["catchup_policy"],
            catchup_limit=row["catchup_limit"], next_fire_at=next_at, remote=row.get("remote"),
            next_fire_times=upcoming, snapshot_at=row["snapshot_at"],
            created_by=row["created_by"], created_at=row["created_at"],
            updated_at=row["updated_at"], warnings=list(warnings),
            recent_fires=[FireRecord(fire_time=f["fire_time"], outcome=f["outcome"],
                                     job_id=f["job_id"]) for f in fires],
        )

    # -- change ---------------------------------------------------------------------------------
    async def update(self, schedule_id: str, patch: ScheduleUpdate) -> Schedule:
        row, values, changes = await asyncio.to_thread(self._plan_update, schedule_id, patch)
        try:
            await self._update_remote(row, values)
        except BaseException:
            if "snapshot_dir" in values:
                await asyncio.to_thread(shutil.rmtree, values["snapshot_dir"], True)
            raise
        model = await asyncio.to_thread(self._store_update, schedule_id, values, changes)
        self._changed()
        return model

    async def _update_remote(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        """Carry a change to the remote side first, so a refused change leaves the row as is.
        Switching backends creates the new side before deleting the old one."""
        old = self._remote_of(row)
        new = self.remote.get(values["settings"]["backend"])
        merged = {**row, **values}
        if new is not None:
            if old is new:
                values["remote"] = await self._staged(merged, lambda r: new.update(row["remote"], r))
            else:
                values["remote"] = await self._staged(merged, new.create)
            values["next_fire_at"] = None
        if old is not None and old is not new:
            try:
                await old.delete(row["remote"])
            except BaseException:
                if new is not None:
                    await quietly(new.delete(values["remote"]))
                raise
            if new is None:  # fired here from now on
                values["remote"] = None
                values["next_fire_at"] = None if not merged["active"] else cron.next_fire(
                    merged["cron"], merged["timezone"], utcnow(), start=merged["start_at"],
                    end=merged["end_at"])

    def _plan_update(self, schedule_id: str, patch: ScheduleUpdate):
        row = self._row(schedule_id)
        changes = patch.model_dump(exclude_unset=True)
        current = {**row["settings"], "name": row["name"], "cron": row["cron"],
                   "timezone": row["timezone"], "start_at": row["start_at"],
                   "end_at": row["end_at"], "active": row["active"],
                   "overlap_policy": row["overlap_policy"],
                   "catchup_policy": row["catchup_policy"], "catchup_limit": row["catchup_limit"]}
        request = self._validated({**current, **changes})
        values: dict[str, Any] = {}
        new_input = {"input_path", "package_input_folder"} & changes.keys()
        if new_input or request.kernel_name is None:
            resolved = self._resolve(request, None)
            if new_input:
                snap = self._snapshot(schedule_id, resolved["notebook"],
                                      request.package_input_folder)
                values.update(snapshot_dir=str(snap), snapshot_at=utcnow())
        else:
            resolved = self._resolve(request, Path(row["snapshot_dir"]))
        values.update(settings=resolved["settings"], name=request.name or row["name"],
                      overlap_policy=request.overlap_policy.value,
                      catchup_policy=request.catchup_policy.value,
                      catchup_limit=request.catchup_limit)
        if set(TIMING_FIELDS) & changes.keys():
            expr, first = self._check_timing(request)
            values.update(cron=expr, timezone=request.timezone, start_at=request.start_at,
                          end_at=request.end_at, active=request.active, next_fire_at=first)
        return row, values, changes

    def _store_update(self, schedule_id: str, values: dict[str, Any], changes: dict[str, Any]
                      ) -> Schedule:
        self.store.update(schedule_id, **values)
        if "snapshot_dir" in values:
            self._prune_snapshots(schedule_id, {values["snapshot_dir"]})
        row = self._row(schedule_id)
        warnings = unknown_parameter_warnings(self._notebook_path(row),
                                              list(changes.get("parameters") or {}))
        return self._model(row, details=False, warnings=warnings)

    @staticmethod
    def _validated(data: dict[str, Any]) -> ScheduleCreate:
        from pydantic import ValidationError

        try:
            return ScheduleCreate.model_validate(data)
        except ValidationError as exc:
            raise InvalidRequest.from_validation(exc) from None

    async def pause(self, schedule_id: str) -> Schedule:
        row = await asyncio.to_thread(self._row, schedule_id)
        remote = self._remote_of(row)
        if remote is not None:
            await remote.pause(row["remote"])
        await asyncio.to_thread(self.store.update, schedule_id, active=False, next_fire_at=None)
        self._changed()
        return await self.get(schedule_id)

    async def resume(self, schedule_id: str) -> Schedule:
        """Fires missed while paused are not caught up: the next one is after now."""
        row = await asyncio.to_thread(self._row, schedule_id)
        first = await asyncio.to_thread(cron.next_fire, row["cron"], row["timezone"], utcnow(),
                                        start=row["start_at"], end=row["end_at"])
        remote = self._remote_of(row)
        if remote is not None:
            await remote.resume(row["remote"])
            first = None
        await asyncio.to_thread(self.store.update, schedule_id, active=True, next_fire_at=first)
        self._changed()
        return await self.get(schedule_id)

    async def delete(self, schedule_id: str, delete_runs: bool = False) -> None:
        row = await asyncio.to_thread(self._row, schedule_id)
        remote = self._remote_of(row)
        if remote is not None:  # AWS resources first: a failure keeps the row to retry with
            await remote.delete(row["remote"])
        job_ids = await asyncio.to_thread(self.store.job_ids, schedule_id)
        await asyncio.to_thread(self.store.delete, schedule_id)
        self._changed()
        if delete_runs:
            for job_id in job_ids:
                try:
                    await self.jobs.delete(job_id)
                except NotFound:
                    pass
        await asyncio.to_thread(shutil.rmtree, self.schedules_dir / schedule_id, True)

    async def refresh_snapshot(self, schedule_id: str) -> Schedule:
        def snapshot() -> tuple[dict[str, Any], Path]:
            row = self._row(schedule_id)
            self._remote_of(row)  # refuse before copying anything
            settings = row["settings"]
            notebook, _ = inputs.read_notebook(self.jobs.root_dir, settings["input_path"])
            return row, self._snapshot(schedule_id, notebook, settings["package_input_folder"])

        row, snap = await asyncio.to_thread(snapshot)
        values: dict[str, Any] = {"snapshot_dir": str(snap), "snapshot_at": utcnow()}
        remote = self._remote_of(row)
        if remote is not None:
            try:
                values["remote"] = await self._staged(
                    {**row, **values}, lambda r: remote.update(row["remote"], r))
            except BaseException:
                await asyncio.to_thread(shutil.rmtree, snap, True)
                raise
        await asyncio.to_thread(self.store.update, schedule_id, **values)
        await asyncio.to_thread(self._prune_snapshots, schedule_id, {str(snap)})
        return await self.get(schedule_id)

    # -- runs ---------------------------------------------------------------------------------
    async def run_now(self, schedule_id: str, overrides: dict[str, Any] | None,
                      user: str | None) -> RunResult:
        row = await asyncio.to_thread(self._row, schedule_id)
        settings = {**row["settings"], "name": row["name"]}
        settings["parameters"] = {**settings["parameters"], **(overrides or {})}
        warnings = await asyncio.to_thread(unknown_parameter_warnings,
                                           self._notebook_path(row), list(overrides or {}))
        job, _ = await self.jobs.create(JobSettings(**settings), user, schedule_id=schedule_id,
                                        snapshot_from=Path(row["snapshot_dir"]))
        return RunResult(job=job, warnings=warnings)

    async def run_fire(self, row: dict[str, Any], fire_time: datetime):
        """The job of one claimed fire; the idempotency key makes a retried create harmless."""
        key = f"schedule:{row['id']}:{fire_time.astimezone(timezone.utc).isoformat()}"
        request = JobCreate(**{**row["settings"], "name": row["name"]}, idempotency_key=key)
        job, _ = await self.jobs.create(request, row["created_by"], schedule_id=row["id"],
                                        snapshot_from=Path(row["snapshot_dir"]))
        return job

