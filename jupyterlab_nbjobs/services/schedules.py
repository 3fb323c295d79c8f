"""The schedule service: job definitions on a cron, each with its own notebook snapshot.

Runs are ordinary jobs carrying the schedule id, created through JobService from the
schedule's snapshot. The scheduler loop (services/scheduler.py) decides when, unless the
schedule's backend fires it in the cloud (services/triggers.py); this module decides what a
schedule is and how it changes.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import shutil
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import nbformat

from ..errors import Conflict, InvalidRequest, NbJobsError, NotFound, Problems
from ..models import (
    FireRecord,
    JobCreate,
    JobListQuery,
    JobSettings,
    RunResult,
    Schedule,
    ScheduleCreate,
    ScheduleUpdate,
    TriggerRun,
    from_stored,
)
from ..store.aio import AsyncStore, aio
from ..store.schedules import ScheduleStore
from ..store.tables import utcnow
from . import cron, inputs
from .jobs import JobService, checked
from .triggers import RunImporter, Triggers, quietly

log = logging.getLogger(__name__)

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
            + (" and shadows the Python builtin of that name" if n in vars(builtins) else "")
            for n in names if n not in declared]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class ScheduleService:
    def __init__(self, store: ScheduleStore | AsyncStore[ScheduleStore], jobs: JobService,
                 schedules_dir: str | Path, *, allow_seconds: bool = False):
        self.store = aio(store)
        self.jobs = jobs
        self.schedules_dir = Path(schedules_dir)
        self.allow_seconds = allow_seconds
        self.listeners: list[Callable[[], None]] = []  # the scheduler wakes on changes
        self.triggers = Triggers(jobs, self.schedules_dir)
        # Runs fired in the cloud become jobs (started by the composition root with the loop).
        self.run_importer = RunImporter(self.triggers, self.store)

    def _changed(self) -> None:
        for listener in list(self.listeners):
            listener()

    # -- checks ------------------------------------------------------------------------------
    def _check_timing(self, request: ScheduleCreate) -> tuple[str, datetime | None]:
        problems, expr = Problems(), ""
        with problems.check():
            expr = cron.normalize(request.cron, self.allow_seconds)
        with problems.check():
            cron.zone(request.timezone)
        start, end = _aware(request.start_at), _aware(request.end_at)
        now = utcnow()
        if start and end and end <= start:
            problems.add("end_at must be after start_at", "invalid_dates", "end_at")
        elif end and end <= now:
            problems.add("end_at is in the past", "invalid_dates", "end_at")
        problems.raise_any()
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
        trigger = self.triggers.of_backend(values["settings"]["backend"])
        try:
            if trigger is not None:  # fired in the cloud: never by the scheduler loop
                values.update(next_fire_at=None,
                              trigger_handle=await self.triggers.staged(values, trigger.create))
            row = await self.store.insert(values)
        except BaseException:
            if values.get("trigger_handle"):
                await quietly(trigger.delete(values["trigger_handle"]))
            await asyncio.to_thread(shutil.rmtree, self.schedules_dir / values["id"], True)
            raise
        self._changed()
        return await asyncio.to_thread(self._checked_model, row, list(request.parameters))

    def _prepare_create(self, request: ScheduleCreate, user: str | None) -> dict[str, Any]:
        problems = Problems()  # the timing's problems and the job settings', in one 400
        with problems.check():
            expr, first = self._check_timing(request)
        with problems.check():
            resolved = self._resolve(request, None)
        problems.raise_any()
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

    async def _row(self, schedule_id: str) -> dict[str, Any]:
        row = None if "\0" in schedule_id else await self.store.get(schedule_id)
        if row is None:
            raise NotFound(f"no schedule with id {schedule_id!r}", reason="schedule_not_found")
        return row

    async def get(self, schedule_id: str) -> Schedule:
        row = await self._row(schedule_id)
        runs, _ = await self.jobs.list(JobListQuery(schedule_id=schedule_id, limit=5))
        fires = await self.store.fires(schedule_id, 10)
        model = await asyncio.to_thread(self._model, row, fires)
        model.last_runs = runs
        handle = row.get("trigger_handle")
        trigger = self.triggers.of_backend(row["settings"]["backend"]) if handle else None
        if trigger is not None:
            try:
                model.trigger_runs = [TriggerRun(**r) for r in await trigger.list_runs(handle)]
            except NbJobsError as exc:  # the schedule still shows while the cloud is unreachable
                model.warnings.append(f"could not list the runs of the cloud schedule: "
                                      f"{exc.message}")
        return model

    async def list(self) -> list[Schedule]:
        """Every schedule; one stored in a form that cannot be shown is left out (logged)."""
        rows = await self.store.list()
        found = await asyncio.to_thread(lambda: [self._shown(r) for r in rows])
        return [model for model in found if model is not None]

    def _checked_model(self, row: dict[str, Any], parameters: list[str]) -> Schedule:
        """The model with warnings about `parameters` the notebook does not declare."""
        warnings = unknown_parameter_warnings(self._notebook_path(row), parameters)
        return self._model(row, warnings=warnings)

    def _model(self, row: dict[str, Any], fires: Sequence[dict[str, Any]] = (),
               warnings: Sequence[str] = ()) -> Schedule:
        model = self._shown(row, fires, warnings)
        if model is None:
            raise Conflict(f"schedule {row.get('id')} was stored in a form this server cannot "
                           "show; delete it", reason="schedule_unreadable")
        return model

    def _shown(self, row: dict[str, Any], fires: Sequence[dict[str, Any]] = (),
               warnings: Sequence[str] = ()) -> Schedule | None:
        """The answer for a stored schedule: values an older version stored that no answer
        can hold are redacted (logged); None when not even that makes a Schedule."""
        try:
            data = self._fields(row, fires, warnings)
        except (KeyError, TypeError, ValueError, NbJobsError):
            log.exception("schedule %s: the stored row cannot be shown", row.get("id"))
            return None
        model, redacted = from_stored(Schedule, data)
        if model is None:
            log.error("schedule %s: the stored row cannot be shown (fields %s)", row.get("id"),
                      redacted)
        elif redacted:
            log.warning("schedule %s: stored values redacted in answers: %s", row.get("id"),
                        redacted)
        return model

    def _fields(self, row: dict[str, Any], fires: Sequence[dict[str, Any]],
                warnings: Sequence[str]) -> dict[str, Any]:
        upcoming: list[datetime] = []
        next_at = row["next_fire_at"]
        if row.get("trigger_handle") and row["active"]:  # fired in the cloud: shown, not stored
            next_at = cron.next_fire(row["cron"], row["timezone"], utcnow(),
                                     start=row["start_at"], end=row["end_at"])
        if row["active"] and next_at:
            upcoming = [next_at, *cron.fire_times(
                row["cron"], row["timezone"], next_at, 4, until=row["end_at"])]
        return dict(
            row["settings"], id=row["id"], name=row["name"], cron=row["cron"],
            cron_description=cron.describe(row["cron"]), timezone=row["timezone"],
            start_at=row["start_at"], end_at=row["end_at"], active=row["active"],
            overlap_policy=row["overlap_policy"], catchup_policy=row["catchup_policy"],
            catchup_limit=row["catchup_limit"], next_fire_at=next_at,
            trigger_handle=row.get("trigger_handle"), next_fire_times=upcoming,
            snapshot_at=row["snapshot_at"], created_by=row["created_by"],
            created_at=row["created_at"], updated_at=row["updated_at"], warnings=list(warnings),
            recent_fires=[FireRecord(fire_time=f["fire_time"], outcome=f["outcome"],
                                     job_id=f["job_id"]) for f in fires],
        )

    # -- change ---------------------------------------------------------------------------------
    async def update(self, schedule_id: str, patch: ScheduleUpdate) -> Schedule:
        row = await self._row(schedule_id)
        values, changes = await asyncio.to_thread(self._plan_update, row, patch)
        try:
            await self.triggers.carry_update(row, values)
        except BaseException:
            if "snapshot_dir" in values:
                await asyncio.to_thread(shutil.rmtree, values["snapshot_dir"], True)
            raise
        await self.store.update(schedule_id, **values)
        if "snapshot_dir" in values:
            await asyncio.to_thread(self._prune_snapshots, schedule_id, {values["snapshot_dir"]})
        row = await self._row(schedule_id)
        model = await asyncio.to_thread(self._checked_model, row,
                                        list(changes.get("parameters") or {}))
        self._changed()
        return model

    def _plan_update(self, row: dict[str, Any], patch: ScheduleUpdate):
        changes = patch.model_dump(exclude_unset=True)
        current = {**row["settings"], "name": row["name"], "cron": row["cron"],
                   "timezone": row["timezone"], "start_at": row["start_at"],
                   "end_at": row["end_at"], "active": row["active"],
                   "overlap_policy": row["overlap_policy"],
                   "catchup_policy": row["catchup_policy"], "catchup_limit": row["catchup_limit"]}
        request = self._validated({**current, **changes})
        values: dict[str, Any] = {}
        new_input = {"input_path", "package_input_folder"} & changes.keys()
        timing = set(TIMING_FIELDS) & changes.keys()
        problems = Problems()  # the job settings' problems and the timing's, in one 400
        with problems.check():
            resolved = self._resolve(request, None if new_input or request.kernel_name is None
                                     else Path(row["snapshot_dir"]))
        if timing:
            with problems.check():
                expr, first = self._check_timing(request)
        problems.raise_any()
        if new_input:
            snap = self._snapshot(row["id"], resolved["notebook"], request.package_input_folder)
            values.update(snapshot_dir=str(snap), snapshot_at=utcnow())
        values.update(settings=resolved["settings"], name=request.name or row["name"],
                      overlap_policy=request.overlap_policy.value,
                      catchup_policy=request.catchup_policy.value,
                      catchup_limit=request.catchup_limit)
        if timing:
            values.update(cron=expr, timezone=request.timezone, start_at=request.start_at,
                          end_at=request.end_at, active=request.active, next_fire_at=first)
        return values, changes

    @staticmethod
    def _validated(data: dict[str, Any]) -> ScheduleCreate:
        return checked(ScheduleCreate, data)

    async def pause(self, schedule_id: str) -> Schedule:
        row = await self._row(schedule_id)
        trigger = self.triggers.of(row)
        if trigger is not None:
            await trigger.pause(row["trigger_handle"])
        await self.store.update(schedule_id, active=False, next_fire_at=None)
        self._changed()
        return await self.get(schedule_id)

    async def resume(self, schedule_id: str) -> Schedule:
        """Fires missed while paused are not caught up: the next one is after now."""
        row = await self._row(schedule_id)
        trigger = self.triggers.of(row)
        if trigger is not None:
            await trigger.resume(row["trigger_handle"])
            first = None
        else:
            first = await asyncio.to_thread(cron.next_fire, row["cron"], row["timezone"],
                                            utcnow(), start=row["start_at"], end=row["end_at"])
        await self.store.update(schedule_id, active=True, next_fire_at=first)
        self._changed()
        return await self.get(schedule_id)

    async def delete(self, schedule_id: str, delete_runs: bool = False) -> None:
        row = await self._row(schedule_id)
        trigger = self.triggers.of(row)
        if trigger is not None:  # the cloud side first: a failure keeps the row to retry with
            await trigger.delete(row["trigger_handle"])
        job_ids = await self.store.job_ids(schedule_id)
        await self.store.delete(schedule_id)
        self._changed()
        if delete_runs:
            for job_id in job_ids:
                try:
                    await self.jobs.delete(job_id)
                except NotFound:
                    pass
        await asyncio.to_thread(shutil.rmtree, self.schedules_dir / schedule_id, True)

    async def refresh_snapshot(self, schedule_id: str) -> Schedule:
        row = await self._row(schedule_id)
        trigger = self.triggers.of(row)  # refuse before copying anything
        settings = row["settings"]

        def snapshot() -> Path:
            notebook, _ = inputs.read_notebook(self.jobs.root_dir, settings["input_path"])
            return self._snapshot(schedule_id, notebook, settings["package_input_folder"])

        snap = await asyncio.to_thread(snapshot)
        values: dict[str, Any] = {"snapshot_dir": str(snap), "snapshot_at": utcnow()}
        if trigger is not None:
            try:
                values["trigger_handle"] = await self.triggers.staged(
                    {**row, **values}, lambda r: trigger.update(row["trigger_handle"], r))
            except BaseException:
                await asyncio.to_thread(shutil.rmtree, snap, True)
                raise
        await self.store.update(schedule_id, **values)
        await asyncio.to_thread(self._prune_snapshots, schedule_id, {str(snap)})
        return await self.get(schedule_id)

    # -- runs ---------------------------------------------------------------------------------
    async def run_now(self, schedule_id: str, overrides: dict[str, Any] | None,
                      user: str | None, settings_overrides: dict[str, Any] | None = None
                      ) -> RunResult:
        """One run now from the schedule's snapshot: `overrides` are parameters merged over
        the schedule's, `settings_overrides` other settings of this run only."""
        row = await self._row(schedule_id)
        settings = {**row["settings"], "name": row["name"], **(settings_overrides or {})}
        settings["parameters"] = {**settings["parameters"], **(overrides or {})}
        warnings = await asyncio.to_thread(unknown_parameter_warnings,
                                           self._notebook_path(row), list(overrides or {}))
        job, _ = await self.jobs.create(checked(JobSettings, settings), user,
                                        schedule_id=schedule_id,
                                        snapshot_from=Path(row["snapshot_dir"]))
        return RunResult(job=job, warnings=warnings)

    async def run_fire(self, row: dict[str, Any], fire_time: datetime):
        """The job of one claimed fire; the idempotency key makes a retried create harmless."""
        key = f"schedule:{row['id']}:{fire_time.astimezone(timezone.utc).isoformat()}"
        request = checked(JobCreate, {**row["settings"], "name": row["name"],
                                      "idempotency_key": key})
        job, _ = await self.jobs.create(request, row["created_by"], schedule_id=row["id"],
                                        snapshot_from=Path(row["snapshot_dir"]))
        return job
