"""Playing SageMaker's part around AWS's real notebook-job driver: what a job staged in moto
becomes inside a training container, run here.

The driver's paths are hard-coded (/opt/ml/..., /tmp/sagemaker_job_execution.log, and as root
a link at /home/sagemaker-user), so each container runs in a private mount namespace
(`unshare -m`, as root) where the job's own folders are bound over /opt/ml and /tmp and a tmpfs
covers /home: parallel pytest workers never see each other's /opt/ml, and nothing is left on
the machine. The driver and the kernel come from build/driver-venv (scripts/install.sh --test),
which does not have our package: a stock image.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

from tests.support.aws import build_opt_ml, upload_output_tar

ROOT = Path(__file__).resolve().parents[3]
DRIVER_VENV = ROOT / "build" / "driver-venv"
CONTAINER_PATH = f"{DRIVER_VENV}/bin:/usr/bin:/bin"  # no nbjobs-sagemaker-run on it
_MOUNT = ('set -e; mount --bind "$NBJOBS_T_ROOT" /opt/ml; mount --bind "$NBJOBS_T_TMP" /tmp; '
          'mount -t tmpfs tmpfs /home; exec "$@"')


def driver_missing() -> str | None:
    if not (DRIVER_VENV / "bin" / "amazon_sagemaker_scheduler").exists():
        return f"{DRIVER_VENV} has no driver: run `bash scripts/install.sh --test`"
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return "the driver's /opt/ml needs a private mount namespace: run as root with unshare"
    return None


class Container:
    """One training job's container: /opt/ml built from what was staged, then the request's
    entrypoint with the request's environment (and nothing of this machine's)."""

    def __init__(self, request: dict, workdir: Path, path: str = CONTAINER_PATH):
        self.request = request
        self.path = path
        self.workdir = Path(workdir)
        self.root = self.workdir / "opt-ml"
        self.tmp = self.workdir / "tmp"
        self.output = ""

    def stage(self, s3) -> None:
        build_opt_ml(s3, self.request, self.root)
        (self.root / "output" / "data").mkdir(parents=True, exist_ok=True)
        (self.tmp / "home").mkdir(parents=True, exist_ok=True)

    def env(self) -> dict[str, str]:
        return {"PATH": self.path, "HOME": "/tmp/home", "LANG": "C.UTF-8",
                "TRAINING_JOB_NAME": self.request.get("TrainingJobName", "pipeline-run"),
                **self.request["Environment"],
                "NBJOBS_T_ROOT": str(self.root), "NBJOBS_T_TMP": str(self.tmp)}

    async def run(self, timeout: float = 120) -> int:
        Path("/opt/ml").mkdir(parents=True, exist_ok=True)  # the mount point, left empty
        entry = self.request["AlgorithmSpecification"]["ContainerEntrypoint"]
        proc = await asyncio.create_subprocess_exec(
            "unshare", "-m", "--propagation", "private", "/bin/sh", "-c", _MOUNT, "sh", *entry,
            env=self.env(), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except asyncio.TimeoutError:
            os.killpg(proc.pid, 9)
            raise
        self.output = out.decode(errors="replace")
        return proc.returncode

    def failure(self) -> str:
        """/opt/ml/output/failure, cut as SageMaker cuts it into FailureReason."""
        path = self.root / "output" / "failure"
        return path.read_text(errors="replace")[:1024] if path.exists() else ""

    def upload(self, backend) -> str:
        return upload_output_tar(backend, self.request, self.root)


def unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False
