"""What a job service shows: stored rows as answers, published outputs, the create form's
choices. Reads only; JobService (services/jobs.py) is the one writer of job state."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Conflict, InvalidRequest
from ..models import Environments, Job, LogChunk, NotebookParameters, OutputList, from_stored
from . import inputs
from . import outputs as published
from .archive import build_archive

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


def job_from_row(row: dict[str, Any]) -> Job | None:
    """The answer for a stored job; a row an older version wrote with values no answer can
    hold is redacted (logged), and None when not even that makes a Job."""
    job, redacted = from_stored(Job, row)
    if job is None:
        log.error("job %s: the stored row cannot be shown (fields %s)", row.get("id"), redacted)
    elif redacted:
        log.warning("job %s: stored values redacted in answers: %s", row.get("id"), redacted)
    return job


def checked(model: type[M], data: dict[str, Any]) -> M:
    """A request model built from stored values (and a client's overrides): a 400 when they
    no longer pass the model's checks (a row an older version wrote, merged values too big)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest.from_validation(exc) from None


def answer_job(row: dict[str, Any]) -> Job:
    job = job_from_row(row)
    if job is None:
        raise Conflict(f"job {row.get('id')} was stored in a form this server cannot show; "
                       "delete it", reason="job_unreadable")
    return job


class JobViews:
    """Read-only methods of JobService that work on a job's published files and on what
    this server offers; they need the service's get_row, root_dir, kernel_specs, backends
    and default_backend."""

    async def outputs(self, job_id: str) -> OutputList:
        row = await self.get_row(job_id)
        found = await asyncio.to_thread(published.list_outputs, self.root_dir, row)
        return OutputList(outputs=found)

    async def output_file(self, job_id: str, name: str) -> tuple[str, bytes]:
        """One published output: its file name and content."""
        row = await self.get_row(job_id)
        path = await asyncio.to_thread(published.output_file, self.root_dir, row, name)
        return path.name, await asyncio.to_thread(path.read_bytes)

    async def view(self, job_id: str) -> tuple[str, bytes]:
        """The executed notebook as a read-only HTML page (rendered once, then cached): its
        file name and content."""
        row = await self.get_row(job_id)
        page = await asyncio.to_thread(published.render_view, self.root_dir, row)
        return f"{Path(row['input_path']).stem}.html", page

    async def archive(self, job_id: str) -> tuple[str, bytes]:
        """Every output of the job as one zip: its file name and content."""
        row = await self.get_row(job_id)
        return await asyncio.to_thread(build_archive, self.root_dir, row)

    async def read_log(self, job_id: str, offset: int | None, tail: int | None) -> LogChunk:
        """From a byte offset, or the last `tail` lines."""
        row = await self.get_row(job_id)
        chunk = await asyncio.to_thread(published.read_log, self.root_dir, row, offset, tail)
        return LogChunk(**chunk)

    # -- what the create form offers ----------------------------------------------------
    async def environments(self, default_kernel: str | None) -> Environments:
        """Installed kernels, usable output formats and the backends with their form fields;
        `default_kernel` is the server's, offered when installed."""
        specs = await asyncio.to_thread(self.kernel_specs)
        formats = await asyncio.to_thread(inputs.export_formats)
        return Environments(
            kernels=[{"name": name, "display_name": spec["spec"].get("display_name", name),
                      "language": spec["spec"].get("language")}
                     for name, spec in sorted(specs.items())],
            default_kernel=default_kernel if default_kernel in specs else None,
            output_formats=[{"name": n, "label": label} for n, label in formats.items()],
            backends=[{"name": b.name, "label": b.label, "default": b.name == self.default_backend,
                       "options": b.form_options()} for b in self.backends.values()],
        )

    async def notebook_parameters(self, path: str) -> NotebookParameters:
        found = await asyncio.to_thread(inputs.inspect_parameters, self.root_dir, path)
        return NotebookParameters(**found)
