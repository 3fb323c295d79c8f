"""The runner contract: one job directory layout for every backend.

A backend prepares JOB_DIR and starts the runner on it; the runner only reads JOB_DIR and
writes into it and into the output directory named in job.json.

    JOB_DIR/
      job.json        RunnerSpec, written by the service before the runner starts
      work/           the snapshot: the notebook (and its folder when packaged); the kernel's cwd
      runner.json     RunnerInfo {"pid", "create_time", "attempt", "kernel_pid", ...}: written
                      by the runner when it starts, again once its kernel is up
      runner.out      the runner process's own stdout/stderr (local backend; tail shown if it dies)
      progress.json   {"cells_done", "cells_total"}: replaced atomically after each cell
      result.json     RunnerResult: written atomically, last, once per attempt
    OUTPUT_DIR/
      <stem>.ipynb    the executed notebook (kept when a cell fails)
      <stem>.<fmt>    other requested formats (html, ...)
      <stem>.log      the job's log, appended while it runs
      files/...       files the notebook created or changed under work/
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict

SPEC_FILE = "job.json"
WORK_DIR = "work"
RUNNER_FILE = "runner.json"
PROGRESS_FILE = "progress.json"
RESULT_FILE = "result.json"
FILES_DIR = "files"
RUNNER_OUT = "runner.out"
# A kernel's socket folder in the temp dir (a socket path must be short): the pool removes
# those of the spares it kills.
IPC_FOLDER_PREFIX = "nbjobs-k-"

# RunnerError.reason values. The backend adds "runner_died" when no result.json appeared.
REASON_CELL_ERROR = "cell_error"
REASON_TIMEOUT = "timeout"
REASON_STOPPED = "stopped"
REASON_KERNEL_DIED = "kernel_died"
REASON_RUNNER_ERROR = "runner_error"
REASON_RUNNER_DIED = "runner_died"


class RunnerSpec(TypedDict, total=False):
    job_id: str
    attempt: int
    notebook: str  # path of the input notebook relative to work/
    kernel_name: str
    parameters: dict[str, Any]
    output_formats: list[str]  # "ipynb" always first
    env: dict[str, str]
    timeout_seconds: float | None
    output_dir: str  # absolute
    output_stem: str


def runner_spec(settings: Mapping[str, Any], *, job_id: str, attempt: int,
                output_dir: str | os.PathLike[str]) -> RunnerSpec:
    """The RunnerSpec of one attempt, from a job's settings (a job row or a schedule's
    settings: input_path, kernel_name, parameters, output_formats, env, timeout_seconds)."""
    notebook = Path(settings["input_path"]).name
    return {
        "job_id": job_id, "attempt": attempt, "notebook": notebook,
        "kernel_name": settings["kernel_name"], "parameters": settings["parameters"],
        "output_formats": settings["output_formats"], "env": settings["env"],
        "timeout_seconds": settings["timeout_seconds"], "output_dir": str(output_dir),
        "output_stem": Path(notebook).stem,
    }


class RunnerInfo(TypedDict, total=False):
    pid: int
    create_time: float  # psutil create_time: with pid, identifies the process across restarts
    attempt: int
    kernel_pid: int | None  # the kernel runs in its own session: kill it explicitly
    kernel_create_time: float | None


class RunnerError(TypedDict, total=False):
    message: str
    reason: str  # cell_error | timeout | stopped | kernel_died | runner_error | runner_died
    cell_index: int | None
    ename: str | None
    evalue: str | None
    traceback: list[str]


class RunnerResult(TypedDict, total=False):
    status: str  # completed | failed | stopped
    attempt: int
    error: RunnerError | None
    started_at: str  # ISO-8601 UTC
    ended_at: str
    cells_done: int
    cells_total: int
    outputs: list[str]  # names relative to output_dir
    # Added by the runner, optional for readers: seconds per phase (import, kernel_start,
    # execute, save, export, files, total) and non-fatal problems (e.g. an export failed).
    timings: dict[str, float]
    warnings: list[str]


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text or bytes so a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w",
                       **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data))


def read_json(path: Path) -> Any | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (FileNotFoundError, json.JSONDecodeError):
        return None
