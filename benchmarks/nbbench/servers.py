"""Start and stop the two `jupyter server`s, each fully isolated under its own directory.

Each side gets its own Jupyter config/data/runtime dirs, IPython dir, server root, database
and staging dir, a free 127.0.0.1 port and a random token. Both run a bare `jupyter server`
with terminals and the job extension only (our environment also has JupyterLab, LSP and
notebook_shim installed; they are switched off so that both servers load the same amount).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from .clients import ApiClient, BareClient, OursClient, TheirsClient
from .jsonhttp import JsonHttp
from .procs import Registry, end, tree, wait_until

OFF = {"jupyterlab": False, "jupyter_lsp": False, "notebook_shim": False}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_server_command(python: str) -> list[str]:
    """What `jupyter server` runs: the console script next to the interpreter."""
    script = Path(python).parent / "jupyter-server"
    return [python, str(script)] if script.exists() else [python, "-m", "jupyter_server"]


class Server:
    """One side: `ours` (this environment, our extension) or `theirs` (the venv)."""

    def __init__(self, side: str, python: str, home: Path, extra_config: dict | None = None):
        self.side = side
        self.python = python
        self.home = home
        self.root = home / "root"
        # Outside `home` (which is wiped at start) so that a later run can clean up.
        self.registry = Registry(home.parent / f"pids-{home.name}.json")
        self.extra_config = extra_config or {}
        self.port = 0
        self.token = secrets.token_hex(16)
        self.popen: subprocess.Popen | None = None
        self.proc: psutil.Process | None = None
        self.http: JsonHttp | None = None
        self.client: ApiClient | None = None
        self.log_path = home / "server.log"
        self.start_seconds: float | None = None

    # -- paths ------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.home / "data" / ("nbjobs.sqlite" if self.side == "ours" else "scheduler.sqlite")

    def _config(self) -> dict:
        server = {"ip": "127.0.0.1", "port": self.port, "port_retries": 0,
                  "open_browser": False, "root_dir": str(self.root), "allow_root": True}
        config: dict = {"ServerApp": server, "IdentityProvider": {"token": self.token}}
        if self.side == "bare":  # the same server with no job extension: the baseline
            server["jpserver_extensions"] = {**OFF, "jupyterlab_nbjobs": False}
        elif self.side == "ours":
            server["jpserver_extensions"] = {**OFF, "jupyterlab_nbjobs": True}
            config["NbJobsApp"] = {"db_url": f"sqlite:///{self.db_path}",
                                   "staging_dir": str(self.home / "data" / "staging")}
        else:
            server["jpserver_extensions"] = {"jupyter_scheduler": True}
            config["SchedulerApp"] = {"db_url": f"sqlite:///{self.db_path}"}
            config["Scheduler"] = {"staging_path": str(self.home / "data" / "staging")}
        for section, values in self.extra_config.items():
            config.setdefault(section, {}).update(values)
        return config

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV", "JUPYTER_TOKEN"):
            if self.side == "theirs" or key != "PYTHONPATH":
                env.pop(key, None)
        env.update({
            "JUPYTER_CONFIG_DIR": str(self.home / "config"),
            "JUPYTER_DATA_DIR": str(self.home / "data"),
            "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
            "IPYTHONDIR": str(self.home / "ipython"),
            "PYTHONUNBUFFERED": "1",
        })
        if self.side == "theirs":
            env["PATH"] = f"{Path(self.python).parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    # -- life -------------------------------------------------------------------------
    def prepare(self) -> None:
        self.registry.cleanup_previous()
        if self.home.exists():
            shutil.rmtree(self.home)
        for sub in ("config", "data", "runtime", "ipython", "root"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)

    def start(self, timeout: float = 120.0) -> None:
        self.port = free_port()
        (self.home / "config" / "jupyter_server_config.json").write_text(
            json.dumps(self._config(), indent=1))
        started = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                jupyter_server_command(self.python), cwd=self.root, env=self._env(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        self.proc = psutil.Process(self.popen.pid)
        self.registry.add([self.proc])
        self.http = JsonHttp(self.port, self.token)
        self.client = {"ours": OursClient, "bare": BareClient}.get(
            self.side, TheirsClient)(self.http)
        if not wait_until(self._ready, timeout, interval=0.02):
            tail = self.log_path.read_text(errors="replace")[-3000:]
            self.stop()
            raise RuntimeError(f"{self.side} server not ready in {timeout:.0f} s; log:\n{tail}")
        self.start_seconds = time.monotonic() - started

    def _ready(self) -> bool:
        if self.popen.poll() is not None:
            raise RuntimeError(f"{self.side} server exited with {self.popen.returncode}; "
                               f"see {self.log_path}")
        try:
            return self.client.ready()
        except Exception:
            return False

    def descendants(self) -> list[psutil.Process]:
        return tree(self.proc)[1:] if self.proc else []

    def server_rss(self) -> int:
        try:
            return self.proc.memory_info().rss
        except (psutil.Error, AttributeError):
            return 0

    def end_jobs(self) -> None:
        """End every process under the server (job processes, kernels), keep the server."""
        procs = self.descendants()
        self.registry.add(procs)
        end(procs, grace=3.0)

    def stop(self, grace: float = 15.0) -> None:
        """Stop the server and every process it ever started; bounded in time."""
        if self.proc is None:
            return
        kids = self.descendants()
        self.registry.add(kids)
        if self.http:
            self.http.close()
        end([self.proc], grace=grace)
        if self.popen:
            try:
                self.popen.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        leftovers = {p.pid: p for p in kids + self.registry.alive() if p.pid != os.getpid()}
        end(list(leftovers.values()), grace=5.0)
        self.registry.path.unlink(missing_ok=True)
        self.proc = None


def ours(work: Path, extra_config: dict | None = None, name: str = "ours") -> Server:
    return Server("ours", sys.executable, work / name, extra_config)


def bare(work: Path) -> Server:
    return Server("bare", sys.executable, work / "bare")


def theirs(work: Path, python: str) -> Server:
    return Server("theirs", python, work / "theirs")
