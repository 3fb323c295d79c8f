"""What AWS's headless execution driver leaves in output.tar.gz, made into a local job's
outputs: `<stem>.ipynb`, `<stem>.<format>`, `<stem>.log`, `files/...`, and the error a local
job would report (failing cell, ename, evalue, traceback) read from the executed notebook,
or from the driver's log when no notebook ran.

The driver writes (in /opt/ml/output/data): a copy of the input notebook under its own name,
papermill's output under SM_OUTPUT_NOTEBOOK_NAME (ours: request.DRIVER_OUTPUT), the extra
formats next to it, and `sagemaker_job_execution.log` (the whole script's output, `set -x`
lines included). bootstrap.py adds `.nbjobs/files/`, extracted as `files/`.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...runner.contract import FILES_DIR, REASON_CELL_ERROR, REASON_RUNNER_ERROR, RunnerError
from .request import DRIVER_OUTPUT

log = logging.getLogger(__name__)
DRIVER_LOG = "sagemaker_job_execution.log"
DRIVER_STEM = DRIVER_OUTPUT.rsplit(".", 1)[0]
PAPERMILL_MARKER_TAG = "papermill-error-cell-tag"  # the banner and anchor cells papermill adds
_DRIVER_STEP = re.compile(r"^\[SM-[01]*\] Error with (.+)$", re.M)
_EXCEPTION_LINE = re.compile(r"^Exception during processing notebook: (.*)$", re.M)
_RAISED = re.compile(r"^([A-Za-z_][\w.]*): ?(.*)$")
LOG_TAIL_LINES = 20


@dataclass
class DriverRun:
    files: list[str] = field(default_factory=list)
    error: RunnerError | None = None
    cells_done: int | None = None
    cells_total: int | None = None
    warnings: list[str] = field(default_factory=list)


def is_driver_layout(files: list[str]) -> bool:
    return DRIVER_LOG in files or DRIVER_OUTPUT in files


def _error(reason: str, message: str, **extra: Any) -> RunnerError:
    err: RunnerError = {"message": message, "reason": reason, "cell_index": None,
                        "ename": None, "evalue": None, "traceback": []}
    err.update(extra)  # type: ignore[typeddict-item]
    return err


def notebook_outcome(nb: dict[str, Any]) -> tuple[RunnerError | None, int, int]:
    """(the first unexpected error, cells done, code cells) of an executed notebook, counted
    as the local runner counts them (the failing cell is done; papermill's banner and anchor
    cells are not in `nb` any more)."""
    code = [i for i, c in enumerate(nb.get("cells") or []) if c.get("cell_type") == "code"]
    executed = [i for i in code if nb["cells"][i].get("execution_count") is not None]
    for n, index in enumerate(code, start=1):
        cell = nb["cells"][index]
        tags = (cell.get("metadata") or {}).get("tags") or []
        for out in cell.get("outputs") or []:
            if out.get("output_type") != "error":
                continue
            ename, evalue = str(out.get("ename") or ""), str(out.get("evalue") or "")
            if ename == "SystemExit" and evalue in ("", "0"):
                return None, len(code), len(code)  # the notebook ended itself, cleanly
            if "raises-exception" in tags:
                continue
            # Numbered from 1, as the local runner words it (cell_index stays 0-based).
            return _error(REASON_CELL_ERROR, f"cell {index + 1} raised {ename}: {evalue}",
                          cell_index=index, ename=ename, evalue=evalue,
                          traceback=[str(t) for t in out.get("traceback") or []]), n, len(code)
    done = len(code) if executed and executed[-1] == code[-1] else len(executed)
    return None, done, len(code)


def log_error(text: str, failure_reason: str = "") -> RunnerError:
    """The driver's own failure (no notebook ran, or an init script failed), from its log."""
    found = _EXCEPTION_LINE.search(text)
    if found:
        lines = text[found.end():].lstrip("\n").splitlines()
        tb, ename, evalue = [], None, found.group(1).strip()
        if lines and lines[0].startswith("Traceback"):  # the driver prints it right after
            for line in lines:
                tb.append(line)
                if line and not line[0].isspace() and not line.startswith("Traceback"):
                    raised = _RAISED.match(line)
                    if raised:
                        ename, evalue = raised.group(1), raised.group(2) or evalue
                    break
        message = f"the notebook did not run: {found.group(1).strip()}"
        return _error(REASON_RUNNER_ERROR, message, ename=ename, evalue=evalue, traceback=tb)
    step = _DRIVER_STEP.search(failure_reason or "") or _DRIVER_STEP.search(text)
    tail = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("+")][-LOG_TAIL_LINES:]
    what = step.group(1).strip() if step else "running the notebook job"
    message = f"the SageMaker notebook-job driver failed while {what}"
    if tail:
        message += ": " + tail[-1][:500]
    return _error(REASON_RUNNER_ERROR, message, traceback=tail)


def _move(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.unlink()
    shutil.move(str(src), str(dest))


def adopt(dest: Path, files: list[str], stem: str, input_name: str,
          failure_reason: str = "") -> DriverRun:
    """Rename the driver's outputs in `dest` (the job's output folder) to a local job's."""
    out = DriverRun()
    have = set(files)
    notebook = f"{stem}.ipynb"
    if input_name in have and input_name != DRIVER_OUTPUT:
        (dest / input_name).unlink(missing_ok=True)  # the input, not what ran
        have.discard(input_name)
    if DRIVER_OUTPUT in have:
        try:
            nb = json.loads((dest / DRIVER_OUTPUT).read_text(encoding="utf-8"))
            nb["cells"] = [c for c in nb.get("cells") or []
                           if PAPERMILL_MARKER_TAG not in ((c.get("metadata") or {}).get("tags") or [])]
            out.error, out.cells_done, out.cells_total = notebook_outcome(nb)
            (dest / notebook).write_text(json.dumps(nb, indent=1), encoding="utf-8")
            if notebook != DRIVER_OUTPUT:
                (dest / DRIVER_OUTPUT).unlink()
        except (OSError, ValueError) as exc:
            out.warnings.append(f"the executed notebook could not be read: {exc}")
            _move(dest / DRIVER_OUTPUT, dest / notebook)
        have.discard(DRIVER_OUTPUT)
        have.add(notebook)
    log_text = ""
    if DRIVER_LOG in have:
        log_text = (dest / DRIVER_LOG).read_text(encoding="utf-8", errors="replace")
        kept = [ln for ln in log_text.splitlines(keepends=True) if not ln.startswith("+")]
        with open(dest / f"{stem}.log", "a", encoding="utf-8") as fh:  # after our own lines
            fh.write("".join(kept))
        (dest / DRIVER_LOG).unlink()
        have.discard(DRIVER_LOG)
        have.add(f"{stem}.log")
    if DRIVER_OUTPUT not in files:
        out.error = log_error(log_text, failure_reason)
    for name in sorted(have):
        if "/" in name:
            continue  # files/... from bootstrap.py
        if name.startswith(DRIVER_STEM + ".") and name != notebook:  # the extra formats
            target = f"{stem}{name[len(DRIVER_STEM):]}"
            _move(dest / name, dest / target)
            have.discard(name)
            have.add(target)
        elif name not in (notebook, f"{stem}.log"):  # the notebook wrote into /opt/ml/output/data
            target = f"{FILES_DIR}/{name}"
            _move(dest / name, dest / target)
            have.discard(name)
            have.add(target)
    out.files = sorted(have, key=lambda n: (n.startswith(FILES_DIR + "/"), n))
    return out
