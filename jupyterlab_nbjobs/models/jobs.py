"""Jobs: create, rerun, bulk actions, the job resource, its outputs and log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from .common import JobSettings, JobStatus, StrictModel, check_parameters


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
