"""Parameter sweeps: a grid or explicit combinations, one job per combination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from .common import JobSettings, JobStatus, Model, check_json_value, check_parameters


class SweepCreate(JobSettings):
    grid: dict[str, list[Any]] = Field(
        default_factory=dict, description="values per parameter; every combination runs")
    combinations: list[dict[str, Any]] = Field(
        default_factory=list, description="explicit combinations, run after the grid's")

    @field_validator("grid")
    @classmethod
    def _grid(cls, value):
        check_parameters(dict.fromkeys(value))  # the names, then the values as one field
        return check_json_value(value)

    @field_validator("combinations")
    @classmethod
    def _combinations(cls, value):
        for combo in value:
            check_parameters(dict.fromkeys(combo))
        return check_json_value(value)


class SweepItem(Model):
    parameters: dict[str, Any]
    job_id: str | None = None
    status: JobStatus | None = Field(default=None, description="None once the job is deleted")


class Sweep(Model):
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
    redacted: list[str] = Field(
        default_factory=list, description="fields stored (by an older version) with values "
        "an answer cannot hold: shown redacted")


class SweepList(Model):
    sweeps: list[Sweep]
