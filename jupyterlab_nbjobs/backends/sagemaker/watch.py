"""Watching training jobs: one poll task for every attempt this process tracks.

It batches the status checks (Search, boto3 off the event loop), backs off while nothing
changes, notes each secondary status in the job's log, and when a training job ends brings its
output.tar.gz home into the job's output_dir and reports on_finished.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...aws.clients import AwsClients
from ...aws.errors import aws_errors
from ...aws.s3 import S3Uri
from ...errors import NbJobsError
from ...runner.contract import RESULT_FILE, RunnerResult, write_json_atomic
from ..base import BackendEvents
from .config import SageMakerConfig
from .outputs import build_result, collect_outputs
from .progress import StatusLog
from .status import FINAL_STATES, describe_many

log = logging.getLogger(__name__)
SCRATCH = ".sagemaker"  # inside JOB_DIR: the downloaded tarball before extraction


@dataclass
class Tracked:
    job_id: str
    attempt: int
    job_dir: Path
    name: str
    output_uri: S3Uri
    spec: dict[str, Any]
    last_status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    status_log: StatusLog | None = None


class TrainingJobWatcher:
    def __init__(self, clients: AwsClients, settings: SageMakerConfig, events: BackendEvents):
        self.clients = clients
        self.settings = settings
        self.events = events
        self._tracked: dict[str, Tracked] = {}
        self._poller: asyncio.Task | None = None
        self._wake: asyncio.Event | None = None

    def track(self, job_id: str, attempt: int, job_dir: Path, name: str, out: S3Uri,
              spec: dict[str, Any]) -> None:
        log_path = None
        if spec.get("output_dir") and spec.get("output_stem"):
            log_path = Path(spec["output_dir"]) / f"{spec['output_stem']}.log"
        self._tracked[job_id] = Tracked(job_id, attempt, job_dir, name, out, spec,
                                        status_log=StatusLog(log_path) if log_path else None)

    def watches(self, job_id: str) -> bool:
        return job_id in self._tracked

    def job_ids(self) -> list[str]:
        return list(self._tracked)

    def training_job(self, job_id: str) -> str | None:
        tracked = self._tracked.get(job_id)
        return tracked.name if tracked else None

    def kick(self) -> None:
        """Look now (a job started, stopped or was adopted), and keep looking while any is
        tracked."""
        if not self._tracked:
            return
        if self._wake is None:
            self._wake = asyncio.Event()
        self._wake.set()
        if self._poller is None or self._poller.done():
            self._poller = asyncio.ensure_future(self._poll_loop())

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    async def _poll_loop(self) -> None:
        base, most = self.settings.poll_interval, self.settings.poll_max_interval
        interval = base
        while self._tracked:
            assert self._wake is not None
            self._wake.clear()
            try:
                changed = await self.poll_once()
            except Exception:  # noqa: BLE001 - one bad report must not stop watching the rest
                log.exception("nbjobs: SageMaker poll failed")
                changed = False
            interval = base if changed else min(most, interval * 1.5)
            # asyncio.wait, not wait_for: on 3.11 wait_for can swallow a cancel (close()).
            waiter = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({waiter}, timeout=interval)
            finally:
                waiter.cancel()

    async def poll_once(self) -> bool:
        """One batched status check of every tracked job; True when anything changed."""
        tracked = list(self._tracked.values())
        if not tracked:
            return False
        try:
            found = await asyncio.to_thread(describe_many, self.clients.client("sagemaker"),
                                            [t.name for t in tracked])
        except NbJobsError as exc:
            log.warning("nbjobs: SageMaker status poll failed: %s", exc.message)
            return False
        changed = False
        for t in tracked:
            desc = found.get(t.name) or {}
            status = desc.get("TrainingJobStatus")
            if status != t.last_status:
                changed, t.last_status = True, status
            if t.status_log is not None and desc:
                await asyncio.to_thread(t.status_log.note, desc)
            if status in FINAL_STATES or status is None:
                await self._finish(t, desc)
        return changed

    async def _finish(self, t: Tracked, desc: dict[str, Any]) -> None:
        try:
            result = await asyncio.to_thread(self._collect, t, desc)
        except Exception as exc:  # noqa: BLE001 - report, never lose the job
            log.exception("nbjobs: collecting %s failed", t.name)
            result = {"status": "failed", "attempt": t.attempt, "outputs": [],
                      "error": {"message": f"could not collect the outputs of {t.name}: {exc}",
                                "reason": "runner_error"}}
        self._tracked.pop(t.job_id, None)
        await self.events.on_finished(t.job_id, t.attempt, result)

    def _collect(self, t: Tracked, desc: dict[str, Any]) -> RunnerResult:
        if desc.get("TrainingJobStatus") is None:
            return {"status": "failed", "attempt": t.attempt, "outputs": [], "error": {
                "message": f"the training job {t.name} no longer exists", "reason": "runner_died"}}
        problems: list[str] = []
        extracted = driver = None
        output_dir = t.spec.get("output_dir")
        if output_dir:
            key = t.output_uri.key(t.name, "output", "output.tar.gz")
            try:
                with aws_errors("s3", bucket=t.output_uri.bucket):
                    extracted, driver = collect_outputs(
                        self.clients.client("s3"), t.output_uri.bucket, key, Path(output_dir),
                        t.job_dir / SCRATCH, t.spec, desc)
                if extracted is None:
                    problems.append(f"no outputs at s3://{t.output_uri.bucket}/{key}")
            except NbJobsError as exc:
                problems.append(f"downloading outputs failed: {exc.message}")
        result = build_result(desc, t.attempt, extracted, problems, driver)
        try:
            write_json_atomic(t.job_dir / RESULT_FILE, result)
        except OSError:
            pass  # the job directory was deleted meanwhile; the event still carries the result
        return result
