"""Store rows -> response models."""

from __future__ import annotations

from typing import Any

from ..models import Job, JobError, Progress


def job_from_row(row: dict[str, Any]) -> Job:
    error = row.get("error")
    return Job(
        id=row["id"], name=row["name"], input_path=row["input_path"],
        kernel_name=row["kernel_name"], backend=row["backend"],
        backend_options=row["backend_options"] or {}, parameters=row["parameters"] or {},
        output_formats=row["output_formats"] or ["ipynb"],
        package_input_folder=row["package_input_folder"], env=row["env"] or {},
        timeout_seconds=row["timeout_seconds"], max_retries=row["max_retries"],
        tags=row["tags"] or [], idempotency_key=row["idempotency_key"],
        schedule_id=row["schedule_id"], sweep_id=row["sweep_id"], status=row["status"],
        progress=Progress(cells_done=row["cells_done"], cells_total=row["cells_total"]),
        attempts=row["attempts"], error=JobError.model_validate(error) if error else None,
        output_path=row["output_path"], created_by=row["created_by"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        started_at=row["started_at"], ended_at=row["ended_at"],
    )
