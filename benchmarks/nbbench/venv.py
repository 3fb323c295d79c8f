"""jupyter-scheduler in its own throwaway virtual environment (never in ours)."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

SCHEDULER_REQUIREMENT = "jupyter-scheduler>=2.12,<2.13"
# ipykernel gives the venv its own `python3` kernel, as a user's environment would have.
REQUIREMENTS = [SCHEDULER_REQUIREMENT, "ipykernel"]


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def installed_version(python: Path) -> str | None:
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m, ipykernel; "
                            "print(m.version('jupyter_scheduler'))"],
        capture_output=True, text=True, timeout=120)
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure_scheduler_venv(venv: Path, log: Path, timeout: float = 900.0) -> tuple[str, str]:
    """Create the venv and install jupyter-scheduler 2.12.x once; returns (python, version).
    Runs with their own --work-dir share the venv: installing is done under a file lock."""
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / "venv.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure(venv, log, timeout)


def _ensure(venv: Path, log: Path, timeout: float) -> tuple[str, str]:
    python = venv_python(venv)
    version = installed_version(python)
    if version and version.startswith("2.12."):
        return str(python), version
    started = time.monotonic()
    print(f"  installing {SCHEDULER_REQUIREMENT} into {venv} (log: {log}) ...", flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                           stdout=out, stderr=subprocess.STDOUT, timeout=300)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
                       check=True, stdout=out, stderr=subprocess.STDOUT,
                       timeout=max(60.0, timeout - (time.monotonic() - started)))
    version = installed_version(python)
    if not version or not version.startswith("2.12."):
        raise RuntimeError(f"jupyter-scheduler 2.12.x not importable in {venv} (got {version})")
    print(f"  installed jupyter-scheduler {version} in {time.monotonic() - started:.0f} s")
    return str(python), version
