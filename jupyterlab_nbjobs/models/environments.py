"""What the create-job form offers: kernels, formats, backends, a notebook's parameters."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


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
