"""Build job directories the way the job service does (job.json + work/) for runner and
backend tests, and read back what the runner left in them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import nbformat
import psutil

from jupyterlab_nbjobs.backends.base import RunRequest


def make_notebook(cells: list[Any], kernel: str = "python3") -> Any:
    """cells: code strings, ("md", text), or ("params", code) for a `parameters` cell."""
    nb = nbformat.v4.new_notebook()
    for cell in cells:
        if isinstance(cell, tuple) and cell[0] == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell[1]))
        elif isinstance(cell, tuple) and cell[0] == "params":
            c = nbformat.v4.new_code_cell(cell[1])
            c.metadata["tags"] = ["parameters"]
            nb.cells.append(c)
        else:
            nb.cells.append(nbformat.v4.new_code_cell(cell))
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    return nb


def make_job(
    root: Path,
    cells: list[Any],
    *,
    job_id: str = "job1",
    attempt: int = 1,
    parameters: dict | None = None,
    output_formats: list[str] | None = None,
    env: dict | None = None,
    timeout: float | None = None,
    notebook: str = "analysis.ipynb",
    extra_files: dict[str, str] | None = None,
) -> Path:
    job_dir = root / job_id
    work = job_dir / "work"
    (work / notebook).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(make_notebook(cells), work / notebook)
    for rel, text in (extra_files or {}).items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    spec = {
        "job_id": job_id,
        "attempt": attempt,
        "notebook": notebook,
        "kernel_name": "python3",
        "parameters": parameters or {},
        "output_formats": output_formats or ["ipynb"],
        "env": env or {},
        "timeout_seconds": timeout,
        "output_dir": str(root / "outputs" / job_id),
        "output_stem": Path(notebook).stem,
    }
    (job_dir / "job.json").write_text(json.dumps(spec))
    return job_dir


def spec_of(job_dir: Path) -> dict:
    return json.loads((job_dir / "job.json").read_text())


def out_dir(job_dir: Path) -> Path:
    return Path(spec_of(job_dir)["output_dir"])


def executed(job_dir: Path) -> Any:
    spec = spec_of(job_dir)
    return nbformat.read(Path(spec["output_dir"]) / f"{spec['output_stem']}.ipynb", as_version=4)


def log_text(job_dir: Path) -> str:
    spec = spec_of(job_dir)
    return (Path(spec["output_dir"]) / f"{spec['output_stem']}.log").read_text()


def read(job_dir: Path, name: str) -> Any:
    path = job_dir / name
    return json.loads(path.read_text()) if path.exists() else None


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.05, why=None):
    """predicate()'s first true value; else AssertionError, with `why()` (e.g. a log's tail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s"
                         + (f":\n{why()}" if why is not None else ""))


def gone(pid: int | None, create_time: float | None = None) -> bool:
    if not pid:
        return True
    try:
        proc = psutil.Process(pid)
        if create_time is not None and abs(proc.create_time() - create_time) > 0.01:
            return True
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


# -- handing a job directory to a backend --------------------------------------------------

SLEEPY = [
    "print('first')",
    "import time\nprint('sleeping', flush=True)\ntime.sleep(120)",
    "print('never')",
]


def request(job_dir, attempt=1) -> RunRequest:
    spec = spec_of(job_dir)
    return RunRequest(job_id=spec["job_id"], attempt=attempt, job_dir=job_dir, spec=spec)


def kernel_up(job_dir):
    info = read(job_dir, "runner.json")
    return info if info and info.get("kernel_pid") else None
