"""Second Jupyter servers on 127.0.0.1, as separate processes: the remote targets.

One logs in by token, one by password (cookie + _xsrf); both are shared by every test of a
worker (a server start costs seconds). They are plain Jupyter Servers (no config files, so no
extensions) with only the python3 kernelspec, and delete for real (no trash), so "the folder
is gone" means gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from jupyter_server.auth import passwd

TOKEN = "remote-token"
PASSWORD = "remote-pass"


@dataclass
class RemoteServer:
    url: str
    root: Path
    proc: subprocess.Popen
    token: str | None
    password: str | None

    def target(self, **extra) -> dict:
        login = {"token": self.token} if self.token else {"password": self.password}
        return {"url": self.url, **login, **extra}

    def admin(self, path: str, method: str = "GET") -> object:
        """An API call with the server's token (a password server also takes ADMIN)."""
        req = urllib.request.Request(f"{self.url}/{path}", method=method,
                                     headers={"Authorization": f"token {self.token or ADMIN}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def kernels(self) -> list[dict]:
        return self.admin("api/kernels")

    def runs(self) -> list[str]:
        """Job folders left under the remote's nbjobs-runs/ (not Jupyter's own hidden
        .ipynb_checkpoints, which its contents manager makes when deleting a folder)."""
        folder = self.root / "nbjobs-runs"
        if not folder.exists():
            return []
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


ADMIN = "admin-token"


def _wait(runtime: Path, proc: subprocess.Popen, log: Path, token: str,
          timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    info = runtime / f"jpserver-{proc.pid}.json"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"remote server exited:\n{log.read_text()[-3000:]}")
        try:
            port = json.loads(info.read_text())["port"]
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/status",
                                         headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=2):
                return port
        except (OSError, ValueError, KeyError):
            time.sleep(0.1)
    raise AssertionError(f"remote server did not start:\n{log.read_text()[-3000:]}")


REMOTE_ONLY_KERNEL = "remote-py"  # a kernelspec the password server has and ours lacks


def _launch(workdir: Path, token: str | None, password: str | None,
            port: int = 0) -> subprocess.Popen:
    root = workdir / "root"
    root.mkdir(parents=True, exist_ok=True)
    (workdir / "config").mkdir(exist_ok=True)
    allowed = {"python3"}
    data = workdir / "data"
    if password:
        spec_dir = data / "kernels" / REMOTE_ONLY_KERNEL
        spec_dir.mkdir(parents=True, exist_ok=True)
        (spec_dir / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Remote-only Python", "language": "python"}))
        allowed.add(REMOTE_ONLY_KERNEL)
    # A password server takes a token too (ADMIN, for the tests' own look at it), but the
    # backend logs in with the password only.
    auth = [f"--IdentityProvider.token={token or ADMIN}"]
    if password:
        auth.append(f"--PasswordIdentityProvider.hashed_password={passwd(password)}")
    cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={root}",
           f"--KernelSpecManager.allowed_kernelspecs={sorted(allowed)!r}",
           "--FileContentsManager.delete_to_trash=False", *auth]
    # Jupyter Server alone: no config files, so no server extensions (starts in half the time).
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(workdir / "runtime"),
           "JUPYTER_PATH": str(data),
           "JUPYTER_NO_CONFIG": "1", "JUPYTER_CONFIG_DIR": str(workdir / "config")}
    with open(workdir / "server.log", "wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)


def _end(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@contextlib.contextmanager
def remote_servers(*specs: tuple[Path, str | None, str | None],
                   port: int = 0) -> Iterator[list[RemoteServer]]:
    """Start servers side by side: each (workdir, token, password); yields them ready."""
    procs = [_launch(w, t, p, port) for w, t, p in specs]
    try:
        servers = []
        for (workdir, token, password), proc in zip(specs, procs, strict=True):
            port = _wait(workdir / "runtime", proc, workdir / "server.log", token or ADMIN)
            servers.append(RemoteServer(f"http://127.0.0.1:{port}", workdir / "root", proc,
                                        token, password))
        yield servers
    finally:
        for proc in procs:
            _end(proc)


@contextlib.contextmanager
def remote_server(workdir: Path, *, token: str | None = None, password: str | None = None,
                  port: int = 0) -> Iterator[RemoteServer]:
    with remote_servers((workdir, token, password), port=port) as (server,):
        yield server


@pytest.fixture(scope="session")
def remotes(tmp_path_factory) -> Iterator[list[RemoteServer]]:
    with remote_servers((tmp_path_factory.mktemp("remote-token"), TOKEN, None),
                        (tmp_path_factory.mktemp("remote-pw"), None, PASSWORD)) as servers:
        yield servers


@pytest.fixture(scope="session")
def token_server(remotes) -> RemoteServer:
    return remotes[0]


@pytest.fixture(scope="session")
def password_server(remotes) -> RemoteServer:
    return remotes[1]
