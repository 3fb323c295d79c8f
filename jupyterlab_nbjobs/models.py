"""Pydantic v2 request/response models: the one source of the REST schema."""

from __future__ import annotations

import enum
import json
import keyword
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class JobStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    completed = "completed"
    failed = "failed"
    stopping = "stopping"
    stopped = "stopped"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.completed, JobStatus.failed, JobStatus.stopped})


class StrictModel(BaseModel):
    """Requests refuse unknown fields so a typo is a 400, not a silently ignored option."""

    model_config = ConfigDict(extra="forbid")


def check_parameters(value: dict[str, Any]) -> dict[str, Any]:
    for name, item in value.items():
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"parameter name {name!r} is not a Python identifier")
        try:
            json.dumps(item, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"parameter {name!r} is not a JSON value: {exc}") from None
    return value


def check_env(value: dict[str, str]) -> dict[str, str]:
    for name in value:
        if not name or "=" in name or "\0" in name or not name.replace("_", "a").isalnum():
            raise ValueError(f"environment variable name {name!r} is not valid")
        if name[0].isdigit():
            raise ValueError(f"environment variable name {name!r} starts with a digit")
    return value


class JobSettings(StrictModel):
    """What a job runs: shared by jobs, schedules and sweeps."""

    input_path: str = Field(description="Notebook path relative to the server root")
    name: str | None = Field(default=None, max_length=200)
    kernel_name: str | None = Field(default=None, description="Default: the notebook's kernel")
    backend: str = "local"
    backend_options: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    output_formats: list[str] = Field(default_factory=lambda: ["ipynb"])
    package_input_folder: bool = False
    env: dict[str, str] = Field(default_factory=dict)
    timeout_seconds: float | None = Field(default=None, gt=0)
    max_retries: int = Field(default=0, ge=0, le=30)
    tags: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value):
        return check_parameters(value)

    @field_validator("env")
    @classmethod
    def _env(cls, value):
        return check_env(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value):
        for tag in value:
            if not tag or len(tag) > 128:
                raise ValueError("tags must be 1 to 128 characters")
        return value

    @field_validator("input_path")
    @classmethod
    def _input_path(cls, value):
        if not value or "\0" in value:
            raise ValueError("input_path is empty")
        return value


class JobCreate(JobSettings):
    idempotency_key: str | None = Field(default=None, max_length=200)


class JobRerun(StrictModel):
    parameters: dict[str, Any] | None = None

    @field_validator("parameters")
    @classmethod
    def _parameters(cls, value):
        return None if value is None else check_parameters(value)


class BulkRequest(StrictModel):
    ids: list[str] = Field(min_length=1, max_length=1000)


class BulkResult(BaseModel):
    done: list[str]
    errors: dict[str, dict[str, str]] = Field(default_factory=dict)


class Progress(BaseModel):
    cells_done: int = 0
    cells_total: int = 0


class JobError(BaseModel):
    message: str
    reason: str = "cell_error"
    cell_index: int | None = None
    ename: str | None = None
    evalue: str | None = None
    traceback: list[str] = Field(default_factory=list)


class Job(BaseModel):
    id: str
    name: str
    input_path: str
    kernel_name: str
    backend: str
    backend_options: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any]
    output_formats: list[str]
    package_input_folder: bool
    env: dict[str, str]
    timeout_seconds: float | None
    max_retries: int
    tags: list[str]
    idempotency_key: str | None = None
    schedule_id: str | None = None
    sweep_id: str | None = None
    status: JobStatus
    progress: Progress
    attempts: int
    error: JobError | None = None
    output_path: str | None = Field(default=None, description="Outputs folder, relative to the server root")
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None


class JobPage(BaseModel):
    jobs: list[Job]
    next_cursor: str | None = None


class OutputFile(BaseModel):
    name: str = Field(description="Path inside the job's outputs folder")
    kind: str = Field(description="notebook, html, log, or file (written by the notebook)")
    size: int
    path: str = Field(description="Path relative to the server root, for the file browser")


class OutputList(BaseModel):
    outputs: list[OutputFile]


class LogChunk(BaseModel):
    text: str
    offset: int = Field(description="Byte offset to ask for next")
    size: int
    complete: bool = Field(description="True once the job is final and the whole log was read")


class KernelInfo(BaseModel):
    name: str
    display_name: str
    language: str | None = None


class OutputFormatInfo(BaseModel):
    name: str
    label: str


class BackendInfo(BaseModel):
    name: str
    label: str
    default: bool = False
    options: dict[str, Any] = Field(default_factory=dict, description="Form fields and defaults")


class Environments(BaseModel):
    kernels: list[KernelInfo]
    default_kernel: str | None
    output_formats: list[OutputFormatInfo]
    backends: list[BackendInfo]


class NotebookParameter(BaseModel):
    name: str
    inferred_type: str | None = None
    default: str | None = Field(default=None, description="The default as written in the cell")
    help: str = ""


