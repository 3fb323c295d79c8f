"""What a job starts from: safe paths under the server root, the notebook, its snapshot."""

from __future__ import annotations

import ast
import functools
import os
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat

from ..errors import InvalidRequest

SNAPSHOT_IGNORE = (".ipynb_checkpoints", ".git", "__pycache__", ".nbjobs")
NAME_MAX = 255  # bytes in one path component (Linux, macOS, Windows)
PATH_MAX = 4096  # bytes in a whole path, the server root included (Linux)


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def resolve_under_root(root_dir: str, rel_path: str, field: str = "input_path") -> Path:
    """Resolve a client path relative to the server root; anything that escapes is a 400,
    and so is one no file system could hold (a component over NAME_MAX bytes, or PATH_MAX)."""
    if not rel_path or "\0" in rel_path:
        raise InvalidRequest("path is empty or holds a NUL", reason="invalid_path", field=field)
    posix = PurePosixPath(rel_path.replace("\\", "/"))
    if any(_size(part) > NAME_MAX for part in posix.parts):
        raise InvalidRequest(f"a component of the path is longer than {NAME_MAX} bytes",
                             reason="invalid_path", field=field)
    if _size(root_dir) + 1 + _size(rel_path) >= PATH_MAX:
        raise InvalidRequest(f"the path is longer than {PATH_MAX} bytes", reason="invalid_path",
                             field=field)
    if posix.is_absolute() or re.match(r"^[A-Za-z]:", rel_path):
        raise InvalidRequest(
            f"{rel_path!r} is absolute; give a path relative to the server root",
            reason="path_outside_root", field=field,
        )
    if ".." in posix.parts:
        raise InvalidRequest(
            f"{rel_path!r} leaves the server root", reason="path_outside_root", field=field
        )
    root = Path(os.path.realpath(root_dir))
    full = Path(os.path.realpath(root / posix))
    if full != root and root not in full.parents:
        raise InvalidRequest(
            f"{rel_path!r} points outside the server root (through a link)",
            reason="path_outside_root", field=field,
        )
    return full


