"""Runs side by side: a sweep's or a schedule's jobs with what each recorded."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .common import Model
from .jobs import Job


class ComparedRun(Model):
    job: Job
    values: dict[str, Any] = Field(
        default_factory=dict, description="what the run recorded with scrapbook's glue "
        "(or papermill's record), by name; the last one of a name wins")
    duration_seconds: float | None = Field(default=None, description="start to end")
    notebook_path: str | None = Field(
        default=None, description="the executed notebook, relative to the server root")


class Comparison(Model):
    parameters: list[str] = Field(description="parameter names, those that differ first")
    varied: list[str] = Field(description="the parameters whose values differ between runs")
    values: list[str] = Field(description="recorded value names, in the order first seen")
    runs: list[ComparedRun] = Field(description="oldest first")
    truncated: bool = Field(description="more runs exist than the comparison holds")
