"""Pieces every resource shares: strict requests, the job statuses, value checks, JobSettings."""

from __future__ import annotations

import enum
import json
import keyword
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class JobStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    completed = "completed"
    failed = "failed"
    stopping = "stopping"
    stopped = "stopped"


# JobStatus is a str enum, so these sets also answer for plain strings ("failed" in ...).
FINAL_STATUSES = frozenset({JobStatus.completed, JobStatus.failed, JobStatus.stopped})
RUNNING_STATUSES = frozenset({JobStatus.running, JobStatus.stopping})  # a backend holds the run
ACTIVE_STATUSES = frozenset({JobStatus.queued, *RUNNING_STATUSES})  # not final yet


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
