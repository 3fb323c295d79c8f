"""Jobs REST handlers: thin parse -> authorize -> service -> JSON."""

from __future__ import annotations

import mimetypes

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..models import BulkRequest, BulkResult, JobCreate, JobListQuery, JobPage, JobRerun
from .base import NbJobsHandler

ID = r"(?P<job_id>[^/]+)"  # any text: an unknown id gets a JSON 404 from the service


class JobsHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self):
        jobs, cursor = await self.jobs.list(self.parse_query(JobListQuery))
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
        self.write_model(await self.jobs.outputs(job_id))


class JobOutputFileHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str, name: str):
        download = self.get_query_argument("download", "0") not in ("0", "false", "")
        filename, data = await self.jobs.output_file(job_id, name)
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if filename.endswith(".ipynb"):
            mime = "application/x-ipynb+json"
        self.set_header("Content-Type", mime)
        if download:
            self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
        self.finish(data)


class JobLogHandler(NbJobsHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str):
        offset = self.query_int("offset", 0, 0, 2**62)
        tail = self.query_int("tail", None, 0, 100_000)
        self.write_model(await self.jobs.read_log(job_id, offset, tail))


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
