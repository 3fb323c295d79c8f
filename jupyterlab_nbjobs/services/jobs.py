"""The job service: the rules of a job's life and the one writer of job state."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..backends.base import ActiveRun, Backend, RunRequest
from ..errors import Conflict, InvalidRequest, NotFound
from ..models import FINAL_STATUSES, Job, JobCreate, JobSettings, JobStatus
from ..runner.contract import SPEC_FILE, WORK_DIR, RunnerResult, RunnerSpec, write_json_atomic
from ..store import JobStore
from ..store.jobs import JobQuery
from ..store.tables import utcnow
from . import inputs
from .views import job_from_row

log = logging.getLogger(__name__)

INPUT_DIR = "input"  # the pristine snapshot; work/ is copied from it for every attempt
FINAL = {s.value for s in FINAL_STATUSES}
KERNEL_SPECS_TTL = 5.0  # seconds: a kernel installed meanwhile shows up this soon


class JobService:
    def __init__(self, store: JobStore, root_dir: str, staging_dir: str, outputs_folder: str,
                 kernel_specs: Callable[[], dict[str, Any]]):
        self.store = store
        self.root_dir = root_dir
        self.staging_dir = Path(staging_dir)
        self.outputs_folder = outputs_folder
        self._read_kernel_specs = kernel_specs
        self._kernel_specs: tuple[float, dict[str, Any]] | None = None
        self.backends: dict[str, Backend] = {}
        self.default_backend = "local"
        self._dispatch_lock = asyncio.Lock()
        self._finished_waiters: dict[str, list[asyncio.Future]] = {}
        self.listeners: list[Callable[[Job], Any]] = []  # told of every final state

    def kernel_specs(self) -> dict[str, Any]:
        """Installed kernelspecs, re-read at most every few seconds: every create needs them,
        and reading them walks several folders of JSON files."""
        now = time.monotonic()
        if self._kernel_specs is None or now - self._kernel_specs[0] > KERNEL_SPECS_TTL:
            self._kernel_specs = (now, self._read_kernel_specs())
        return self._kernel_specs[1]

    def add_backend(self, backend: Backend, default: bool = False) -> None:
        self.backends[backend.name] = backend
        if default:
            self.default_backend = backend.name

    # -- creating -----------------------------------------------------------------------
    async def create(self, request: JobCreate | JobSettings, user: str | None, *,
                     schedule_id: str | None = None, sweep_id: str | None = None,
                     snapshot_from: Path | None = None) -> tuple[Job, bool]:
        """Validate, snapshot and queue a job. Returns (job, created)."""
        key = getattr(request, "idempotency_key", None)
        if key:
            existing = await asyncio.to_thread(self.store.get_by_idempotency_key, key)
            if existing:
                return job_from_row(existing), False
        values = await asyncio.to_thread(
            self._prepare, request, user, schedule_id, sweep_id, snapshot_from
        )
        try:
            row, created = await asyncio.to_thread(self.store.insert, values)
        except Exception:
            shutil.rmtree(values["job_dir"], ignore_errors=True)
            raise
        if not created:
            shutil.rmtree(values["job_dir"], ignore_errors=True)
        else:
            await self.dispatch()
        return job_from_row(row), created

    def validate(self, request: JobSettings, snapshot_from: Path | None = None) -> dict[str, Any]:
        """Every check of a create request that needs no writing; returns resolved fields."""
        backend_name = request.backend or self.default_backend
        backend = self.backends.get(backend_name)
        if backend is None:
            raise InvalidRequest(
                f"unknown backend {backend_name!r}; available: {', '.join(self.backends)}",
                reason="unknown_backend", field="backend",
            )
        options = backend.validate_options(dict(request.backend_options))
        if snapshot_from is None:
            notebook, nb = inputs.read_notebook(self.root_dir, request.input_path)
            kernel = request.kernel_name or inputs.notebook_kernel(nb)
        else:
            notebook, kernel = None, request.kernel_name
        specs = self.kernel_specs()
        if not kernel:
            kernel = "python3" if "python3" in specs else next(iter(sorted(specs)), None)
        inputs.check_kernel(kernel, specs)
        return {"backend": backend_name, "backend_options": options, "notebook": notebook,
                "kernel_name": kernel,
                "output_formats": inputs.check_output_formats(request.output_formats)}

    def _prepare(self, request: JobSettings, user: str | None, schedule_id: str | None,
                 sweep_id: str | None, snapshot_from: Path | None) -> dict[str, Any]:
        checked = self.validate(request, snapshot_from)
        job_id = uuid.uuid4().hex
        job_dir = self.staging_dir / job_id
        if snapshot_from is not None:
            inputs.copy_snapshot(snapshot_from, job_dir / INPUT_DIR)
        else:
            outputs_root = Path(self.root_dir) / self.outputs_folder
            inputs.take_snapshot(checked["notebook"], request.package_input_folder,
                                 job_dir / INPUT_DIR, skip_dirs=(outputs_root,))
        name = request.name or Path(request.input_path).stem
        output_path = f"{self.outputs_folder}/{inputs.slug(name)}-{job_id[:8]}"
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
        async with self._dispatch_lock:
            for backend in self.backends.values():
                cap = backend.capacity()
                room = 1000 if cap is None else cap - await asyncio.to_thread(
                    self.store.count_active, backend.name)
                if room <= 0:
                    continue
                claimed = await asyncio.to_thread(self.store.claim_queued, backend.name, room)
                for row in claimed:
                    await self._start(backend, row)

    async def _start(self, backend: Backend, row: dict[str, Any]) -> None:
        try:
            run = await asyncio.to_thread(self._prepare_attempt, row)
            await backend.start(run)
        except Exception as exc:
            log.exception("could not start job %s", row["id"])
            await self.on_finished(row["id"], row["attempts"], {
                "status": "failed", "error": {"message": f"could not start: {exc}",
                                              "reason": "start_failed"}})

    def _prepare_attempt(self, row: dict[str, Any]) -> RunRequest:
        job_dir = Path(row["job_dir"])
        inputs.copy_snapshot(job_dir / INPUT_DIR, job_dir / WORK_DIR)
        for stale in ("result.json", "progress.json", "runner.json"):
            (job_dir / stale).unlink(missing_ok=True)
        output_dir = Path(self.root_dir) / row["output_path"]
        output_dir.mkdir(parents=True, exist_ok=True)
        notebook = Path(row["input_path"]).name
        spec: RunnerSpec = {
            "job_id": row["id"], "attempt": row["attempts"], "notebook": notebook,
            "kernel_name": row["kernel_name"], "parameters": row["parameters"],
            "output_formats": row["output_formats"], "env": row["env"],
            "timeout_seconds": row["timeout_seconds"], "output_dir": str(output_dir),
            "output_stem": Path(notebook).stem,
        }
        write_json_atomic(job_dir / SPEC_FILE, spec)
        return RunRequest(job_id=row["id"], attempt=row["attempts"], job_dir=job_dir,
                          spec=spec, options=row["backend_options"])

    # -- events from backends (BackendEvents) --------------------------------------------
    async def on_started(self, job_id: str, attempt: int, handle: dict[str, Any]) -> None:
        await asyncio.to_thread(self.store.update, job_id, handle=handle,
                                only_if_status=("running", "stopping"))

    async def on_progress(self, job_id: str, cells_done: int, cells_total: int) -> None:
        await asyncio.to_thread(self.store.update, job_id, cells_done=cells_done,
                                cells_total=cells_total, only_if_status=("running", "stopping"))

    async def on_finished(self, job_id: str, attempt: int, result: RunnerResult) -> None:
        row = await asyncio.to_thread(self.store.get, job_id)
        if row is None or row["status"] in FINAL or row["attempts"] != attempt:
            self._wake(job_id)
            return
        status = result.get("status", "failed")
        error = result.get("error")
        progress = {k: result[k] for k in ("cells_done", "cells_total") if k in result}
        retry = (status == "failed" and row["status"] == "running"
                 and (error or {}).get("reason") != "stopped"
                 and row["attempts"] <= row["max_retries"])
        if retry:
            await asyncio.to_thread(self.store.update, job_id, status="queued", error=error,
                                    only_if_status=("running",), **progress)
        else:
            if status not in FINAL:
                status = "failed"
            await asyncio.to_thread(self.store.update, job_id, status=status, error=error,
                                    ended_at=utcnow(), only_if_status=("running", "stopping"),
                                    **progress)
        self._wake(job_id)
        if not retry:
            job = await self.get(job_id)
            for listener in list(self.listeners):
                try:
                    result_ = listener(job)
                    if asyncio.iscoroutine(result_):
                        await result_
                except Exception:
                    log.exception("job listener failed")
        await self.dispatch()

    def _wake(self, job_id: str) -> None:
        for fut in self._finished_waiters.pop(job_id, []):
            if not fut.done():
                fut.set_result(None)

    async def wait_final(self, job_id: str, timeout: float) -> None:
        fut = asyncio.get_running_loop().create_future()
        self._finished_waiters.setdefault(job_id, []).append(fut)
        row = await asyncio.to_thread(self.store.get, job_id)
        if row is None or row["status"] in FINAL:
            return
        try:
            await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            pass

    # -- reading ------------------------------------------------------------------------
    async def get_row(self, job_id: str) -> dict[str, Any]:
        row = await asyncio.to_thread(self.store.get, job_id)
        if row is None:
            raise NotFound(f"no job with id {job_id!r}", reason="job_not_found")
        return row

    async def get(self, job_id: str) -> Job:
        return job_from_row(await self.get_row(job_id))

    async def list(self, query: JobQuery) -> tuple[list[Job], str | None]:
        rows, cursor = await asyncio.to_thread(self.store.list, query)
        return [job_from_row(r) for r in rows], cursor

    # -- acting -------------------------------------------------------------------------
    async def stop(self, job_id: str) -> Job:
        row = await self.get_row(job_id)
        if row["status"] in FINAL:
            raise Conflict(f"job {job_id} is already {row['status']}", reason="job_finished")
        if row["status"] == "queued":
            if await asyncio.to_thread(self.store.update, job_id, status="stopped",
                                       ended_at=utcnow(), only_if_status=("queued",)):
                return await self.get(job_id)
            row = await self.get_row(job_id)  # it was claimed meanwhile: stop the run
        if row["status"] == "running":
            await asyncio.to_thread(self.store.update, job_id, status="stopping",
                                    only_if_status=("running",))
        backend = self.backends.get(row["backend"])
        if backend is not None:
            if not backend.reaches(job_id):
                # Another server started this run: adopt it here so the stop reaches it.
                await backend.reconcile([ActiveRun(
                    job_id=job_id, attempt=row["attempts"], job_dir=Path(row["job_dir"]),
                    handle=row["handle"] or {})])
            await backend.stop(job_id)
        return await self.get(job_id)

    async def rerun(self, job_id: str, parameters: dict[str, Any] | None, user: str | None
                    ) -> Job:
        row = await self.get_row(job_id)
        settings = JobSettings(
            input_path=row["input_path"], name=row["name"], kernel_name=row["kernel_name"],
            backend=row["backend"], backend_options=row["backend_options"],
            parameters={**row["parameters"], **(parameters or {})},
            output_formats=row["output_formats"],
            package_input_folder=row["package_input_folder"], env=row["env"],
            timeout_seconds=row["timeout_seconds"], max_retries=row["max_retries"],
            tags=row["tags"],
        )
        job, _ = await self.create(settings, user, schedule_id=row["schedule_id"],
                                   sweep_id=row["sweep_id"],
                                   snapshot_from=Path(row["job_dir"]) / INPUT_DIR)
        return job

    async def delete(self, job_id: str) -> None:
        row = await self.get_row(job_id)
        if row["status"] not in FINAL:
            try:
                await self.stop(job_id)
            except Conflict:
                pass
            await self.wait_final(job_id, timeout=15)
        await asyncio.to_thread(self._delete_files_and_row, row)

    def _delete_files_and_row(self, row: dict[str, Any]) -> None:
        self.store.delete([row["id"]])
        shutil.rmtree(row["job_dir"], ignore_errors=True)
        if row["output_path"]:
            shutil.rmtree(Path(self.root_dir) / row["output_path"], ignore_errors=True)

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
        rows = await asyncio.to_thread(self.store.active)
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


def job_status(value: str) -> JobStatus:
    try:
        return JobStatus(value)
    except ValueError:
        raise InvalidRequest(
            f"unknown status {value!r}; one of {[s.value for s in JobStatus]}",
            reason="invalid_status", field="status",
        ) from None
