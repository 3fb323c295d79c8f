"""A job's outputs as one zip archive ("Download outputs")."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from ..errors import Conflict
from . import outputs as published

# Notebooks and logs compress well; images and PDFs are stored as they are.
STORED = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".zip", ".gz"}


def build_archive(root_dir: str, row: dict[str, Any]) -> tuple[str, bytes]:
    """Blocking: the archive's file name and bytes. Every listed output, under a folder named
    as the job's outputs folder, so unpacking it never spills files next to others."""
    files = published.list_outputs(root_dir, row) if row.get("output_path") else []
    if not files:
        # The job exists and will have outputs: a state to wait out, not a missing resource.
        raise Conflict(f"job {row['id']} has no outputs yet", reason="no_outputs_yet")
    folder = Path(row["output_path"]).name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for found in files:
            path = published.output_file(root_dir, row, found["name"])
            kind = zipfile.ZIP_STORED if path.suffix.lower() in STORED else zipfile.ZIP_DEFLATED
            archive.write(path, f"{folder}/{found['name']}", compress_type=kind)
    return f"{folder}.zip", buffer.getvalue()
