"""What the lifecycle scripts find on a SageMaker host, played on this machine: a clean
virtual environment with the extension's dependencies (built once per test session, shared by
the xdist workers, handed to one test at a time), and stand-ins on PATH for the SageMaker
tools the scripts call. Each stand-in appends its command line to a calls file."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# name -> script. STANDIN_ENV is the venv playing the server's environment, STANDIN_CALLS the
# calls file, STANDIN_S3 a folder per bucket, STANDIN_EC2_HOME ec2-user's home.
_RECORD = 'printf "%s\\n" "$(basename "$0")${*:+ $*}" >>"$STANDIN_CALLS"\n'
STANDINS = {
    # micromamba/conda: only `run -n <env> CMD...`, and only for the env SageMaker has there.
    # STANDIN_GATE (if set) holds them until that file exists: the test sees the script end
    # while its background install waits.
    "micromamba": _RECORD + """\
if [[ -n "${STANDIN_GATE:-}" ]]; then
  for _ in $(seq 1200); do [[ -e "$STANDIN_GATE" ]] && break; sleep 0.1; done
  [[ -e "$STANDIN_GATE" ]] || { echo "micromamba stand-in: gate never opened" >&2; exit 1; }
fi
if [[ "$1 $2 $3" == "run -n base" ]]; then
  shift 3
  PATH="$STANDIN_ENV/bin:$PATH" exec "$@"
fi
echo "micromamba stand-in: knows only 'run -n base', got: $*" >&2
exit 1
""",
    "conda": _RECORD + """\
if [[ "$1 $2 $3" == "run -n studio" ]]; then
  shift 3
  PATH="$STANDIN_ENV/bin:$PATH" exec "$@"
fi
echo "conda stand-in: knows only 'run -n studio', got: $*" >&2
exit 1
""",
    # sudo -u ec2-user -i CMD...: CMD as ec2-user in its home (the environment is kept, so
    # pip stays offline; real sudo -i would reset it).
    "sudo": _RECORD + """\
if [[ "$1 $2 $3" != "-u ec2-user -i" ]]; then
  echo "sudo stand-in: knows only '-u ec2-user -i', got: $*" >&2
  exit 1
fi
shift 3
cd "$STANDIN_EC2_HOME"
HOME="$STANDIN_EC2_HOME" USER=ec2-user LOGNAME=ec2-user exec "$@"
""",
    "restart-jupyter-server": _RECORD,
    "systemctl": _RECORD,
    # aws s3 cp [options] SRC DST: s3://bucket/key is $STANDIN_S3/bucket/key.
    "aws": _RECORD + """\
[[ "$1 $2" == "s3 cp" ]] || { echo "aws stand-in: knows only 's3 cp', got: $*" >&2; exit 1; }
shift 2
recursive=0 paths=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --recursive) recursive=1 ;;
    --only-show-errors) ;;
    --exclude|--include) shift ;;
    *) paths+=("$1") ;;
  esac
  shift
