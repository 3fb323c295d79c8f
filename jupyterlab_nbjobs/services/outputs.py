"""A job's outputs and log, read from its outputs folder under the server root."""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path
from typing import Any

from ..errors import Conflict, InvalidRequest, NotFound
from ..models import FINAL_STATUSES
from ..runner.contract import FILES_DIR, write_atomic
from .inputs import resolve_under_root

log = logging.getLogger(__name__)

FINAL = {s.value for s in FINAL_STATUSES}

# What each output is served as. The host's mimetypes table varies (and knows no .ipynb or
# .log), so the formats a job writes are named here; the table is only asked for the rest.
MEDIA_TYPES = {
    ".ipynb": "application/x-ipynb+json", ".html": "text/html", ".htm": "text/html",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf",
    ".log": "text/plain", ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv",
    ".json": "application/json", ".py": "text/x-python", ".r": "text/x-r",
    ".tex": "application/x-tex", ".rst": "text/x-rst", ".asciidoc": "text/plain",
}
# Shown in the browser (always under the handler's sandbox CSP); any other type is only ever
# offered as a download, so a browser never renders what a job wrote as, say, XML or script.
INLINE_TYPES = {
    "text/html", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "image/webp",
    "application/pdf", "text/plain", "text/csv", "text/markdown", "application/json",
    "application/x-ipynb+json",
}
TEXT_TYPES = {"application/json", "application/x-ipynb+json", "image/svg+xml"}
UNKNOWN_TYPE = "application/octet-stream"
VIEW_PREFIX = ".view-"  # JOB_DIR/.view-<mtime_ns>-<size>.html: the rendered executed notebook


def media_type(name: str) -> tuple[str, bool]:
    """The Content-Type to serve an output under (with charset for text), and whether a
    browser may show it inline."""
    suffix = Path(name).suffix.lower()
    mime = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(name, strict=False)[0] or UNKNOWN_TYPE
    inline = mime in INLINE_TYPES
    if mime.startswith("text/") or mime in TEXT_TYPES:
        mime += "; charset=utf-8"
    return mime, inline


def _kind(name: str, stem: str) -> str:
    if name.startswith(FILES_DIR + "/"):
        return "file"
    if name == f"{stem}.ipynb":
        return "notebook"
    if name == f"{stem}.log":
        return "log"
    return name.rsplit(".", 1)[-1] if "." in name else "file"


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes from disk that are not UTF-8, kept as surrogates
        return False
    return True


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
            if not _utf8(name):  # no URL and no JSON answer can name it
                log.warning("job %s: output %r has a name that is not UTF-8; not listed",
                            row["id"], name)
                continue
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


def executed_notebook(root_dir: str, row: dict[str, Any]) -> Path:
    return output_file(root_dir, row, f"{Path(row['input_path']).stem}.ipynb")


def render_view(root_dir: str, row: dict[str, Any]) -> bytes:
    """The executed notebook as a read-only HTML page (nbconvert's HTML exporter, lab
    template). Rendering takes about a second, so the page is kept in JOB_DIR, keyed by the
    notebook's mtime and size (a retry's new notebook gets a new page). Blocking."""
    notebook = executed_notebook(root_dir, row)
    stat = notebook.stat()
    job_dir = Path(row["job_dir"])
    cached = job_dir / f"{VIEW_PREFIX}{stat.st_mtime_ns}-{stat.st_size}.html"
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    import nbformat
    from nbconvert import HTMLExporter

    try:
        nb = nbformat.read(notebook, as_version=4)
        body, _ = HTMLExporter(template_name="lab").from_notebook_node(
            nb, resources={"metadata": {"name": Path(row["input_path"]).stem}})
    except Exception as exc:  # nbformat and nbconvert raise many unrelated types
        first = (str(exc).splitlines() or [repr(exc)])[0][:300]
        raise Conflict(f"job {row['id']}: the executed notebook cannot be shown: {first}",
                       reason="view_failed") from None
    data = body.encode("utf-8")
    if job_dir.is_dir():
        for old in job_dir.glob(f"{VIEW_PREFIX}*.html"):
            old.unlink(missing_ok=True)
        write_atomic(cached, data)
    return data


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
