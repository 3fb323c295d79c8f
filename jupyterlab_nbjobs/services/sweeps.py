"""Parameter sweeps: one queued job per combination, grouped under a sweep id.

The jobs are ordinary jobs, so the concurrency limit and the queue apply to them as to any
other. The first job snapshots the notebook; the others copy that snapshot, so every
combination runs the same version of the notebook.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import Conflict, InvalidRequest, NotFound
from ..models import FINAL_STATUSES, JobSettings, Sweep, SweepCreate, from_stored
from ..store import AsyncStore, aio
from ..store.schedules import SweepStore
from . import job_dirs
from .jobs import JobService
from .schedules import unknown_parameter_warnings

log = logging.getLogger(__name__)

FINAL = {s.value for s in FINAL_STATUSES}


def combinations(grid: dict[str, list[Any]], explicit: list[dict[str, Any]],
                 limit: int) -> list[dict[str, Any]]:
    """Every grid combination (names in the given order), then the explicit ones; no repeats."""
    if not grid and not explicit:
        raise InvalidRequest("give a grid (values per parameter) or a list of combinations",
                             reason="empty_sweep", field="grid")
    empty = [name for name, values in grid.items() if not values]
    if empty:
        raise InvalidRequest(f"grid parameter(s) {', '.join(empty)} have no values",
                             reason="empty_sweep", field="grid")
    total = len(explicit)
    if grid:
        size = 1
        for values in grid.values():
            size *= len(values)
        total += size
    if total > limit:
        raise InvalidRequest(
            f"the sweep has {total} combinations; the maximum is {limit} "
            "(NbJobsApp.max_sweep_combinations)", reason="too_many_combinations", field="grid")
    names = list(grid)
    combos = [dict(zip(names, values, strict=True))
              for values in itertools.product(*grid.values())] if grid else []
    seen, out = set(), []
    for combo in combos + list(explicit):
        key = json.dumps(combo, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(combo)
    return out


class SweepService:
    def __init__(self, store: SweepStore | AsyncStore[SweepStore], jobs: JobService,
                 max_combinations: int = 1000):
        self.store = aio(store)
        self.jobs = jobs
        self.max_combinations = max_combinations

    async def create(self, request: SweepCreate, user: str | None) -> Sweep:
        combos = combinations(request.grid, request.combinations, self.max_combinations)
        settings = request.model_dump(include=set(JobSettings.model_fields))
        base = JobSettings(**settings)
        await asyncio.to_thread(self.jobs.validate, base)  # a bad request creates nothing
        sweep_id = uuid.uuid4().hex
        name = request.name or Path(request.input_path).stem
        await self.store.insert({
            "id": sweep_id, "name": name, "input_path": request.input_path,
            "settings": request.model_dump(mode="json", include=set(JobSettings.model_fields)),
            "grid": request.grid, "items": [], "created_by": user})
        items: list[dict[str, Any]] = []
        snapshot: Path | None = None
        for index, combo in enumerate(combos):
            job_settings = base.model_copy(update={
                "parameters": {**base.parameters, **combo},
                "name": f"{name} [{', '.join(f'{k}={v!r}' for k, v in combo.items())}]"[:200],
            })
            job, _ = await self.jobs.create(job_settings, user, sweep_id=sweep_id,
                                            snapshot_from=snapshot)
            if index == 0:
                snapshot = job_dirs.input_snapshot(await self.jobs.get_row(job.id))
            items.append({"parameters": combo, "job_id": job.id})
        await self.store.set_items(sweep_id, items)
        names = sorted({n for combo in combos for n in combo} | set(request.parameters))
        warnings = await asyncio.to_thread(
            unknown_parameter_warnings, snapshot / Path(request.input_path).name, names
        ) if snapshot else []
        model = await self.get(sweep_id)
        model.warnings = warnings
        return model

    async def _row(self, sweep_id: str) -> dict[str, Any]:
        row = None if "\0" in sweep_id else await self.store.get(sweep_id)
        if row is None:
            raise NotFound(f"no sweep with id {sweep_id!r}", reason="sweep_not_found")
        return row

    async def get(self, sweep_id: str) -> Sweep:
        row = await self._row(sweep_id)
        statuses = await self.store.job_statuses(sweep_id)
        model = self._shown(row, statuses)
        if model is None:
            raise Conflict(f"sweep {sweep_id} was stored in a form this server cannot show; "
                           "delete it", reason="sweep_unreadable")
        return model

    async def list(self) -> list[Sweep]:
        """Every sweep; one stored in a form that cannot be shown is left out (logged)."""
        rows = await self.store.list()
        out = []
        for row in rows:
            statuses = await self.store.job_statuses(row["id"])
            model = self._shown(row, statuses)
            if model is not None:
                out.append(model)
        return out

    @staticmethod
    def _shown(row: dict[str, Any], statuses: dict[str, str]) -> Sweep | None:
        """The answer for a stored sweep: values an older version stored that no answer can
        hold are redacted (logged); None when not even that makes a Sweep."""
        try:
            items = [{"parameters": i["parameters"], "job_id": i["job_id"],
                      "status": statuses.get(i["job_id"])} for i in row["items"]]
        except (KeyError, TypeError):
            items = None  # not a list of items: from_stored refuses the row
        found = [i["status"] for i in items or ()]
        model, redacted = from_stored(Sweep, {
            "id": row["id"], "name": row["name"], "input_path": row["input_path"],
            "grid": row["grid"], "items": items, "total": len(found),
            "counts": dict(Counter(s for s in found if s is not None)),
            "done": all(s is None or s in FINAL for s in found),
            "created_by": row["created_by"], "created_at": row["created_at"]})
        if model is None:
            log.error("sweep %s: the stored row cannot be shown (fields %s)", row["id"], redacted)
        elif redacted:
            log.warning("sweep %s: stored values redacted in answers: %s", row["id"], redacted)
        return model

    async def stop(self, sweep_id: str) -> Sweep:
        """Stop every job of the sweep that has not finished; finished ones stay as they are."""
        await self._row(sweep_id)
        statuses = await self.store.job_statuses(sweep_id)
        # Queued ones first, so that stopping a running one does not start the next.
        order = sorted(statuses, key=lambda j: statuses[j] != "queued")
        for job_id in order:
            if statuses[job_id] not in FINAL:
                try:
                    await self.jobs.stop(job_id)
                except (Conflict, NotFound):
                    pass
        return await self.get(sweep_id)

    async def delete(self, sweep_id: str) -> None:
        await self._row(sweep_id)
        await self.stop(sweep_id)
        statuses = await self.store.job_statuses(sweep_id)
        for job_id in statuses:
            try:
                await self.jobs.delete(job_id)
            except NotFound:
                pass
        await self.store.delete(sweep_id)
