"""Seed many finished jobs straight into each server's database (instead of running them).

Both stores get the same shape of data: `rows` jobs, newest first spread over the last
100 days, 90% completed, 7% failed, 3% stopped (jupyter-scheduler: COMPLETED/FAILED/STOPPED).
Ours goes through our own store module (its tables and migrations); theirs through
jupyter-scheduler's own ORM, run with the venv's Python (seed_theirs.py).
"""

from __future__ import annotations

import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

SPAN = timedelta(days=100)


def status_of(i: int) -> str:
    bucket = i % 100
    return "failed" if bucket < 7 else "stopped" if bucket < 10 else "completed"


def seed_ours(db_path: Path, rows: int, chunk: int = 5000) -> float:
    """Insert `rows` finished jobs into our SQLite store; returns seconds taken."""
    from sqlalchemy import insert

    from jupyterlab_nbjobs.store import Database
    from jupyterlab_nbjobs.store.tables import JobRow

    started = time.monotonic()
    db = Database(f"sqlite:///{db_path}")
    db.migrate()
    now = datetime.now(timezone.utc) - timedelta(hours=1)  # older than every real job
    step = SPAN / max(rows, 1)
    try:
        for first in range(0, rows, chunk):
            batch = []
            for i in range(first, min(rows, first + chunk)):
                created = now - step * i
                job_id = uuid.uuid4().hex
                status = status_of(i)
                batch.append({
                    "id": job_id, "name": f"seed-{i}", "input_path": "bench/seed.ipynb",
                    "kernel_name": "python3", "backend": "local", "backend_options": {},
                    "parameters": {"i": i}, "output_formats": ["ipynb"],
                    "package_input_folder": False, "env": {}, "timeout_seconds": None,
                    "max_retries": 0, "tags": [], "status": status, "cells_done": 1,
                    "cells_total": 1, "attempts": 1,
                    "error": ({"message": "seeded failure", "reason": "cell_error"}
                              if status == "failed" else None),
                    "job_dir": f"/nonexistent/nbjobs-seed/{job_id}",
                    "output_path": f"nbjobs-outputs/seed-{i}-{job_id[:8]}",
                    "created_at": created, "updated_at": created + timedelta(seconds=2),
                    "started_at": created, "ended_at": created + timedelta(seconds=2),
                })
            with db.engine.begin() as conn:
                conn.execute(insert(JobRow), batch)
    finally:
        db.dispose()
    return time.monotonic() - started


def seed_theirs(python: str, db_path: Path, rows: int, timeout: float = 600.0) -> float:
    """Insert `rows` finished jobs with jupyter-scheduler's ORM; returns seconds taken."""
    started = time.monotonic()
    script = Path(__file__).with_name("seed_theirs.py")
    subprocess.run([python, str(script), f"sqlite:///{db_path}", str(rows)], check=True,
                   timeout=timeout, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL)
    return time.monotonic() - started
