"""Runs side by side: a sweep's or a schedule's jobs, their parameters, status, duration and
the values each recorded in its executed notebook.

Recorded values follow scrapbook's "glue" format: a display output whose data holds
`application/scrapbook.scrap.json+json` (or `...scrap.text+plain`) `{"name", "data",
"encoder", "version"}`. scrapbook itself is not used: 0.5.0 (2021, the last release) still
imports with papermill 2.7, but it pulls pandas and pyarrow into the server for what is a
JSON read. papermill's older `pm.record()` (`application/papermill.record+json`, a
name -> value object) is read too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import NotFound
from ..models import ComparedRun, Comparison, Job, JobListQuery
from . import outputs as published

log = logging.getLogger(__name__)

SCRAP_JSON = "application/scrapbook.scrap.json+json"
SCRAP_TEXT = "application/scrapbook.scrap.text+plain"
PAPERMILL_RECORD = "application/papermill.record+json"
# A comparison reads at most this many runs (each one notebook): the newest of a schedule.
MAX_RUNS = 500
PAGE = 500


def recorded_values(nb: dict[str, Any]) -> dict[str, Any]:
    """The values a notebook recorded, by name, in cell order (a later one of a name wins)."""
    found: dict[str, Any] = {}
    for cell in nb.get("cells") or []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs") or []:
            data = out.get("data") if isinstance(out, dict) else None
            if not isinstance(data, dict):
                continue
            for mime in (SCRAP_JSON, SCRAP_TEXT):
                scrap = data.get(mime)
                if isinstance(scrap, dict) and isinstance(scrap.get("name"), str) \
                        and "data" in scrap:
                    found[scrap["name"]] = scrap["data"]
            record = data.get(PAPERMILL_RECORD)
            if isinstance(record, dict):
                found.update({k: v for k, v in record.items() if isinstance(k, str)})
    return found


def _read_values(path: Path) -> dict[str, Any]:
    try:
        return recorded_values(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError) as exc:
        # A notebook a run left half-written (or not JSON) records nothing; the row stays.
        log.warning("comparison: cannot read %s: %s", path, exc)
        return {}


def _duration(job: Job) -> float | None:
    if job.started_at is None or job.ended_at is None:
        return None
    return round(max(0.0, (job.ended_at - job.started_at).total_seconds()), 3)


def compare(root_dir: str, jobs: list[Job], truncated: bool) -> Comparison:
    """Blocking (reads notebooks): run in a worker thread."""
    runs, value_names = [], {}
    for job in jobs:
        values, notebook = {}, None
        if job.output_path:
            row = {"id": job.id, "input_path": job.input_path, "output_path": job.output_path}
            try:
                path = published.executed_notebook(root_dir, row)
            except NotFound:
                path = None
            if path is not None:
                values = _read_values(path)
                notebook = f"{job.output_path}/{path.name}"
        value_names.update(dict.fromkeys(values))
        runs.append(ComparedRun(job=job, values=values, duration_seconds=_duration(job),
                                notebook_path=notebook))
    names: dict[str, None] = {}
    for job in jobs:
        names.update(dict.fromkeys(job.parameters))
    varied = [n for n in names
              if len({json.dumps(j.parameters.get(n), sort_keys=True) for j in jobs}) > 1]
    ordered = varied + [n for n in names if n not in varied]
    return Comparison(parameters=ordered, varied=varied, values=list(value_names), runs=runs,
                      truncated=truncated)


class RunComparison:
    """Built per request from the job service (stateless)."""

    def __init__(self, jobs) -> None:  # noqa: ANN001 - a JobService
        self.jobs = jobs

    async def of(self, *, sweep_id: str | None = None,
                 schedule_id: str | None = None) -> Comparison:
        """The newest MAX_RUNS runs, shown oldest first."""
        found: list[Job] = []
        cursor = None
        while len(found) < MAX_RUNS:
            query = JobListQuery(sweep_id=sweep_id, schedule_id=schedule_id,
                                 sort="-created_at", limit=min(PAGE, MAX_RUNS - len(found)),
                                 cursor=cursor)
            page, cursor = await self.jobs.list(query)
            found.extend(page)
            if not cursor:
                break
        truncated = bool(cursor)
        found.sort(key=lambda j: (j.created_at or datetime.min, j.id))
        return await asyncio.to_thread(compare, self.jobs.root_dir, found, truncated)
