"""Jobs: create, rerun, list, bulk actions, the job resource, its outputs and log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .common import (
    Count,
    Env,
    JobSettings,
    JobStatus,
    JsonObject,
    Model,
    Name,
    Parameters,
    Seconds,
    StrictModel,
    Tag,
    Text,
    text,
)

SORT_KEYS = ("created_at", "name", "status")
IdempotencyKey = text(min_length=1, max_length=200)


class JobCreate(JobSettings):
    idempotency_key: IdempotencyKey | None = None


_RERUN_NULLABLE = frozenset({"name", "kernel_name", "timeout_seconds"})


class JobRerun(StrictModel):
    """Run again from the same input snapshot, changing any of these settings (left out: as
    before; null: as before, except name, kernel_name and timeout_seconds, where null is the
    create default: the notebook's name or kernel, no timeout). Parameters are merged over
    the earlier ones. The input notebook and whether its folder was packaged are the
    snapshot's, so they cannot change here."""

    name: Name | None = None
    kernel_name: Text | None = None
    backend: Text | None = None
    backend_options: JsonObject | None = None
    parameters: Parameters | None = None
    output_formats: list[Text] | None = None
    env: Env | None = None
    timeout_seconds: Seconds | None = Field(default=None, gt=0, allow_inf_nan=False)
    max_retries: Count | None = Field(default=None, ge=0, le=30)
    tags: list[Tag] | None = Field(default=None, max_length=50)

    def overrides(self) -> dict[str, Any]:
        """The settings this request changes, parameters aside."""
        return {k: getattr(self, k) for k in self.model_fields_set - {"parameters"}
                if getattr(self, k) is not None or k in _RERUN_NULLABLE}


class JobListQuery(StrictModel):
    """The filters, order and page of a job list (`GET /jobs` query arguments).

    A failed check raises a PydanticCustomError whose type names the error's reason."""

    model_config = ConfigDict(populate_by_name=True)

    statuses: list[JobStatus] = Field(default_factory=list, alias="status",
                                      description="comma-separated statuses")
    name: Text | None = Field(default=None, description="substring, case-insensitive")
    tag: Text | None = None
    schedule_id: Text | None = None
    sweep_id: Text | None = None
    updated_since: datetime | None = None
    sort: str = Field(default="-created_at",
                      description="created_at, name or status; '-' for descending")
    limit: int = Field(default=50, ge=1, le=500)
    cursor: Text | None = None

    @field_validator("statuses", mode="before")
    @classmethod
    def _statuses(cls, value):
        known = [s.value for s in JobStatus]
        out = []
        for raw in [value] if isinstance(value, str) else value or []:
            for status in str(getattr(raw, "value", raw)).split(","):
                if not status:
                    continue
                if status not in known:
                    raise PydanticCustomError(
                        "invalid_status", f"unknown status {status!r}; one of {known}")
                out.append(status)
        return out

    @field_validator("updated_since", mode="before")
    @classmethod
    def _updated_since(cls, value):
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise PydanticCustomError("invalid_value", "not an ISO-8601 time") from None
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value

    @field_validator("sort")
    @classmethod
    def _sort(cls, value):
        if value.removeprefix("-") not in SORT_KEYS:
            raise PydanticCustomError(
                "invalid_sort", f"must be one of {sorted(SORT_KEYS)} with an optional '-'")
        return value

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


class BulkRequest(StrictModel):
    ids: list[Text] = Field(min_length=1, max_length=1000)


class BulkResult(Model):
    done: list[str]
    errors: dict[str, dict[str, str]] = Field(default_factory=dict)


class Progress(Model):
    cells_done: int = 0
    cells_total: int = 0


class JobError(Model):
    message: str
    reason: str = "cell_error"
    cell_index: int | None = None
    ename: str | None = None
    evalue: str | None = None
    traceback: list[str] = Field(default_factory=list)


# A NULL in these store columns reads as this default.
_ROW_DEFAULTS = {"backend_options": dict, "parameters": dict, "output_formats": lambda: ["ipynb"],
                 "env": dict, "tags": list}


class Job(Model):
    # Also read from a store row: Job.model_validate(row), see _from_row.
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
    redacted: list[str] = Field(
        default_factory=list, description="fields stored (by an older version) with values "
        "an answer cannot hold: shown redacted (lone surrogates as U+FFFD, too deep as null, "
        "invalid as the default)")

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, data: Any) -> Any:
        """A store row is flat: its cells_done/cells_total become `progress`."""
        if not isinstance(data, Mapping) or "progress" in data or "cells_done" not in data:
            return data
        return {**data, **{k: make() for k, make in _ROW_DEFAULTS.items() if data.get(k) is None},
                "progress": {"cells_done": data["cells_done"], "cells_total": data["cells_total"]},
                "error": data.get("error") or None}


class JobPage(Model):
    jobs: list[Job]
    next_cursor: str | None = None


class OutputFile(Model):
    name: str = Field(description="Path inside the job's outputs folder")
    kind: str = Field(description="notebook, html, log, or file (written by the notebook)")
    size: int
    path: str = Field(description="Path relative to the server root, for the file browser")


class OutputList(Model):
    outputs: list[OutputFile]


class LogChunk(Model):
    text: str
    offset: int = Field(description="Byte offset to ask for next")
    size: int
    complete: bool = Field(description="True once the job is final and the whole log was read")
