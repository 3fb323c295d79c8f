"""One client per API, with the same small interface so every workload runs on both.

Statuses are normalized to "active", "completed" or "failed" (plus "stopped" for ours).
jupyter-scheduler shows a new job as STOPPED until its child process starts, so STOPPED
counts as active there (the benchmark never stops a job).
"""

from __future__ import annotations

import time

from .jsonhttp import JsonHttp

FINAL = ("completed", "failed", "stopped")


class ApiClient:
    label = "?"
    max_page = 50

    def __init__(self, http: JsonHttp):
        self.http = http

    def create(self, notebook: str) -> str:
        raise NotImplementedError

    def status(self, job_id: str) -> tuple[str, float]:
        """(normalized status, request seconds)"""
        raise NotImplementedError

    def page(self, limit: int = 50, status: str | None = None,
             token: str | None = None) -> tuple[list[tuple[str, str]], str | None, float]:
        """One page of the list, newest first: ([(id, status)], next token, seconds).

        `status` is a normalized status ("failed", "completed"); `token` is the opaque
        continuation from the previous page.
        """
        raise NotImplementedError

    def ready(self) -> bool:
        """The server answers (what "started" means for every side): a job extension may
        load its own parts later, and `first_list` times that apart."""
        self.http.get("/api/status")
        return True

    def first_list(self) -> float:
        """Seconds the first job-list request takes (an extension loading on demand pays
        its load here)."""
        started = time.perf_counter()
        self.page(limit=1)
        return time.perf_counter() - started

    def seek(self, offset: int, time_cap: float) -> tuple[str | None, int]:
        """The continuation token of the page that starts at about `offset`, found by
        walking big pages (works for an opaque cursor); returns (token, offset reached)."""
        token, reached = None, 0
        deadline = time.monotonic() + time_cap
        while reached < offset and time.monotonic() < deadline:
            rows, token, _ = self.page(limit=min(self.max_page, offset - reached), token=token)
            reached += len(rows)
            if not token:
                break
        return token, reached

    def statuses(self, ids: set[str], max_pages: int = 20) -> dict[str, str]:
        """Current status of each id, read through list pages (one request per page)."""
        found: dict[str, str] = {}
        token = None
        for _ in range(max_pages):
            rows, token, _ = self.page(limit=self.max_page, token=token)
            for job_id, status in rows:
                if job_id in ids:
                    found[job_id] = status
            if len(found) == len(ids) or not token:
                break
        return found


class OursClient(ApiClient):
    label = "nbjobs"
    max_page = 500
    STATUS = {"queued": "active", "running": "active", "stopping": "active",
              "completed": "completed", "failed": "failed", "stopped": "stopped"}

    def create(self, notebook: str) -> str:
        job, _ = self.http.post("/nbjobs/jobs", {"input_path": notebook})
        return job["id"]

    def status(self, job_id: str) -> tuple[str, float]:
        job, elapsed = self.http.get(f"/nbjobs/jobs/{job_id}")
        return self.STATUS.get(job["status"], job["status"]), elapsed

    def page(self, limit=50, status=None, token=None):
        data, elapsed = self.http.get("/nbjobs/jobs", limit=limit, status=status, cursor=token)
        rows = [(j["id"], self.STATUS.get(j["status"], j["status"])) for j in data["jobs"]]
        return rows, data.get("next_cursor"), elapsed


class TheirsClient(ApiClient):
    label = "jupyter-scheduler"
    max_page = 1000
    STATUS = {"CREATED": "active", "QUEUED": "active", "IN_PROGRESS": "active",
              "STOPPING": "active", "STOPPED": "active",
              "COMPLETED": "completed", "FAILED": "failed"}

    def create(self, notebook: str) -> str:
        body = {"input_uri": notebook, "name": "bench", "runtime_environment_name": "default",
                "output_formats": ["ipynb"]}
        data, _ = self.http.post("/scheduler/jobs", body)
        return data["job_id"]

    def status(self, job_id: str) -> tuple[str, float]:
        job, elapsed = self.http.get(f"/scheduler/jobs/{job_id}")
        return self.STATUS.get(job["status"], job["status"]), elapsed

    def page(self, limit=50, status=None, token=None):
        raw_status = status.upper() if status else None
        data, elapsed = self.http.get("/scheduler/jobs", max_items=limit, status=raw_status,
                                      next_token=token)
        rows = [(j["job_id"], self.STATUS.get(j["status"], j["status"])) for j in data["jobs"]]
        token = data.get("next_token")
        return rows, (str(token) if token is not None else None), elapsed

    def seek(self, offset: int, time_cap: float) -> tuple[str | None, int]:
        # Its next_token is the row offset (Scheduler.list_jobs uses LIMIT/OFFSET).
        return str(offset), offset


class BareClient(ApiClient):
    """A jupyter server without any job extension: only ready() (start time, idle memory)."""

    label = "bare jupyter server"
