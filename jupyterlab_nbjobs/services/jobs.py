"""The job service: the rules of a job's life and the one writer of job state."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..backends.base import ActiveRun, Backend
from ..errors import Conflict, InvalidRequest, NotFound, Problems
from ..models import (
    FINAL_STATUSES,
    Job,
    JobCreate,
    JobListQuery,
    JobSettings,
)
from ..runner.contract import RunnerResult
from ..store import AsyncStore, JobStore, aio
from ..store.tables import utcnow
from . import inputs, job_dirs
from .views import JobViews, answer_job, checked, job_from_row

log = logging.getLogger(__name__)

FINAL = {s.value for s in FINAL_STATUSES}
KERNEL_SPECS_TTL = 5.0  # seconds: a kernel installed meanwhile shows up this soon


class JobService(JobViews):
    def __init__(self, store: JobStore | AsyncStore[JobStore], root_dir: str, staging_dir: str,
                 outputs_folder: str, kernel_specs: Callable[[], dict[str, Any]]):
        self.store = aio(store)
        self.root_dir = root_dir
        self.staging_dir = Path(staging_dir)
        self.outputs_folder = outputs_folder
        self._read_kernel_specs = kernel_specs
        self._kernel_specs: tuple[float, dict[str, Any]] | None = None
        self.backends: dict[str, Backend] = {}
        self.default_backend = "local"
        self._dispatch_lock = asyncio.Lock()
        # A job this server claimed is ours until its start() returns: a stop meanwhile is
        # kept for the start (which then skips the launch or stops the run it launched), never
        # sent to a backend that does not know the run yet (it would take it for another
        # server's and find it dead). _claims are the claims whose rows dispatch has not seen.
        self._starting: set[str] = set()
        self._stop_asked: set[str] = set()
        self._claims: set[asyncio.Future] = set()
        self._finished_waiters: dict[str, list[asyncio.Future]] = {}
        self.listeners: list[Callable[[Job], Any]] = []  # told of every final state
        self._warming: set[asyncio.Task] = set()

    def kernel_specs(self) -> dict[str, Any]:
        """Installed kernelspecs, re-read at most every few seconds: every create needs them,
        and reading them walks several folders of JSON files."""
        now = time.monotonic()
        if self._kernel_specs is None or now - self._kernel_specs[0] > KERNEL_SPECS_TTL:
            self._kernel_specs = (now, self._read_kernel_specs())
        return self._kernel_specs[1]

    def output_path(self, name: str, owner_id: str) -> str:
        """Where the outputs of a job (or of a cloud-fired schedule's runs) are published,
        relative to the server root."""
        return f"{self.outputs_folder}/{inputs.slug(name)}-{owner_id[:8]}"

    def add_backend(self, backend: Backend, default: bool = False) -> None:
        self.backends[backend.name] = backend
        if default:
            self.default_backend = backend.name

    def warm_ahead(self) -> None:
        """A job is likely soon (the create-job form opened, a schedule is about to fire): let
        each backend that keeps processes ready (`warm_up()`, the local warm pool) start them
        now, in the background. Returns at once."""
        for backend in self.backends.values():
            warm_up = getattr(backend, "warm_up", None)
            if warm_up is None:
                continue
            task = asyncio.ensure_future(warm_up())
            self._warming.add(task)
            task.add_done_callback(self._warmed)

    def _warmed(self, task: asyncio.Task) -> None:
        self._warming.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("warming a backend up failed: %r", task.exception())

    # -- creating -----------------------------------------------------------------------
    async def create(self, request: JobCreate | JobSettings, user: str | None, *,
                     schedule_id: str | None = None, sweep_id: str | None = None,
                     snapshot_from: Path | None = None) -> tuple[Job, bool]:
        """Validate, snapshot and queue a job. Returns (job, created)."""
        key = getattr(request, "idempotency_key", None)
        if key:
            existing = await self.store.get_by_idempotency_key(key)
            if existing:
                return answer_job(existing), False
        values = await asyncio.to_thread(
            self._prepare, request, user, schedule_id, sweep_id, snapshot_from
        )
        try:
            row, created = await self.store.insert(values)
        except Exception:
            await asyncio.to_thread(job_dirs.remove, values["job_dir"])
            raise
        if not created:
            await asyncio.to_thread(job_dirs.remove, values["job_dir"])
        else:
            await self.dispatch()
        return answer_job(row), created

    def validate(self, request: JobSettings, snapshot_from: Path | None = None) -> dict[str, Any]:
        """Every check of a create request that needs no writing; returns resolved fields."""
        backend_name = request.backend or self.default_backend
        backend = self.backends.get(backend_name)
        if backend is None:
            raise InvalidRequest(
                f"unknown backend {backend_name!r}; available: {', '.join(self.backends)}",
                reason="unknown_backend", field="backend",
            )
        # Each check that does not need another's result runs: a 400 lists them all.
        problems = Problems()
        options = notebook = nb = None
        with problems.check():
            options = backend.validate_options(dict(request.backend_options))
        kernel = request.kernel_name
        if snapshot_from is None:
            with problems.check():
                notebook, nb = inputs.read_notebook(self.root_dir, request.input_path)
            if nb is not None and not kernel:
                kernel = inputs.notebook_kernel(nb)
        known = snapshot_from is not None or nb is not None or kernel
        if options is not None and known:  # else which kernel is meant cannot be told
            where, specs = backend.kernel_specs(options) or ("", self.kernel_specs())
            if not kernel:
                kernel = "python3" if "python3" in specs else next(iter(sorted(specs)), None)
            with problems.check():
                inputs.check_kernel(kernel, specs, where)
        if options is not None:
            with problems.check():
                backend.check_job(request, options)
        formats: list[str] = []
        with problems.check():
            formats = inputs.check_output_formats(request.output_formats)
        problems.raise_any()
        return {"backend": backend_name, "backend_options": options, "notebook": notebook,
                "kernel_name": kernel, "output_formats": formats}

    def _prepare(self, request: JobSettings, user: str | None, schedule_id: str | None,
                 sweep_id: str | None, snapshot_from: Path | None) -> dict[str, Any]:
        checked = self.validate(request, snapshot_from)
        job_id = uuid.uuid4().hex
        job_dir = self.staging_dir / job_id
        job_dirs.take_snapshot(job_dir, notebook=checked["notebook"],
                               package_folder=request.package_input_folder,
                               snapshot_from=snapshot_from,
                               skip_dirs=(Path(self.root_dir) / self.outputs_folder,),
                               root=Path(self.root_dir))
        name = request.name or Path(request.input_path).stem
        output_path = self.output_path(name, job_id)
        return {
            "id": job_id, "name": name, "input_path": request.input_path,
            "kernel_name": checked["kernel_name"], "backend": checked["backend"],
            "backend_options": checked["backend_options"], "parameters": request.parameters,
            "output_formats": checked["output_formats"],
            "package_input_folder": request.package_input_folder, "env": request.env,
            "timeout_seconds": request.timeout_seconds, "max_retries": request.max_retries,
            "tags": list(dict.fromkeys(request.tags)),
            "idempotency_key": getattr(request, "idempotency_key", None),
            "schedule_id": schedule_id, "sweep_id": sweep_id, "status": "queued",
            "cells_done": 0, "cells_total": 0, "attempts": 0, "job_dir": str(job_dir),
            "output_path": output_path, "created_by": user,
        }

    # -- dispatching --------------------------------------------------------------------
    async def dispatch(self) -> None:
        """Start queued jobs while their backend has room. Safe to call any time."""
        ended: list[Job] = []
        async with self._dispatch_lock:
            again = True
            while again:  # a claim that ended without a run left room: fill it
                again = False
                for backend in self.backends.values():
                    cap = backend.capacity()
                    room = (1000 if cap is None
                            else cap - await self.store.count_running(backend.name))
                    if room <= 0:
                        continue
                    for row in await self._claim(backend, room):
                        started, job = await self._start(backend, row)
                        again = again or not started
                        if job is not None:
                            ended.append(job)
        for job in ended:  # outside the lock: a listener may create jobs
            await self._tell(job)

    async def _claim(self, backend: Backend, room: int) -> list[dict[str, Any]]:
        """Claim queued rows; they are ours (in _starting) before anyone may look at them."""
        seen = asyncio.get_running_loop().create_future()
        self._claims.add(seen)
        try:
            claimed = await self.store.claim_queued(backend.name, room)
            self._starting.update(row["id"] for row in claimed)
            return claimed
        finally:
            self._claims.discard(seen)
            seen.set_result(None)

    async def _start(self, backend: Backend, row: dict[str, Any]) -> tuple[bool, Job | None]:
        """Start one claimed row. Returns (launched, the job if it ended instead). Never calls
        on_finished: that dispatches, and dispatch holds its lock while it starts."""
        job_id, attempt = row["id"], row["attempts"]
        try:
            if job_id not in self._stop_asked:
                run = await asyncio.to_thread(job_dirs.prepare_attempt, row, self.root_dir)
            if job_id in self._stop_asked:
                _, job = await self._record_finished(job_id, attempt, {
                    "status": "stopped", "error": {"message": "the job was stopped before it "
                                                              "started", "reason": "stopped"}})
                return False, job
            await backend.start(run)
        except Exception as exc:
            log.exception("could not start job %s", job_id)
            _, job = await self._record_finished(job_id, attempt, {
                "status": "failed", "error": {"message": f"could not start: {exc}",
                                              "reason": "start_failed"}})
            return False, job
        finally:
            self._starting.discard(job_id)
            stop_now = job_id in self._stop_asked
            self._stop_asked.discard(job_id)
        if stop_now:  # asked while start() ran: the backend knows the run now
            try:
                await backend.stop(job_id)
            except Exception:
                log.exception("could not stop job %s after its start", job_id)
        return True, None

    # -- events from backends (BackendEvents) --------------------------------------------
    async def on_started(self, job_id: str, attempt: int, handle: dict[str, Any]) -> None:
        await self.store.update(job_id, handle=handle, only_if_status=("running", "stopping"))

    async def on_progress(self, job_id: str, cells_done: int, cells_total: int) -> None:
        await self.store.update(job_id, cells_done=cells_done, cells_total=cells_total,
                                only_if_status=("running", "stopping"))

    async def on_finished(self, job_id: str, attempt: int, result: RunnerResult) -> None:
        recorded, job = await self._record_finished(job_id, attempt, result)
        if job is not None:
            await self._tell(job)
        if recorded:
            await self.dispatch()

    async def _record_finished(self, job_id: str, attempt: int, result: RunnerResult
                               ) -> tuple[bool, Job | None]:
        """Record an attempt's end: queued again for a retry, or final. Returns (recorded,
        the job if it is final now)."""
        row = await self.store.get(job_id)
        if row is None or row["status"] in FINAL or row["attempts"] != attempt:
            self._wake(job_id)
            return False, None
        status = result.get("status", "failed")
        error = result.get("error")
        progress = {k: result[k] for k in ("cells_done", "cells_total") if k in result}
        retry = (status == "failed" and row["status"] == "running"
                 and (error or {}).get("reason") != "stopped"
                 and row["attempts"] <= row["max_retries"])
        if retry:
            await self.store.update(job_id, status="queued", error=error,
                                    only_if_status=("running",), **progress)
        else:
            if status not in FINAL:
                status = "failed"
            await self.store.update(job_id, status=status, error=error, ended_at=utcnow(),
                                    only_if_status=("running", "stopping"), **progress)
        self._wake(job_id)
        return True, (None if retry else await self.get(job_id))

    async def _tell(self, job: Job) -> None:
        for listener in list(self.listeners):
            try:
                result_ = listener(job)
                if asyncio.iscoroutine(result_):
                    await result_
            except Exception:
                log.exception("job listener failed")

    def _wake(self, job_id: str) -> None:
        for fut in self._finished_waiters.pop(job_id, []):
            if not fut.done():
                fut.set_result(None)

    async def wait_final(self, job_id: str, timeout: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        self._finished_waiters.setdefault(job_id, []).append(fut)
        row = await self.store.get(job_id)
        if row is None or row["status"] in FINAL:
            return
        try:
            await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            pass

    # -- reading ------------------------------------------------------------------------
    async def get_row(self, job_id: str) -> dict[str, Any]:
        row = None if "\0" in job_id else await self.store.get(job_id)  # PostgreSQL refuses NUL
        if row is None:
            raise NotFound(f"no job with id {job_id!r}", reason="job_not_found")
        return row

    async def get(self, job_id: str) -> Job:
        return answer_job(await self.get_row(job_id))

    async def list(self, query: JobListQuery) -> tuple[list[Job], str | None]:
        """A page of jobs; a row that cannot be shown even redacted is left out (logged)."""
        rows, cursor = await self.store.list(query)
        return [job for job in map(job_from_row, rows) if job is not None], cursor

    # -- acting -------------------------------------------------------------------------
    async def stop(self, job_id: str) -> Job:
        row = await self.get_row(job_id)
        if row["status"] in FINAL:
            raise Conflict(f"job {job_id} is already {row['status']}", reason="job_finished")
        if row["status"] == "queued":
            if await self.store.update(job_id, status="stopped", ended_at=utcnow(),
                                       only_if_status=("queued",)):
                return await self.get(job_id)
            row = await self.get_row(job_id)  # it was claimed meanwhile: stop the run
        if row["status"] == "running":
            await self.store.update(job_id, status="stopping", only_if_status=("running",))
        if self._claims:  # a claim under way may have taken this job for this server
            await asyncio.wait(list(self._claims))
        if job_id in self._starting:  # ours, its start() not done: the start stops it
            self._stop_asked.add(job_id)
            return await self.get(job_id)
        backend = self.backends.get(row["backend"])
        if backend is not None:
            if not backend.reaches(job_id):
                # Another server started this run: adopt it here so the stop reaches it.
                await backend.reconcile([ActiveRun(
                    job_id=job_id, attempt=row["attempts"], job_dir=Path(row["job_dir"]),
                    handle=row["handle"] or {})])
            await backend.stop(job_id)
        return await self.get(job_id)

    async def rerun(self, job_id: str, parameters: dict[str, Any] | None, user: str | None,
                    overrides: dict[str, Any] | None = None) -> Job:
        """A new job from this job's input snapshot and settings, with `overrides` (any
        setting but the input's) and `parameters` merged over the earlier ones."""
        row = await self.get_row(job_id)
        settings = checked(JobSettings, {
            **dict(input_path=row["input_path"], name=row["name"],
                   kernel_name=row["kernel_name"], backend=row["backend"],
                   backend_options=row["backend_options"], output_formats=row["output_formats"],
                   package_input_folder=row["package_input_folder"], env=row["env"],
                   timeout_seconds=row["timeout_seconds"], max_retries=row["max_retries"],
                   tags=row["tags"]),
            **(overrides or {}),
            "parameters": {**row["parameters"], **(parameters or {})},
        })
        job, _ = await self.create(settings, user, schedule_id=row["schedule_id"],
                                   sweep_id=row["sweep_id"],
                                   snapshot_from=job_dirs.input_snapshot(row))
        return job

    async def delete(self, job_id: str) -> None:
        row = await self.get_row(job_id)
        if row["status"] not in FINAL:
            try:
                await self.stop(job_id)
            except Conflict:
                pass
            await self.wait_final(job_id, timeout=15)
        await self.store.delete([row["id"]])
        await asyncio.to_thread(job_dirs.remove, row["job_dir"], self.root_dir,
                                row["output_path"])

    async def bulk(self, action: str, job_ids: list[str]) -> dict[str, Any]:
        done, errors = [], {}
        act = {"stop": self.stop, "delete": self.delete}[action]
        for job_id in dict.fromkeys(job_ids):
            try:
                await act(job_id)
                done.append(job_id)
            except (NotFound, Conflict) as exc:
                errors[job_id] = {"message": exc.message, "reason": exc.reason}
        return {"done": done, "errors": errors}

    # -- restart safety -----------------------------------------------------------------
    async def reconcile(self) -> None:
        """On start: hand every run the store believes active to its backend, then dispatch."""
        rows = await self.store.running()
        by_backend: dict[str, list[ActiveRun]] = {}
        for row in rows:
            if row["backend"] not in self.backends:
                await self.on_finished(row["id"], row["attempts"], {"status": "failed", "error": {
                    "message": f"backend {row['backend']!r} is not configured on this server",
                    "reason": "backend_missing"}})
                continue
            by_backend.setdefault(row["backend"], []).append(ActiveRun(
                job_id=row["id"], attempt=row["attempts"], job_dir=Path(row["job_dir"]),
                handle=row["handle"] or {}))
        for name, runs in by_backend.items():
            await self.backends[name].reconcile(runs)
        await self.dispatch()

    async def close(self) -> None:
        for backend in self.backends.values():
            await backend.close()
