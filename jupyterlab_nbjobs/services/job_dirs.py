"""A job's directory in the staging area (the runner contract's JOB_DIR) and its outputs folder.

    JOB_DIR/input/   the pristine snapshot, taken once at creation and never touched again
    JOB_DIR/work/    a fresh copy of input/ for every attempt, next to that attempt's job.json

Blocking file work: callers run these functions in a worker thread.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..backends.base import RunRequest
from ..runner.contract import (
    PROGRESS_FILE,
    RESULT_FILE,
    RUNNER_FILE,
    SPEC_FILE,
    WORK_DIR,
    read_json,
    runner_spec,
    write_json_atomic,
)
from . import inputs

INPUT_DIR = "input"
SNAPSHOT_NOTES = "snapshot.json"  # {"notes": [...]}: what the snapshot left out, and why


def input_snapshot(row: dict[str, Any]) -> Path:
    """The pristine snapshot of a job row: what a rerun or a sweep's next job starts from."""
    return Path(row["job_dir"]) / INPUT_DIR


def take_snapshot(job_dir: Path, *, notebook: Path | None, package_folder: bool,
                  snapshot_from: Path | None, skip_dirs: tuple[Path, ...] = (),
                  root: Path | None = None) -> list[str]:
    """Fill JOB_DIR/input/: from an earlier snapshot when given, else from the notebook (its
    folder's links followed only while they stay under `root`). Returns what it left out;
    those notes are kept in JOB_DIR and open the job's log (prepare_attempt)."""
    notes: list[str] = []
    if snapshot_from is not None:
        inputs.copy_snapshot(snapshot_from, job_dir / INPUT_DIR)
    else:
        inputs.take_snapshot(notebook, package_folder, job_dir / INPUT_DIR, skip_dirs=skip_dirs,
                             root=root, skipped=notes)
    if notes:
        write_json_atomic(job_dir / SNAPSHOT_NOTES, {"notes": notes})
    return notes


def prepare_attempt(row: dict[str, Any], root_dir: str) -> RunRequest:
    """A fresh work/ copy, no state of the last attempt, job.json: what a backend starts."""
    job_dir = Path(row["job_dir"])
    inputs.copy_snapshot(job_dir / INPUT_DIR, job_dir / WORK_DIR)
    for stale in (RESULT_FILE, PROGRESS_FILE, RUNNER_FILE):
        (job_dir / stale).unlink(missing_ok=True)
    output_dir = Path(root_dir) / row["output_path"]
    output_dir.mkdir(parents=True, exist_ok=True)
    spec = runner_spec(row, job_id=row["id"], attempt=row["attempts"], output_dir=output_dir)
    if row["attempts"] == 1:  # the runner appends to the log: these lines come first
        notes = (read_json(job_dir / SNAPSHOT_NOTES) or {}).get("notes") or []
        if notes:
            stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"
            with open(output_dir / f"{spec['output_stem']}.log", "a", encoding="utf-8") as fh:
                fh.writelines(f"[{stamp}] {note}\n" for note in notes)
    write_json_atomic(job_dir / SPEC_FILE, spec)
    return RunRequest(job_id=row["id"], attempt=row["attempts"], job_dir=job_dir,
                      spec=spec, options=row["backend_options"])


def remove(job_dir: str | Path, root_dir: str | None = None, output_path: str | None = None
           ) -> None:
    """Remove a job's staging directory and, when given, its published outputs folder."""
    shutil.rmtree(job_dir, ignore_errors=True)
    if root_dir is not None and output_path:
        shutil.rmtree(Path(root_dir) / output_path, ignore_errors=True)
