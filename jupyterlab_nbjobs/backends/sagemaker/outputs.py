"""Bring a finished training job's output.tar.gz home, safely, and turn it into a RunnerResult."""

from __future__ import annotations

import json
import logging
import posixpath
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...runner.contract import FILES_DIR, REASON_TIMEOUT, RunnerError, RunnerResult
from .driver_outputs import DriverRun, adopt, is_driver_layout
from .request import META_DIR, RESULT_IN_TAR

FILES_IN_TAR = f"{META_DIR}/{FILES_DIR}/"  # what bootstrap.py brought back: extracted as files/

log = logging.getLogger(__name__)
MAX_RESULT_BYTES = 4 * 1024 * 1024


@dataclass
class Extracted:
    files: list[str] = field(default_factory=list)  # names relative to the destination
    rejected: list[str] = field(default_factory=list)  # unsafe members, with why
    result: dict[str, Any] | None = None  # the container's result.json, when it wrote one


def _safe_name(name: str) -> str | None:
    """The member's normalized relative path, or None when it could land outside."""
    if not name or "\0" in name or "\\" in name:
        return None
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    norm = posixpath.normpath(name)
    if norm in (".", "") or norm == ".." or norm.startswith("../") or "/../" in f"/{norm}/":
        return None
    return norm


def _link_stays_inside(norm: str, target: str) -> bool:
    if not target or target.startswith("/"):
        return False
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(norm), target))
    return not (joined == ".." or joined.startswith("../"))


def safe_extract(tar_path: Path, dest: Path) -> Extracted:
    """Extract files and folders only; refuse absolute paths, `..`, devices, and links that
    point outside `dest`. Our `.nbjobs/result.json` is read, not extracted."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = Extracted()
    with tarfile.open(tar_path, "r:*") as tar:
        for member in tar:
            norm = _safe_name(member.name)
            if norm is None:
                out.rejected.append(f"{member.name}: path outside the output folder")
                continue
            if norm == RESULT_IN_TAR and member.isfile() and member.size <= MAX_RESULT_BYTES:
                fh = tar.extractfile(member)
                try:
                    out.result = json.loads(fh.read().decode("utf-8")) if fh else None
                except (ValueError, UnicodeDecodeError):
                    out.rejected.append(f"{member.name}: not JSON")
                continue
            if norm.startswith(FILES_IN_TAR):
                norm = FILES_DIR + "/" + norm[len(FILES_IN_TAR):]
            elif norm == META_DIR or norm.startswith(META_DIR + "/"):
                continue
            if member.issym() or member.islnk():
                if not _link_stays_inside(norm, member.linkname) or member.islnk():
                    out.rejected.append(f"{member.name}: link to {member.linkname} leaves the folder")
                    continue
            elif not (member.isfile() or member.isdir()):
                out.rejected.append(f"{member.name}: not a file or folder")
                continue
            target = dest / norm
            # A folder component that is itself a link could redirect the write.
            if any(p.is_symlink() for p in [target, *target.parents] if dest in p.parents or p == target):
                out.rejected.append(f"{member.name}: goes through a link")
                continue
            member.name = norm
            try:
                tar.extract(member, dest, filter="data")  # the stdlib's own guard, a second time
            except (tarfile.FilterError, OSError) as exc:
                out.rejected.append(f"{member.name}: {exc}")
                continue
            if member.isfile():
                out.files.append(norm)
    for item in out.rejected:
        log.warning("nbjobs: skipped unsafe output %s", item)
    return out


def download_outputs(s3: Any, bucket: str, key: str, dest: Path, scratch: Path) -> Extracted | None:
    """Fetch and extract the tarball; None when the job left none (it never started, say)."""
    from botocore.exceptions import ClientError

    scratch.mkdir(parents=True, exist_ok=True)
    tar_path = scratch / "output.tar.gz"
    try:
        s3.download_file(bucket, key, str(tar_path))
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code"))
        if code in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    try:
        return safe_extract(tar_path, dest)
    finally:
        tar_path.unlink(missing_ok=True)


def collect_outputs(s3: Any, bucket: str, key: str, dest: Path, scratch: Path, spec: dict[str, Any],
                    description: dict[str, Any]) -> tuple[Extracted | None, DriverRun | None]:
    """download_outputs, then, when the headless execution driver ran (no result.json of our
    runner), its outputs renamed to a local job's and its error read from them."""
    extracted = download_outputs(s3, bucket, key, dest, scratch)
    if extracted is None or extracted.result is not None or not is_driver_layout(extracted.files):
        return extracted, None
    notebook = str(spec.get("notebook") or "")
    stem = str(spec.get("output_stem") or Path(notebook).stem)
    driver = adopt(Path(dest), extracted.files, stem, notebook,
                   str(description.get("FailureReason") or ""))
    extracted.files = driver.files
    return extracted, driver


