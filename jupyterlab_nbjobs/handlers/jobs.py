"""Jobs REST handlers: thin parse -> authorize -> service -> JSON."""

from __future__ import annotations

from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from ..models import BulkRequest, BulkResult, JobCreate, JobListQuery, JobPage, JobRerun
from ..services.outputs import media_type
from .base import NbJobsHandler

ID = r"(?P<job_id>[^/]+)"  # any text: an unknown id gets a JSON 404 from the service

# What a job wrote is not trusted: a page or an SVG of it must never run script in the
# Jupyter origin. `sandbox` (no allow-same-origin, no allow-scripts, no allow-forms, no
# allow-popups) gives the document an opaque origin and runs no script at all; the rest lets
# the static page show as nbconvert writes it (inline styles, data: images and fonts) and
# loads nothing from anywhere. frame-ancestors 'self' (Jupyter's) still lets the Lab show it.
SANDBOX_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; "
               "img-src data: blob:; font-src data:; form-action 'none'; base-uri 'none'")
# RFC 5987 attr-char: what filename*= may carry unencoded besides letters and digits.
_ATTR_CHARS = "!#$&+-.^_`|~"


def content_disposition(kind: str, filename: str) -> str:
    """RFC 6266: an ASCII `filename` for old clients (quotes, backslashes, controls and
    non-ASCII replaced) and the exact name as RFC 5987 `filename*=UTF-8''...`."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    fallback = fallback.strip() or "download"
    # A name from disk may hold bytes that are not UTF-8 (surrogates here): those become "?".
    exact = quote(filename.encode("utf-8", "replace"), safe=_ATTR_CHARS)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{exact}"


class SandboxedFileHandler(NbJobsHandler):
    """Serves bytes a job wrote: their own type, never sniffed, under SANDBOX_CSP."""

    @property
    def content_security_policy(self) -> str:
        # Jupyter's own policy (or the admin's), not APIHandler's, with the sandbox first.
        return f"{SANDBOX_CSP}; {JupyterHandler.content_security_policy.fget(self)}"

    def send_file(self, data: bytes, filename: str, mime: str, inline: bool) -> None:
        download = self.query_bool("download")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Disposition", content_disposition(
            "inline" if inline and not download else "attachment", filename))
        # APIHandler.finish sets Content-Type (JSON unless told): tell it the file's.
        self.finish(data, set_content_type=mime)


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
        self.write_model(await self.jobs.rerun(job_id, request.parameters, self.username,
                                               request.overrides()), 201)


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


class JobOutputFileHandler(SandboxedFileHandler):
    @web.authenticated
    @authorized
    async def get(self, job_id: str, name: str):
        filename, data = await self.jobs.output_file(job_id, name)
        self.send_file(data, filename, *media_type(filename))


class JobViewHandler(SandboxedFileHandler):
    """The executed notebook as a read-only HTML page: no kernel, no Lab, no script."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str):
        filename, data = await self.jobs.view(job_id)
        self.send_file(data, filename, "text/html; charset=utf-8", inline=True)


class JobArchiveHandler(SandboxedFileHandler):
    """Every output of a job as one zip, always a download."""

    @web.authenticated
    @authorized
    async def get(self, job_id: str):
        filename, data = await self.jobs.archive(job_id)
        self.send_file(data, filename, "application/zip", inline=False)


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
        (rf"{prefix}/jobs/{ID}/view", JobViewHandler),
        (rf"{prefix}/jobs/{ID}/archive", JobArchiveHandler),
    ]
