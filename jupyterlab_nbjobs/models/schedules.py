"""Schedules: cron settings, policies, fires, runs and cron checks."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import Field, StrictBool

from .common import (
    Count,
    Env,
    JobSettings,
    JsonObject,
    Model,
    Name,
    Parameters,
    Seconds,
    StrictModel,
    Tag,
    Text,
)
from .jobs import Job, JobRerun


class OverlapPolicy(str, enum.Enum):
    skip = "skip"
    allow = "allow"


class CatchupPolicy(str, enum.Enum):
    skip = "skip"
    once = "once"
    each = "each"


class ScheduleCreate(JobSettings):
    cron: Text = Field(description="5-field cron or a preset: hourly, daily at HH:MM, "
                                   "weekdays at HH:MM, weekly, monthly, @daily, ...")
    timezone: Text = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin")
    start_at: datetime | None = None
    end_at: datetime | None = None
    active: StrictBool = True
    overlap_policy: OverlapPolicy = Field(
        default=OverlapPolicy.skip, description="skip a fire while the previous run is active")
    catchup_policy: CatchupPolicy = Field(
        default=CatchupPolicy.once,
        description="fires missed while no server ran (later than "
                    "NbJobsApp.misfire_grace_seconds): skip them, run once for all of them "
                    "(as the latest missed fire), or run each (the latest catchup_limit)")
    catchup_limit: Count = Field(default=10, ge=1, le=1000,
                               description="with catchup_policy=each: at most this many runs")


class ScheduleUpdate(StrictModel):
    """Every field of ScheduleCreate, all optional: only the fields sent change."""

    input_path: Text | None = None
    name: Name | None = None
    kernel_name: Text | None = None
    backend: Text | None = None
    backend_options: JsonObject | None = None
    parameters: Parameters | None = None
    output_formats: list[Text] | None = None
    package_input_folder: StrictBool | None = None
    env: Env | None = None
    timeout_seconds: Seconds | None = Field(default=None, gt=0, allow_inf_nan=False)
    max_retries: Count | None = Field(default=None, ge=0, le=30)
    tags: list[Tag] | None = Field(default=None, max_length=50)
    cron: Text | None = None
    timezone: Text | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    active: StrictBool | None = None
    overlap_policy: OverlapPolicy | None = None
    catchup_policy: CatchupPolicy | None = None
    catchup_limit: Count | None = Field(default=None, ge=1, le=1000)


class FireRecord(Model):
    fire_time: datetime
    outcome: str = Field(description="run, skipped_overlap, skipped_missed or failed")
    job_id: str | None = None


class TriggerRun(Model):
    """A run started by a schedule's cloud trigger (a SageMaker pipeline execution)."""

    execution_arn: str | None = None
    status: str = Field(description="running, stopping, stopped, failed or completed")
    aws_status: str | None = None
    started_at: datetime | None = None
    display_name: str | None = None
    failure_reason: str | None = None


class Schedule(Model):
    id: str
    name: str
    input_path: str
    kernel_name: str | None
    backend: str
    backend_options: dict[str, Any]
    parameters: dict[str, Any]
    output_formats: list[str]
    package_input_folder: bool
    env: dict[str, str]
    timeout_seconds: float | None
    max_retries: int
    tags: list[str]
    cron: str
    cron_description: str
    timezone: str
    start_at: datetime | None = None
    end_at: datetime | None = None
    active: bool
    overlap_policy: OverlapPolicy
    catchup_policy: CatchupPolicy
    catchup_limit: int
    next_fire_at: datetime | None = None
    next_fire_times: list[datetime] = Field(default_factory=list)
    last_runs: list[Job] = Field(default_factory=list)
    recent_fires: list[FireRecord] = Field(default_factory=list)
    trigger_handle: dict[str, Any] | None = Field(
        default=None, description="the backend's cloud trigger (SageMaker: pipeline and "
        "EventBridge schedule) that fires this schedule while no Jupyter server runs; null: "
        "fired by the Jupyter server's scheduler")
    trigger_runs: list[TriggerRun] = Field(
        default_factory=list, description="runs started by the cloud trigger, newest first "
        "(GET of one schedule only)")
    snapshot_at: datetime
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    warnings: list[str] = Field(default_factory=list)
    redacted: list[str] = Field(
        default_factory=list, description="fields stored (by an older version) with values "
        "an answer cannot hold: shown redacted")


class ScheduleList(Model):
    schedules: list[Schedule]


class ScheduleRunRequest(JobRerun):
    """Run a schedule now from its snapshot: this run's settings, changed like a rerun's."""


class RunResult(Model):
    job: Job
    warnings: list[str] = Field(default_factory=list)


class CronCheck(StrictModel):
    cron: Text
    timezone: Text = "UTC"
    count: Count = Field(default=5, ge=1, le=50)


class CronInfo(Model):
    cron: str = Field(description="The expression after presets are expanded")
    description: str
    timezone: str
    next_fire_times: list[datetime]
