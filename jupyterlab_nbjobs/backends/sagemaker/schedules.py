"""The SageMaker backend's schedule trigger: a one-step SageMaker pipeline (the training job
of backend.py) fired by an EventBridge Scheduler schedule in the user's time zone, so the
schedule runs while JupyterLab is off.

The backend builds it (`SageMakerBackend.schedule_trigger()`) from its own clients, config,
option resolution and tag policy. Every method is async and runs boto3 in a thread.

    trigger = backend.schedule_trigger()
    handle = await trigger.create(ScheduleRequest(...))
    await trigger.pause(handle); await trigger.resume(handle)
    handle = await trigger.update(handle, ScheduleRequest(...))
    runs = await trigger.list_runs(handle)
    await trigger.delete(handle)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ...aws.clients import AwsClients
from ...aws.errors import AwsNotFound, aws_errors
from ...aws.s3 import S3Uri, delete_keys, list_keys
from ...aws.tags import SCHEDULE_ID_TAG, TagPolicy
from ...errors import InvalidRequest
from ..base import ScheduleRequest, ScheduleTrigger
from .config import SageMakerConfig
from .cron import check_timezone, to_eventbridge
from .request import RunSettings, max_runtime, stage_inputs, training_job_request
from .studio import studio_tags

log = logging.getLogger(__name__)
STEP_NAME = "RunNotebook"
RUN_STATUS = {"Executing": "running", "Stopping": "stopping", "Stopped": "stopped",
              "Failed": "failed", "Succeeded": "completed"}


def resource_name(schedule_id: str, limit: int = 64) -> str:
    clean = re.sub(r"[^A-Za-z0-9]+", "-", str(schedule_id)).strip("-") or "schedule"
    name = f"nbjobs-{clean}"
    if len(name) > limit:
        digest = hashlib.sha1(str(schedule_id).encode()).hexdigest()[:8]
        name = f"{name[:limit - 9].rstrip('-')}-{digest}"
    return name


class SageMakerScheduleTrigger(ScheduleTrigger):
    def __init__(self, clients: AwsClients, config: SageMakerConfig,
                 resolve: Callable[[dict[str, Any]], RunSettings],
                 tag_policy: Callable[[], TagPolicy],
                 user_profile: Callable[[], str | None] = lambda: None):
        self.clients = clients
        self.config = config
        self.resolve = resolve  # backend_options -> the settings of the pipeline's job
        self.tag_policy = tag_policy
        self.user_profile = user_profile

    def _studio(self, req: ScheduleRequest, job_definition: str | None = None) -> dict[str, str]:
        notebook = str(req.spec.get("notebook") or "")
        return studio_tags(req.name or Path(notebook).stem, notebook, self.user_profile(),
                           job_definition)

    @property
    def _group(self) -> str:
        return self.config.schedule_group

    # -- the pieces ---------------------------------------------------------------------------
    def _definition(self, req: ScheduleRequest
                    ) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        """(pipeline definition, facts for the handle); stages the snapshot to S3."""
        settings = self.resolve(req.options)
        ours = {SCHEDULE_ID_TAG: req.schedule_id}
        policy = self.tag_policy()
        input_uri = settings.s3_input.child("schedules", req.schedule_id, "input")
        output_uri = settings.s3_output.child("schedules", req.schedule_id)
        s3 = self.clients.client("s3")
        uploaded: list[str] = []
        spec = dict(req.spec, job_id=req.schedule_id, attempt=1)
        try:
            with aws_errors("s3", bucket=input_uri.bucket, region=self.clients.region):
                staged = stage_inputs(s3, Path(req.job_dir), spec, settings, input_uri,
                                      policy.as_query(**ours), uploaded)
        except BaseException:
            _quietly(delete_keys, s3, input_uri.bucket, uploaded)
            raise
        tags = policy.as_list(**self._studio(req, resource_name(req.schedule_id)), **ours)
        arguments = training_job_request(
            None, spec, settings, input_uri, output_uri, tags,
            max_runtime(spec, settings, self.config.max_runtime_seconds), staged,
            self.clients.region)
        definition = {"Version": "2020-12-01", "Metadata": {}, "Parameters": [],
                      "Steps": [{"Name": STEP_NAME, "Type": "Training", "Arguments": arguments}]}
        facts = {"role_arn": settings.role_arn, "s3_input": str(input_uri),
                 "s3_output": str(output_uri)}
        return definition, facts, uploaded

    def _schedule_args(self, req: ScheduleRequest, pipeline_arn: str, role_arn: str) -> dict[str, Any]:
        # The schedule's window (the service's start_at/end_at); a start already past is left
        # out: the cron alone decides from now on.
        window: dict[str, Any] = {}
        start, end = req.start_at, req.end_at
        if start is not None and start > datetime.now(timezone.utc):
            window["StartDate"] = start
        if end is not None:
            window["EndDate"] = end
        return {**window,
            "Name": resource_name(req.schedule_id), "GroupName": self._group,
            "ScheduleExpression": to_eventbridge(req.cron),
            "ScheduleExpressionTimezone": check_timezone(req.timezone),
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": pipeline_arn,
                       "RoleArn": self.config.scheduler_role_arn or role_arn,
                       "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}},
            "State": "ENABLED" if req.enabled else "DISABLED",
            "Description": req.description[:512],
        }

    def _ensure_group(self) -> None:
        scheduler = self.clients.client("scheduler")
        try:
            scheduler.get_schedule_group(Name=self._group)
            return
        except scheduler.exceptions.ResourceNotFoundException:
            pass
        try:
            scheduler.create_schedule_group(Name=self._group, Tags=self.tag_policy().as_list())
        except scheduler.exceptions.ConflictException:
            pass  # made meanwhile by another server

    # -- the API ------------------------------------------------------------------------------
    async def create(self, req: ScheduleRequest) -> dict[str, Any]:
        to_eventbridge(req.cron), check_timezone(req.timezone)  # refuse before creating anything
        return await asyncio.to_thread(self._create, req)

    def _create(self, req: ScheduleRequest) -> dict[str, Any]:
        sagemaker, scheduler = self.clients.client("sagemaker"), self.clients.client("scheduler")
        name = resource_name(req.schedule_id)
        created: list[str] = []
        uploaded: list[str] = []
        try:
            definition, facts, uploaded = self._definition(req)
            with aws_errors("sagemaker"):
                pipeline_arn = sagemaker.create_pipeline(
                    PipelineName=name, PipelineDisplayName=name, PipelineDefinition=json.dumps(definition),
                    PipelineDescription=f"nbjobs schedule {req.schedule_id}", RoleArn=facts["role_arn"],
                    Tags=self.tag_policy().as_list(**self._studio(req),
                                                   **{SCHEDULE_ID_TAG: req.schedule_id}),
                )["PipelineArn"]
            created.append("pipeline")
            with aws_errors("scheduler"):
                self._ensure_group()
                schedule_arn = scheduler.create_schedule(
                    **self._schedule_args(req, pipeline_arn, facts["role_arn"]),
                    ClientToken=uuid.uuid4().hex)["ScheduleArn"]
        except BaseException:
            if created:
                _quietly(sagemaker.delete_pipeline, PipelineName=name, ClientRequestToken=uuid.uuid4().hex)
            if uploaded:
                _quietly(delete_keys, self.clients.client("s3"), S3Uri.parse(facts["s3_input"]).bucket, uploaded)
            raise
        return {"pipeline_name": name, "pipeline_arn": pipeline_arn, "schedule_name": name,
                "schedule_arn": schedule_arn, "group": self._group, "region": self.clients.region,
                "expression": to_eventbridge(req.cron), "timezone": req.timezone, **facts}

    async def update(self, handle: dict[str, Any], req: ScheduleRequest) -> dict[str, Any]:
        """New snapshot/settings/cron/zone: re-stage, update the pipeline and the schedule."""
        to_eventbridge(req.cron), check_timezone(req.timezone)
        return await asyncio.to_thread(self._update, handle, req)

    def _update(self, handle: dict[str, Any], req: ScheduleRequest) -> dict[str, Any]:
        sagemaker, scheduler = (self.clients.client(s) for s in ("sagemaker", "scheduler"))
        s3 = self.clients.client("s3")
        old = S3Uri.parse(handle["s3_input"]) if handle.get("s3_input") else None
        with aws_errors("s3"):
            before = list_keys(s3, old.bucket, old.prefix + "/") if old else []
        definition, facts, uploaded = self._definition(req)
        with aws_errors("sagemaker"):
            sagemaker.update_pipeline(PipelineName=handle["pipeline_name"],
                                      PipelineDefinition=json.dumps(definition), RoleArn=facts["role_arn"])
        with aws_errors("scheduler"):
            scheduler.update_schedule(**self._schedule_args(req, handle["pipeline_arn"], facts["role_arn"]))
        if old is not None:  # files of the old snapshot that the new one does not have
            stale = [k for k in before if k not in set(uploaded)] if facts["s3_input"] == str(old) else before
            _quietly(delete_keys, s3, old.bucket, stale)
        return {**handle, "expression": to_eventbridge(req.cron), "timezone": req.timezone, **facts}

    async def pause(self, handle: dict[str, Any]) -> None:
        await asyncio.to_thread(self._set_state, handle, "DISABLED")

    async def resume(self, handle: dict[str, Any]) -> None:
        await asyncio.to_thread(self._set_state, handle, "ENABLED")

    def _set_state(self, handle: dict[str, Any], state: str) -> None:
        scheduler = self.clients.client("scheduler")
        with aws_errors("scheduler"):
            got = scheduler.get_schedule(Name=handle["schedule_name"], GroupName=handle["group"])
            args = {k: got[k] for k in ("Name", "GroupName", "ScheduleExpression", "FlexibleTimeWindow",
                                        "Target", "ScheduleExpressionTimezone", "Description",
                                        "StartDate", "EndDate", "KmsKeyArn") if got.get(k)}
            scheduler.update_schedule(**args, State=state)

    async def delete(self, handle: dict[str, Any]) -> None:
        """Schedule first (no new runs), then the pipeline, then the staged snapshot."""
        await asyncio.to_thread(self._delete, handle)

    def _delete(self, handle: dict[str, Any]) -> None:
        sagemaker, scheduler = (self.clients.client(s) for s in ("sagemaker", "scheduler"))
        for call in (lambda: scheduler.delete_schedule(Name=handle["schedule_name"], GroupName=handle["group"]),
                     lambda: sagemaker.delete_pipeline(PipelineName=handle["pipeline_name"],
                                                       ClientRequestToken=uuid.uuid4().hex)):
            try:
                with aws_errors():
                    call()
            except AwsNotFound:
                pass  # already gone: deleting is idempotent
        if handle.get("s3_input"):
            uri = S3Uri.parse(handle["s3_input"])
            s3 = self.clients.client("s3")
            with aws_errors("s3", bucket=uri.bucket):
                delete_keys(s3, uri.bucket, list_keys(s3, uri.bucket, uri.prefix.rsplit("/input", 1)[0] + "/"))

    async def list_runs(self, handle: dict[str, Any], limit: int = 50) -> list[dict[str, Any]]:
        """The schedule's runs, newest first, from the pipeline's executions."""
        if not 1 <= limit <= 100:
            raise InvalidRequest("limit must be 1-100", field="limit")

        def read() -> list[dict[str, Any]]:
            with aws_errors("sagemaker"):
                got = self.clients.client("sagemaker").list_pipeline_executions(
                    PipelineName=handle["pipeline_name"], SortBy="CreationTime", SortOrder="Descending",
                    MaxResults=limit)
            runs = []
            for item in got.get("PipelineExecutionSummaries") or []:
                started = item.get("StartTime")
                runs.append({
                    "execution_arn": item.get("PipelineExecutionArn"),
                    "status": RUN_STATUS.get(item.get("PipelineExecutionStatus"), "running"),
                    "aws_status": item.get("PipelineExecutionStatus"),
                    "started_at": started.isoformat() if hasattr(started, "isoformat") else started,
                    "display_name": item.get("PipelineExecutionDisplayName"),
                    "failure_reason": item.get("PipelineExecutionFailureReason") or None,
                })
            # Newest first even where the service (moto) ignores SortOrder.
            runs.sort(key=lambda r: str(r["started_at"] or ""), reverse=True)
            return runs
        return await asyncio.to_thread(read)

    async def run_training_job(self, execution_arn: str) -> str | None:
        """The training job a pipeline run made (for fetching its outputs), if it made one yet."""
        def read() -> str | None:
            with aws_errors("sagemaker"):
                steps = self.clients.client("sagemaker").list_pipeline_execution_steps(
                    PipelineExecutionArn=execution_arn)
            for step in steps.get("PipelineExecutionSteps") or []:
                arn = ((step.get("Metadata") or {}).get("TrainingJob") or {}).get("Arn")
                if arn:
                    return arn.rsplit("/", 1)[-1]
            return None
        return await asyncio.to_thread(read)

    async def run_handle(self, handle: dict[str, Any], run: dict[str, Any]) -> dict[str, Any] | None:
        """What SageMakerBackend.reconcile() needs to watch a pipeline run's training job and
        bring its outputs home (its S3OutputPath is the schedule's)."""
        name = await self.run_training_job(run["execution_arn"])
        if name is None:
            return None
        return {"training_job_name": name, "s3_output": handle["s3_output"],
                "region": handle.get("region"), "pipeline_execution_arn": run["execution_arn"]}


def _quietly(call, *args, **kwargs) -> None:
    """Best-effort clean-up: the error being reported is the one that matters."""
    try:
        call(*args, **kwargs)
    except Exception:  # noqa: BLE001
        log.warning("nbjobs: clean-up step %s failed", getattr(call, "__name__", call), exc_info=True)
