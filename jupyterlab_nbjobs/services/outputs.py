"""A job's outputs and log, read from its outputs folder under the server root."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import InvalidRequest, NotFound
from ..models import FINAL_STATUSES
from ..runner.contract import FILES_DIR
from .inputs import resolve_under_root

FINAL = {s.value for s in FINAL_STATUSES}


def _kind(name: str, stem: str) -> str:
    if name.startswith(FILES_DIR + "/"):
        return "file"
    if name == f"{stem}.ipynb":
        return "notebook"
    if name == f"{stem}.log":
        return "log"
    return name.rsplit(".", 1)[-1] if "." in name else "file"


def list_outputs(root_dir: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    folder = Path(root_dir) / row["output_path"]
    stem = Path(row["input_path"]).stem
    found = []
    if not folder.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d != ".ipynb_checkpoints")
        for fname in sorted(filenames):
            if fname.startswith("."):  # temp files of atomic writes
                continue
            full = Path(dirpath) / fname
            name = full.relative_to(folder).as_posix()
            found.append({"name": name, "kind": _kind(name, stem), "size": full.stat().st_size,
                          "path": f"{row['output_path']}/{name}"})
    order = {"notebook": 0, "log": 2, "file": 3}
    found.sort(key=lambda o: (order.get(o["kind"], 1), o["name"]))
    return found


def output_file(root_dir: str, row: dict[str, Any], name: str) -> Path:
    full = resolve_under_root(root_dir, f"{row['output_path']}/{name}", field="name")
    folder = Path(os.path.realpath(Path(root_dir) / row["output_path"]))
    if folder not in full.parents:
        raise InvalidRequest("output name leaves the job's folder", reason="path_outside_root")
    if not full.is_file():
        raise NotFound(f"job {row['id']} has no output {name!r}", reason="output_not_found")
    return full


def read_log(root_dir: str, row: dict[str, Any], offset: int | None, tail: int | None,
             max_bytes: int = 1 << 20) -> dict[str, Any]:
    path = Path(root_dir) / row["output_path"] / f"{Path(row['input_path']).stem}.log"
    final = row["status"] in FINAL
    if not path.exists():
        return {"text": "", "offset": 0, "size": 0, "complete": final}
    size = path.stat().st_size
    with open(path, "rb") as fh:
        if tail is not None:
            start = max(0, size - max_bytes)
            fh.seek(start)
            data = fh.read(size - start)
            lines = data.decode("utf-8", "replace").splitlines(keepends=True)
            text = "".join(lines[-tail:]) if tail else ""
            end = size
        else:
            start = min(offset or 0, size)
            fh.seek(start)
            data = fh.read(min(max_bytes, size - start))
            text, cut = _whole_characters(data, at_end=final and start + len(data) == size)
            end = start + cut
    return {"text": text, "offset": end, "size": size, "complete": final and end >= size}


def _whole_characters(data: bytes, at_end: bool) -> tuple[str, int]:
    """Decode, leaving a character cut in two at the end for the next read."""
    for trim in range(4):
        try:
            return data[: len(data) - trim].decode("utf-8"), len(data) - trim
        except UnicodeDecodeError as exc:
            if at_end or exc.start < len(data) - 4:
                break
    return data.decode("utf-8", "replace"), len(data)
