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