def read_notebook(root_dir: str, rel_path: str, field: str = "input_path"
                  ) -> tuple[Path, nbformat.NotebookNode]:
    full = resolve_under_root(root_dir, rel_path, field)
    if not full.exists():
        raise InvalidRequest(f"no file at {rel_path!r}", reason="file_not_found", field=field)
    if not full.is_file():
        raise InvalidRequest(f"{rel_path!r} is not a file", reason="not_a_notebook",
                             field=field)
    try:
        nb = nbformat.read(full, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several unrelated types for bad files
        raise InvalidRequest(
            f"{rel_path!r} is not a valid notebook: {str(exc).splitlines()[0][:300]}",
            reason="invalid_notebook", field=field,
        ) from None
    return full, nb


def notebook_kernel(nb: nbformat.NotebookNode) -> str | None:
    return (nb.metadata.get("kernelspec") or {}).get("name")


def take_snapshot(notebook: Path, package_folder: bool, dest: Path,
                  skip_dirs: tuple[Path, ...] = (), root: Path | None = None,
                  skipped: list[str] | None = None) -> str:
    """Copy the notebook (or its whole folder) into dest; return its path inside dest.

    A snapshot holds no links: a link in the folder is copied as what it points to when that
    stays under `root` (the server root; default: the notebook's folder), and left out
    otherwise, with a line for the job's log appended to `skipped`."""
    dest.mkdir(parents=True, exist_ok=True)
    if not package_folder:
        shutil.copy2(notebook, dest / notebook.name)
        return notebook.name
    folder = Path(os.path.realpath(notebook.parent))
    bound = Path(os.path.realpath(root if root is not None else folder))
    skip = {Path(os.path.realpath(p)) for p in skip_dirs}
    notes = skipped if skipped is not None else []
    _copy_folder(folder, dest, PurePosixPath(), bound, skip, (folder,), notes)
    return notebook.name


def _under(path: Path, bound: Path) -> bool:
    return path == bound or bound in path.parents


def _copy_folder(src: Path, dest: Path, rel: PurePosixPath, bound: Path, skip: set[Path],
                 chain: tuple[Path, ...], notes: list[str]) -> None:
    """Copy src into dest, links followed (see take_snapshot). `chain`: the real folders
    being copied, so a link back into one of them is not copied forever."""
    dest.mkdir(parents=True, exist_ok=True)
    with os.scandir(src) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name in SNAPSHOT_IGNORE:
                continue
            name = rel / entry.name
            real = Path(os.path.realpath(entry.path))
            if real in skip:
                continue
            if entry.is_symlink():
                if not os.path.exists(real):
                    notes.append(f"snapshot: left out the link {name} (its target is missing)")
                    continue
                if not _under(real, bound):
                    notes.append(f"snapshot: left out the link {name} (it points outside the "
                                 "server root)")
                    continue
                if real.is_dir() and any(real == c or real in c.parents for c in chain):
                    notes.append(f"snapshot: left out the link {name} (it points to a folder "
                                 "that holds it)")
                    continue
            if real.is_dir():
                _copy_folder(real, dest / entry.name, name, bound, skip, (*chain, real), notes)
            elif real.is_file():
                try:
                    shutil.copy2(real, dest / entry.name)
                except OSError as exc:
                    notes.append(f"snapshot: left out {name} (it cannot be read: "
                                 f"{exc.strerror or exc})")
            else:  # a FIFO, socket or device: reading one could block or never end
                notes.append(f"snapshot: left out {name} (not a regular file or folder)")


def copy_snapshot(src: Path, dest: Path) -> None:
    """Copy a snapshot (JOB_DIR/input/ or a schedule's) to a new place. Snapshots taken since
    links are resolved hold none; a link in an older one is left out, never followed."""
    if dest.exists():
        shutil.rmtree(dest)

    def links(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if os.path.islink(os.path.join(folder, n))]

    shutil.copytree(src, dest, symlinks=True, ignore=links)


def check_kernel(kernel_name: str, specs: dict[str, Any], where: str = "") -> None:
    if kernel_name not in specs:
        where = f" {where}" if where else ""
        raise InvalidRequest(
            f"unknown kernel {kernel_name!r}; installed{where}: "
            f"{', '.join(sorted(specs)) or 'none'}",
            reason="unknown_kernel", field="kernel_name",
        )


FORMAT_LABELS = {"html": "HTML", "pdf": "PDF (LaTeX)", "webpdf": "PDF (browser)",
                 "markdown": "Markdown", "script": "Script", "python": "Python script",
                 "latex": "LaTeX", "rst": "reStructuredText", "asciidoc": "AsciiDoc",
                 "slides": "Reveal.js slides", "qtpdf": "PDF (Qt)", "qtpng": "PNG (Qt)"}


def _exporter_usable(name: str) -> bool:
    """Some exporters need a program or package that may be missing: offer them only when
    it is there, so a user never picks a format that can only fail."""
    import importlib.util

    if name == "pdf":
        return shutil.which("xelatex") is not None
    if name == "webpdf":
        return importlib.util.find_spec("playwright") is not None
    if name in ("qtpdf", "qtpng"):
        return importlib.util.find_spec("PyQt5.QtWebEngineWidgets") is not None if \
            importlib.util.find_spec("PyQt5") else False
    return True


@functools.lru_cache(maxsize=1)
def export_formats() -> dict[str, str]:
    """Output format name -> label, from the nbconvert exporters usable here.

    Found out in a child Python with this server's environment (the same nbconvert config
    and entry points): importing nbconvert's exporters would keep ~10 MB (nbconvert,
    bleach, mistune, bs4, ...) in the server for a list read once. In-process if the child
    fails. Blocking (~1 s, once)."""
    import json
    import subprocess
    import sys

    from ..paths import PACKAGE_PARENT

    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); "
            "from jupyterlab_nbjobs.optional_imports import skip_iri_grammar; "
            "skip_iri_grammar(); "
            "from jupyterlab_nbjobs.services.inputs import export_formats_here as f; "
            "print(json.dumps(f()))")
    try:
        out = subprocess.run([sys.executable, "-c", code, PACKAGE_PARENT], capture_output=True,
                             timeout=120, check=True, stdin=subprocess.DEVNULL).stdout
        formats = json.loads(out.decode().strip().splitlines()[-1])
        if isinstance(formats, dict) and formats.get("ipynb"):
            return formats
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        pass
    return export_formats_here()


def export_formats_here() -> dict[str, str]:
    """export_formats(), computed in this process."""
    from nbconvert.exporters import get_export_names

    formats = {"ipynb": "Notebook (.ipynb)"}
    for name in sorted(get_export_names()):
        if name in ("notebook", "custom") or not _exporter_usable(name):
            continue
        formats[name] = FORMAT_LABELS.get(name, name)
    return formats


def check_output_formats(formats: list[str]) -> list[str]:
    if all(f == "ipynb" for f in formats):  # no need to ask nbconvert
        return ["ipynb"]
    known = export_formats()
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise InvalidRequest(
            f"unknown output format(s) {unknown}; available: {', '.join(known)}",
            reason="unknown_output_format", field="output_formats",
        )
    ordered = ["ipynb"] + [f for f in dict.fromkeys(formats) if f != "ipynb"]
    return ordered


def inspect_parameters(root_dir: str, rel_path: str) -> dict[str, Any]:
    """The parameters cell's names, inferred types, defaults and comments (papermill's view)."""
    full, nb = read_notebook(root_dir, rel_path, field="path")
    has_cell = any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    params = []
    if has_cell:
        from papermill import inspect_notebook

        for p in inspect_notebook(str(full)).values():
            inferred = p["inferred_type_name"]
            if inferred in (None, "None"):
                inferred = literal_type(p["default"])
            params.append({"name": p["name"], "inferred_type": inferred,
                           "default": p["default"], "help": p["help"] or ""})
    return {"path": rel_path, "kernel_name": notebook_kernel(nb),
            "has_parameters_cell": has_cell, "parameters": params}


def literal_type(source: str | None) -> str | None:
    """papermill only types annotated parameters; an unannotated literal still has a type."""
    if source is None:
        return None
    try:
        value = ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return "None" if value is None else type(value).__name__


def slug(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:60] or "job"
