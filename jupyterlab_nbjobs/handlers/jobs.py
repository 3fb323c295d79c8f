"""Jobs REST handlers: thin parse -> authorize -> service -> JSON."""

from __future__ import annotations

import asyncio
import mimetypes
from datetime import datetime, timezone

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import InvalidRequest
from ..models import BulkRequest, BulkResult, JobCreate, JobPage, JobRerun, LogChunk, OutputList
from ..services import outputs
from ..services.jobs import job_status
from ..store.jobs import JobQuery
from .base import NbJobsHandler

ID = r"(?P<job_id>[^/]+)"  # any text: an unknown id gets a JSON 404 from the service


def parse_time(raw: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequest(f"{field} must be an ISO-8601 time", reason="invalid_value",
                             field=field) from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class JobsHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self):
        statuses = []
        for raw in self.get_query_arguments("status"):
            statuses += [job_status(s).value for s in raw.split(",") if s]
        since = self.get_query_argument("updated_since", None)
        query = JobQuery(
            statuses=statuses,
            name=self.get_query_argument("name", None) or None,
            tag=self.get_query_argument("tag", None) or None,
            schedule_id=self.get_query_argument("schedule_id", None) or None,
            sweep_id=self.get_query_argument("sweep_id", None) or None,
            updated_since=parse_time(since, "updated_since") if since else None,
            sort=self.get_query_argument("sort", "-created_at"),
            limit=self.query_int("limit", 50, 1, 500),
            cursor=self.get_query_argument("cursor", None) or None,
        )
        jobs, cursor = await self.jobs.list(query)
        self.write_model(JobPage(jobs=jobs, next_cursor=cursor))

    @web.authenticated
    @authorized
    async def post(self):
        request = self.parse_body(JobCreate)
        job, created = await self.jobs.create(request, self.username)
        self.write_model(job, 201 if created else 200)


class JobHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str):
        self.write_model(await self.jobs.get(job_id))

    @web.authenticated
    @authorized
    async def delete(self, job_id: str):
        await self.jobs.delete(job_id)
        self.set_status(204)
        self.finish()


class JobStopHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def post(self, job_id: str):
        self.write_model(await self.jobs.stop(job_id))


class JobRerunHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def post(self, job_id: str):
        request = self.parse_body(JobRerun)
        self.write_model(await self.jobs.rerun(job_id, request.parameters, self.username), 201)


class JobsBulkDeleteHandler(NbJobsHandler):
    @web.authenticated
    @authorized("delete")
    async def post(self):
        request = self.parse_body(BulkRequest)
        self.write_model(BulkResult(**await self.jobs.bulk("delete", request.ids)))


class JobsBulkStopHandler(NbJobsHandler):
    @web.authenticated
    @authorized("write")
    async def post(self):
        request = self.parse_body(BulkRequest)
        self.write_model(BulkResult(**await self.jobs.bulk("stop", request.ids)))


class JobOutputsHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str):
        row = await self.jobs.get_row(job_id)
        found = await asyncio.to_thread(outputs.list_outputs, self.jobs.root_dir, row)
        self.write_model(OutputList(outputs=found))


class JobOutputFileHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str, name: str):
        row = await self.jobs.get_row(job_id)
        path = await asyncio.to_thread(outputs.output_file, self.jobs.root_dir, row, name)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".ipynb":
            mime = "application/x-ipynb+json"
        self.set_header("Content-Type", mime)
        if self.get_query_argument("download", "0") not in ("0", "false", ""):
            self.set_header("Content-Disposition", f'attachment; filename="{path.name}"')
        data = await asyncio.to_thread(path.read_bytes)
        self.finish(data)


class JobLogHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str):
        offset = self.query_int("offset", 0, 0, 2**62)
        tail = self.query_int("tail", None, 0, 100_000)
        row = await self.jobs.get_row(job_id)
        chunk = await asyncio.to_thread(outputs.read_log, self.jobs.root_dir, row, offset, tail)
        self.write_model(LogChunk(**chunk))


def job_routes(prefix: str) -> list[tuple[str, type]]:
    return [
        (rf"{prefix}/jobs", JobsHandler),
        (rf"{prefix}/jobs/bulk/delete", JobsBulkDeleteHandler),
        (rf"{prefix}/jobs/bulk/stop", JobsBulkStopHandler),
        (rf"{prefix}/jobs/{ID}", JobHandler),
        (rf"{prefix}/jobs/{ID}/stop", JobStopHandler),
        (rf"{prefix}/jobs/{ID}/rerun", JobRerunHandler),
        (rf"{prefix}/jobs/{ID}/outputs", JobOutputsHandler),
        (rf"{prefix}/jobs/{ID}/outputs/(?P<name>.+)", JobOutputFileHandler),
        (rf"{prefix}/jobs/{ID}/log", JobLogHandler),
    ]
