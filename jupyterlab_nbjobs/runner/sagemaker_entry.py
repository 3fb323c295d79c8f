"""`nbjobs-sagemaker-run`: the container side of a SageMaker job.

Reads the headless execution contract (SM_* environment, /opt/ml/input/data/<channel>,
/opt/ml/input/config/hyperparameters.json), builds a JOB_DIR per runner/contract.py, runs
run_job() on it with /opt/ml/output/data as the output directory (SageMaker tars that
folder to output.tar.gz), adds `.nbjobs/result.json`, and on failure writes
/opt/ml/output/failure, which SageMaker shows as the job's FailureReason.

NBJOBS_SM_ROOT replaces /opt/ml (tests run this on an ordinary machine).
No server or boto3 imports here: this starts in a fresh container.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from .contract import RESULT_FILE, SPEC_FILE, WORK_DIR, RunnerResult, read_json, write_json_atomic

CONTAINER_ROOT = "/opt/ml"
META_DIR = ".nbjobs"
DEFAULT_CHANNEL = "sagemaker_headless_execution"
BOOTSTRAP = f"{META_DIR}/bootstrap.sh"
FAILURE_TAIL_LINES = 20
FAILURE_MAX = 1000  # SageMaker keeps about 1 KB of the failure file


def sm_root() -> Path:
    return Path(os.environ.get("NBJOBS_SM_ROOT") or CONTAINER_ROOT)


def _in_root(path: str, root: Path) -> Path:
    """Map a container path (/opt/ml/...) under the root in use."""
    if path == CONTAINER_ROOT or path.startswith(CONTAINER_ROOT + "/"):
        return root / path[len(CONTAINER_ROOT):].lstrip("/")
    return Path(path)


def _parse_hyper(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def merge_parameters(typed: dict[str, Any], hyper: dict[str, Any]) -> dict[str, Any]:
    """Typed parameters from job.json win; a hyperparameter that differs from its string form
    (a pipeline run overriding it) replaces it, parsed as JSON when it is JSON."""
    params = dict(typed)
    for name, raw in (hyper or {}).items():
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if name in typed:
            mine = typed[name] if isinstance(typed[name], str) else json.dumps(typed[name])
            if mine == text:
                continue
            params[name] = text if isinstance(typed[name], str) else _parse_hyper(text)
        else:
            params[name] = text
    return params


def source_init_script(script: Path, cwd: Path) -> dict[str, str]:
    """Source the script in bash and return the variables it exported or changed."""
    probe = ['bash', '-c', 'set -a; . "$1" 1>&2 || exit $?; env -0', "nbjobs-init", str(script)]
    done = subprocess.run(probe, cwd=cwd, capture_output=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-FAILURE_MAX:]
        raise RuntimeError(f"init script exited with {done.returncode}: {tail}")
    changed = {}
    for item in done.stdout.split(b"\0"):
        name, sep, value = item.decode(errors="replace").partition("=")
        if sep and name not in ("_", "SHLVL", "PWD", "OLDPWD") and os.environ.get(name) != value:
            changed[name] = value
    return changed


def prepare_job_dir(root: Path, job_dir: Path) -> dict[str, Any]:
    """Build JOB_DIR (job.json + work/) from the input channel; returns the spec."""
    channel = os.environ.get("SM_EXECUTION_INPUT_PATH") or f"{CONTAINER_ROOT}/input/data/{DEFAULT_CHANNEL}"
    input_dir = _in_root(channel, root)
    if not input_dir.is_dir():
        raise RuntimeError(f"input channel {input_dir} is missing")
    spec: dict[str, Any] = read_json(input_dir / META_DIR / SPEC_FILE) or {}
    notebook = spec.get("notebook") or os.environ.get("SM_INPUT_NOTEBOOK_NAME")
    if not notebook:
        raise RuntimeError("no notebook: neither .nbjobs/job.json nor SM_INPUT_NOTEBOOK_NAME")
    if job_dir.exists():
        shutil.rmtree(job_dir)
    shutil.copytree(input_dir, job_dir / WORK_DIR, symlinks=True,
                    ignore=lambda d, names: [META_DIR] if Path(d) == input_dir else [])
    hyper = read_json(root / "input" / "config" / "hyperparameters.json") or {}
    output_dir = root / "output" / "data"
    output_dir.mkdir(parents=True, exist_ok=True)
    formats = spec.get("output_formats") or ["ipynb"] + [
        f for f in (os.environ.get("SM_OUTPUT_FORMATS") or "").split(",") if f.strip()]
    stem = spec.get("output_stem") or Path(os.environ.get("SM_OUTPUT_NOTEBOOK_NAME") or notebook).stem
    env = dict(spec.get("env") or {})
    # The driver's SM_INIT_SCRIPT is our bootstrap (typed parameters and written files, which
    # this runner does itself); the user's own script is NBJOBS_INIT_SCRIPT.
    init = os.environ.get("SM_INIT_SCRIPT")
    if init == BOOTSTRAP or "NBJOBS_INIT_SCRIPT" in os.environ:
        init = os.environ.get("NBJOBS_INIT_SCRIPT")
    if init:
        script = input_dir / init if not os.path.isabs(init) else _in_root(init, root)
        env.update(source_init_script(script, job_dir / WORK_DIR))
    spec.update(
        job_id=spec.get("job_id") or os.environ.get("NBJOBS_JOB_ID") or os.environ.get("TRAINING_JOB_NAME", ""),
        attempt=int(os.environ.get("NBJOBS_ATTEMPT") or spec.get("attempt") or 1),
        notebook=notebook, kernel_name=spec.get("kernel_name") or os.environ.get("SM_KERNEL_NAME") or None,
        parameters=merge_parameters(spec.get("parameters") or {}, hyper), output_formats=formats,
        env=env, output_dir=str(output_dir), output_stem=stem)
    if not spec["kernel_name"]:
        spec.pop("kernel_name")
    write_json_atomic(job_dir / SPEC_FILE, spec)
    return spec


def write_failure(root: Path, result: RunnerResult, spec: dict[str, Any]) -> None:
    error = result.get("error") or {}
    head = f"[SM-nbjobs] {error.get('reason', 'failed')}: {error.get('message', 'the notebook failed')}"
    tail = ""
    log_path = Path(spec.get("output_dir") or "") / f"{spec.get('output_stem', '')}.log"
    if spec.get("output_stem") and log_path.is_file():
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        tail = "\n".join(lines[-FAILURE_TAIL_LINES:])
    text = (head + ("\n" + tail if tail else ""))
    if len(text) > FAILURE_MAX:  # keep the head (the reason) and the end of the log
        text = head[:FAILURE_MAX // 2] + "\n...\n" + text[-(FAILURE_MAX // 2):]
    failure = root / "output" / "failure"
    failure.parent.mkdir(parents=True, exist_ok=True)
    failure.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    root = sm_root()
    job_dir = Path(os.environ.get("NBJOBS_SM_JOB_DIR") or root / "nbjobs-job")
    spec: dict[str, Any] = {}
    try:
        spec = prepare_job_dir(root, job_dir)
        from .execute import run_job

        result = run_job(job_dir)
    except Exception as exc:  # noqa: BLE001 - SageMaker must get a failure file, not a traceback
        result = {"status": "failed", "outputs": [],
                  "error": {"message": f"{type(exc).__name__}: {exc}", "reason": "runner_error"}}
        job_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(job_dir / RESULT_FILE, result)
    out_meta = root / "output" / "data" / META_DIR
    out_meta.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out_meta / RESULT_FILE, result)
    status = result.get("status")
    error = result.get("error") or {}
    print(f"nbjobs: {status} {error.get('message', '')}".rstrip(), flush=True)
    if status != "completed":
        write_failure(root, result, spec)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