def timed_out(description: dict[str, Any]) -> bool:
    return (str(description.get("SecondaryStatus") or "") == "MaxRuntimeExceeded"
            or "MaxRuntimeExceeded" in str(description.get("FailureReason") or ""))


def failure_error(description: dict[str, Any]) -> RunnerError:
    """Why SageMaker says the job failed; MaxRuntimeExceeded becomes a timeout."""
    reason_text = str(description.get("FailureReason") or "the training job failed")
    if timed_out(description):
        runtime = (description.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
        return {"message": f"MaxRuntimeExceeded: SageMaker stopped the job after its max runtime"
                           f" of {runtime} s", "reason": REASON_TIMEOUT, "cell_index": None,
                "ename": "MaxRuntimeExceeded", "evalue": reason_text, "traceback": []}
    return {"message": reason_text, "reason": "runner_error", "cell_index": None,
            "ename": None, "evalue": None, "traceback": []}


def _driver_result(driver: DriverRun) -> dict[str, Any]:
    """What the driver's outputs say, in the shape of our runner's result.json."""
    mine: dict[str, Any] = {"warnings": list(driver.warnings)}
    if driver.cells_total is not None:
        mine.update(cells_done=driver.cells_done, cells_total=driver.cells_total)
    if driver.error is not None:
        mine.update(status="failed", error=driver.error)
    return mine


def build_result(description: dict[str, Any], attempt: int, extracted: Extracted | None,
                 problems: list[str], driver: DriverRun | None = None) -> RunnerResult:
    """Combine SageMaker's final status with what the container reported about itself (our
    runner's result.json, or what the driver's notebook and log say)."""
    status_map = {"Completed": "completed", "Failed": "failed", "Stopped": "stopped"}
    sm_status = str(description.get("TrainingJobStatus"))
    status = status_map.get(sm_status, "failed")
    if status == "stopped" and timed_out(description):
        status = "failed"  # SageMaker stops a job at MaxRuntimeInSeconds: a local job times out
    if driver is not None:
        mine = _driver_result(driver)
    else:
        mine = dict(extracted.result) if extracted and isinstance(extracted.result, dict) else {}
    result: RunnerResult = {"status": status, "attempt": attempt, "error": None, "outputs": []}
    for key in ("started_at", "ended_at", "cells_done", "cells_total", "timings"):
        if key in mine:
            result[key] = mine[key]  # type: ignore[literal-required]
    for key, sm_key in (("started_at", "TrainingStartTime"), ("ended_at", "TrainingEndTime")):
        if key not in result and description.get(sm_key) is not None:
            value = description[sm_key]
            result[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)  # type: ignore[literal-required]
    if extracted is not None:
        listed = [n for n in mine.get("outputs") or [] if n in set(extracted.files)]
        result["outputs"] = listed + [n for n in extracted.files if n not in listed]
    if status == "completed":
        # SageMaker says the container exited 0; our runner's own verdict wins if it failed.
        if mine.get("status") in ("failed", "stopped"):
            result["status"] = mine["status"]
            result["error"] = mine.get("error")
    elif status == "stopped":
        # The driver's notebook shows how its kernel was cut off, not that a user stopped it.
        seen = None if driver is not None else mine.get("error")
        result["error"] = seen or {"message": "the training job was stopped", "reason": "stopped"}
        result["error"]["reason"] = "stopped"
    else:
        sm_error = failure_error(description)
        result["error"] = sm_error if sm_error["reason"] == "timeout" else (mine.get("error") or sm_error)
    warnings = list(mine.get("warnings") or []) + problems
    if extracted is not None:
        warnings += [f"skipped unsafe output {r}" for r in extracted.rejected]
    if warnings:
        result["warnings"] = warnings
    return result