class NotebookParameters(BaseModel):
    path: str
    kernel_name: str | None
    has_parameters_cell: bool
    parameters: list[NotebookParameter]


# -- schedules and sweeps (issue 3) -----------------------------------------------------------
class OverlapPolicy(str, enum.Enum):
    skip = "skip"
    allow = "allow"


class CatchupPolicy(str, enum.Enum):
    skip = "skip"
    once = "once"
    each = "each"


class ScheduleCreate(JobSettings):
    cron: str = Field(description="5-field cron or a preset: hourly, daily at HH:MM, "
                                  "weekdays at HH:MM, weekly, monthly, @daily, ...")
    timezone: str = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin")
    start_at: datetime | None = None
    end_at: datetime | None = None
    active: bool = True
    overlap_policy: OverlapPolicy = Field(
        default=OverlapPolicy.skip, description="skip a fire while the previous run is active")
    catchup_policy: CatchupPolicy = Field(
        default=CatchupPolicy.once,
        description="fires missed while no server ran (later than "
                    "NbJobsApp.misfire_grace_seconds): skip them, run once for all of them "
                    "(as the latest missed fire), or run each (the latest catchup_limit)")
    catchup_limit: int = Field(default=10, ge=1, le=1000,
                               description="with catchup_policy=each: at most this many runs")


class ScheduleUpdate(StrictModel):
    """Every field of ScheduleCreate, all optional: only the fields sent change."""

    input_path: str | None = None
    name: str | None = Field(default=None, max_length=200)
    kernel_name: str | None = None
    backend: str | None = None
    backend_options: dict[str, Any] | None = None
    parameters: dict[str, Any] | None = None
    output_formats: list[str] | None = None
    package_input_folder: bool | None = None
    env: dict[str, str] | None = None
    timeout_seconds: float | None = Field(default=None, gt=0)
    max_retries: int | None = Field(default=None, ge=0, le=30)
    tags: list[str] | None = None
    cron: str | None = None
    timezone: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    active: bool | None = None
    overlap_policy: OverlapPolicy | None = None
    catchup_policy: CatchupPolicy | None = None
    catchup_limit: int | None = Field(default=None, ge=1, le=1000)


class FireRecord(BaseModel):
    fire_time: datetime
    outcome: str = Field(description="run, skipped_overlap, skipped_missed or failed")
    job_id: str | None = None


class RemoteRun(BaseModel):
    """A run of a schedule that a remote service fires (a SageMaker pipeline execution)."""

    execution_arn: str | None = None
    status: str = Field(description="running, stopping, stopped, failed or completed")
    aws_status: str | None = None
    started_at: datetime | None = None
    display_name: str | None = None
    failure_reason: str | None = None


class Schedule(BaseModel):
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
    remote: dict[str, Any] | None = Field(
        default=None, description="the remote schedule (SageMaker pipeline and EventBridge "
        "schedule) that fires this one while no Jupyter server runs; null: fired by the server")
    remote_runs: list[RemoteRun] = Field(
        default_factory=list, description="runs started by the remote schedule, newest first "
        "(GET of one schedule only)")
    snapshot_at: datetime
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    warnings: list[str] = Field(default_factory=list)


class ScheduleList(BaseModel):
    schedules: list[Schedule]


class ScheduleRunRequest(JobRerun):
    """Run a schedule now: parameter overrides, checked like a rerun's."""


class RunResult(BaseModel):
    job: Job
    warnings: list[str] = Field(default_factory=list)


class CronCheck(StrictModel):
    cron: str
    timezone: str = "UTC"
    count: int = Field(default=5, ge=1, le=50)


class CronInfo(BaseModel):
    cron: str = Field(description="The expression after presets are expanded")
    description: str
    timezone: str
    next_fire_times: list[datetime]


class SweepCreate(JobSettings):
    grid: dict[str, list[Any]] = Field(
        default_factory=dict, description="values per parameter; every combination runs")
    combinations: list[dict[str, Any]] = Field(
        default_factory=list, description="explicit combinations, run after the grid's")

    @field_validator("grid")
    @classmethod
    def _grid(cls, value):
        check_parameters({k: v for k, v in value.items()})
        return value

    @field_validator("combinations")
    @classmethod
    def _combinations(cls, value):
        for combo in value:
            check_parameters(combo)
        return value


class SweepItem(BaseModel):
    parameters: dict[str, Any]
    job_id: str | None = None
    status: JobStatus | None = Field(default=None, description="None once the job is deleted")


class Sweep(BaseModel):
    id: str
    name: str
    input_path: str
    grid: dict[str, list[Any]]
    items: list[SweepItem]
    counts: dict[str, int] = Field(description="jobs per status")
    total: int
    done: bool = Field(description="every job is in a final state")
    created_by: str | None = None
    created_at: datetime
    warnings: list[str] = Field(default_factory=list)


class SweepList(BaseModel):
    sweeps: list[Sweep]
