"""Run with the jupyter-scheduler venv's Python: seed_theirs.py DB_URL ROWS.

Uses jupyter-scheduler's own tables (create_tables is idempotent) so the rows are exactly
what its server would have written; every column is given explicitly. Same data shape as
seed.py: newest first over the last 100 days, 90% COMPLETED, 7% FAILED, 3% STOPPED.
"""

import json
import sys
import time
import uuid

sys.path.pop(0)  # this folder: nothing here may shadow the venv's modules

from jupyter_scheduler.orm import Job, create_tables
from sqlalchemy import create_engine, insert

DAY_MS = 86_400_000


def status_of(i: int) -> str:
    bucket = i % 100
    return "FAILED" if bucket < 7 else "STOPPED" if bucket < 10 else "COMPLETED"


def main(db_url: str, rows: int, chunk: int = 5000) -> None:
    create_tables(db_url)
    engine = create_engine(db_url)
    now = int(time.time() * 1000) - 3_600_000  # older than every real job
    step = 100 * DAY_MS / max(rows, 1)
    table = Job.__table__
    for first in range(0, rows, chunk):
        batch = []
        for i in range(first, min(rows, first + chunk)):
            created = int(now - step * i)
            job_id = str(uuid.uuid4())
            status = status_of(i)
            batch.append({
                "job_id": job_id, "job_definition_id": None, "status": status,
                "status_message": "seeded failure" if status == "FAILED" else None,
                "start_time": created, "end_time": created + 2000, "url": f"/jobs/{job_id}",
                "pid": None, "idempotency_token": None,
                "runtime_environment_name": "default", "runtime_environment_parameters": None,
                "compute_type": None, "input_filename": "seed.ipynb",
                "output_formats": ["ipynb"], "name": f"seed-{i}", "tags": [],
                "parameters": {"i": str(i)}, "email_notifications": None,
                "timeout_seconds": 600, "retry_on_timeout": False, "max_retries": 0,
                "min_retry_interval_millis": 0,
                "output_filename_template": "{{input_filename}}-{{create_time}}",
                "update_time": created + 2000, "create_time": created,
                "package_input_folder": False, "packaged_files": [],
            })
        with engine.begin() as conn:
            conn.execute(insert(table), batch)
    engine.dispose()
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
