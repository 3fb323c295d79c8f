"""What the create-job form offers: kernels, formats, backends, a notebook's parameters."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from .common import Model


class KernelInfo(Model):
    name: str
    display_name: str
    language: str | None = None


class OutputFormatInfo(Model):
    name: str
    label: str


class BackendInfo(Model):
    name: str
    label: str
    default: bool = False
    options: dict[str, Any] = Field(default_factory=dict, description="Form fields and defaults")


class Environments(Model):
    kernels: list[KernelInfo]
    default_kernel: str | None
    output_formats: list[OutputFormatInfo]
    backends: list[BackendInfo]


class NotebookParameter(Model):
    name: str
    inferred_type: str | None = None
    default: str | None = Field(default=None, description="The default as written in the cell")
    help: str = ""


class NotebookParameters(Model):
    path: str
    kernel_name: str | None
    has_parameters_cell: bool
    parameters: list[NotebookParameter]
