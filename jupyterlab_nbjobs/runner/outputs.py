"""What a run leaves behind: the executed notebook, other formats, files the notebook wrote."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from .contract import FILES_DIR, write_atomic

# Folders the notebook may create that are noise, not results.
_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__"}


def save_notebook(nb: Any, path: Path) -> None:
    import nbformat

    write_atomic(path, nbformat.writes(nb))


def export_formats(
    nb: Any, formats: list[str], output_dir: Path, stem: str
) -> tuple[list[str], list[str]]:
    """Write each requested nbconvert format as <stem><ext>. Returns (names, warnings).

    An export that fails (unknown exporter, no LaTeX for pdf, ...) is a warning, not a
    failed job: the executed notebook is the job's result and is already saved.
    """
    names: list[str] = []
    warnings: list[str] = []
    wanted = [f for f in dict.fromkeys(formats) if f and f not in ("ipynb", "notebook")]
    if not wanted:
        return names, warnings
    from nbconvert.exporters import get_exporter

    for fmt in wanted:
        try:
            exporter = get_exporter(fmt)()
            resources = {"output_files_dir": f"{stem}_files", "unique_key": stem}
            body, resources = exporter.from_notebook_node(nb, resources=resources)
            ext = resources.get("output_extension") or exporter.file_extension or f".{fmt}"
            name = f"{stem}{ext}"
            write_atomic(output_dir / name, body)
            names.append(name)
            # Exporters such as markdown extract images next to the document.
            for rel, data in (resources.get("outputs") or {}).items():
                target = (output_dir / rel).resolve()
                if output_dir.resolve() in target.parents:
                    write_atomic(target, data)
        except Exception as exc:  # noqa: BLE001 - any exporter failure is reported, not fatal
            warnings.append(f"export to {fmt!r} failed: {type(exc).__name__}: {exc}")
    return names, warnings


Snapshot = dict[str, tuple[int, int]]


def snapshot_tree(root: Path, skip: set[str]) -> Snapshot:
    """Size and mtime of every regular file under root (symlinks are not followed)."""
    snap: Snapshot = {}
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
        for fname in filenames:
            full = os.path.join(dirpath, fname)
            rel = os.path.relpath(full, root)
            if rel in skip:
                continue
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if os.path.islink(full) or not os.path.isfile(full):
                continue
            snap[rel] = (st.st_size, st.st_mtime_ns)
    return snap


def copy_changed_files(root: Path, before: Snapshot, output_dir: Path, skip: set[str]) -> list[str]:
    """Copy files created or changed since `before` into output_dir/files/. Returns names."""
    after = snapshot_tree(root, skip)
    names = []
    for rel, stat in sorted(after.items()):
        if before.get(rel) == stat:
            continue
        target = output_dir / FILES_DIR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(Path(root) / rel, target)
        except OSError:
            continue  # removed or unreadable meanwhile: nothing to publish
        names.append(f"{FILES_DIR}/{rel}")
    return names