done
src="$STANDIN_S3/${paths[0]#s3://}"
if [[ $recursive -eq 1 ]]; then
  [[ -d "$src" ]] || exit 0
  cp "$src"/*.whl "${paths[1]}"
else
  [[ -f "$src" ]] || { echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key not found" >&2; exit 1; }
  cp "$src" "${paths[1]}"
fi
""",
}
# ec2-user's Anaconda: `source ~/anaconda3/bin/activate JupyterSystemEnv`.
ACTIVATE = _RECORD.replace("$(basename \"$0\")", "activate") + """\
if [[ "${1:-}" != JupyterSystemEnv ]]; then
  echo "activate stand-in: no environment ${1:-}" >&2
  return 1
fi
# shellcheck disable=SC1091
source "$STANDIN_ENV/bin/activate"
"""


@contextlib.contextmanager
def file_lock(path: Path):
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _pip(venv: Path, *args: str) -> None:
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "-q", *args], check=True,
                   capture_output=True, text=True, timeout=600)


@dataclass
class SharedVenv:
    """A venv with the extension's dependencies but not the extension, and its wheel."""

    root: Path
    venv: Path
    wheels: Path
    build_seconds: float

    @property
    def wheel(self) -> Path:
        [wheel] = self.wheels.glob("jupyterlab_nbjobs-*.whl")
        return wheel

    @classmethod
    def get(cls, root: Path) -> SharedVenv:
        """Built once under `root` (the session's folder, shared by xdist workers)."""
        venv, wheels, ready = root / "lcc-venv", root / "lcc-wheels", root / "lcc-venv.ready"
        with file_lock(root / "lcc-venv.lock"):
            if not ready.exists():
                start = time.monotonic()
                shutil.rmtree(venv, ignore_errors=True)
                shutil.rmtree(wheels, ignore_errors=True)
                subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                                str(wheels), str(REPO)], check=True, capture_output=True,
                               timeout=600, env={**os.environ, "SKIP_JUPYTER_BUILDER": "1"})
                subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True,
                               timeout=300)
                # The dependencies from the wheel's metadata, then the extension out again.
                _pip(venv, "install", "--no-compile", str(next(wheels.glob("*.whl"))))
                _pip(venv, "uninstall", "-y", "jupyterlab_nbjobs")
                ready.write_text(f"{time.monotonic() - start:.1f}")
        return cls(root, venv, wheels, float(ready.read_text()))

    @contextlib.contextmanager
    def borrowed(self):
        """The venv for one test, without the extension (a test before may have put it in)."""
        with file_lock(self.root / "lcc-venv.use"):
            site = next(self.venv.glob("lib/python*/site-packages"))
            if list(site.glob("jupyterlab_nbjobs*")):
                _pip(self.venv, "uninstall", "-y", "jupyterlab_nbjobs")
            assert not list(site.glob("jupyterlab_nbjobs*"))
            for leftover in (self.venv / "etc" / "jupyterlab_nbjobs-lcc.stamp",
                             self.venv / "etc" / "jupyter" / "jupyter_server_config.json"):
                leftover.unlink(missing_ok=True)
            yield self


@dataclass
class Host:
    """One SageMaker host: its tools on PATH, its S3, its users' homes, what was called."""

    path: Path
    env: dict[str, str]
    venv: SharedVenv

    @property
    def calls_file(self) -> Path:
        return Path(self.env["STANDIN_CALLS"])

    def calls(self) -> list[str]:
        return self.calls_file.read_text().splitlines() if self.calls_file.exists() else []

    @property
    def state(self) -> Path:
        return Path(self.env["NBJOBS_LCC_DIR"])

    def put_s3(self, uri: str, source: Path) -> None:
        dest = Path(self.env["STANDIN_S3"]) / uri.removeprefix("s3://")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, dest)

    def run_script(self, script: Path, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(script)], env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def wait_status(self, timeout: float = 240) -> str:
        """The background install's result: 'ok ...' or 'failed: ...'."""
        status = self.state / "status"
        deadline = time.monotonic() + timeout
        while True:
            text = status.read_text().strip() if status.exists() else ""
            if text and text != "running":
                return text
            if time.monotonic() > deadline:
                log = (self.state / "install.log")
                raise AssertionError(f"no result after {timeout} s; log:\n"
                                     + (log.read_text() if log.exists() else "(none)"))
            time.sleep(0.2)

    def log(self) -> str:
        return (self.state / "install.log").read_text()

    def extension_list(self) -> str:
        res = subprocess.run([str(self.venv.venv / "bin" / "jupyter"), "server", "extension",
                              "list"], env=self.env, capture_output=True, text=True, timeout=120)
        return res.stdout + res.stderr


def make_host(tmp: Path, venv: SharedVenv) -> Host:
    bin_dir, ec2_home = tmp / "sagemaker-bin", tmp / "ec2-user"
    bin_dir.mkdir()
    for name, body in STANDINS.items():
        (bin_dir / name).write_text("#!/bin/bash\nset -euo pipefail\n" + body)
        (bin_dir / name).chmod(0o755)
    activate = ec2_home / "anaconda3" / "bin" / "activate"
    activate.parent.mkdir(parents=True)
    activate.write_text(ACTIVATE)
    (tmp / "home").mkdir()
    (tmp / "jupyter-config").mkdir()
    env = {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp / "home"),
        "LANG": "C.UTF-8",
        "NBJOBS_LCC_DIR": str(tmp / "lcc-state"),
        "STANDIN_ENV": str(venv.venv),
        "STANDIN_CALLS": str(tmp / "calls.txt"),
        "STANDIN_S3": str(tmp / "s3"),
        "STANDIN_EC2_HOME": str(ec2_home),
        # Offline: the dependencies are in the venv, our wheel is the only thing to find.
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(venv.wheels),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"),
        "JUPYTER_CONFIG_PATH": "",
        "JUPYTER_PREFER_ENV_PATH": "1",
    }
    return Host(path=tmp, env=env, venv=venv)
