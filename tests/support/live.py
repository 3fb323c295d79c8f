"""A real `jupyter server` subprocess with the extension, reached over HTTP with a token.

For tests that need a server outside the test process (a fuzzer in its own process, a second
node). Port 0: the server asks the OS for a free port itself and writes the one it got to its
runtime file, so no port picked here can be taken first by an xdist worker or another run.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FINAL = ("completed", "failed", "stopped")


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash
    token: str
    log_path: Path
    proc: subprocess.Popen

    @property
    def api(self) -> str:
        return f"{self.url}/nbjobs"

    def call(self, method: str, route: str, body: Any = None,
             timeout: float = 30) -> tuple[int, Any]:
        """(status, JSON or None) of one API call; never raises on an HTTP error status."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.api}/{route.lstrip('/')}", data=data,
                                     method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                code, text = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            code, text = exc.code, exc.read()
        try:
            return code, json.loads(text) if text else None
        except ValueError:
            return code, text

    def wait_job(self, job_id: str, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            code, job = self.call("GET", f"jobs/{job_id}")
            assert code == 200, job
            if job["status"] in FINAL:
                return job
            assert time.monotonic() < deadline, f"job stayed {job['status']}: {job}"
            time.sleep(0.2)

    def stop_all_jobs(self, timeout: float = 60) -> None:
        """Stop every unfinished job and wait until none runs, so no runner outlives the test
        (runners live in their own session and would survive the server)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:  # a test killed it
            code, page = self.call("GET", "jobs?status=queued,running,stopping&limit=500")
            if code != 200:
                return  # the job list itself is broken: the test reports that
            ids = [j["id"] for j in page["jobs"]]
            if not ids:
                return
            self.call("POST", "jobs/bulk/stop", {"ids": ids})
            time.sleep(0.5)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _wait_ready(runtime_dir: Path, proc: subprocess.Popen, token: str, log_path: Path,
                timeout: float, ready_path: str) -> int:
    deadline = time.monotonic() + timeout
    info = runtime_dir / f"jpserver-{proc.pid}.json"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"jupyter server exited:\n{log_path.read_text()[-3000:]}")
        try:
            port = json.loads(info.read_text())["port"]
            req = urllib.request.Request(f"http://127.0.0.1:{port}{ready_path}",
                                         headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=2) as resp:
                if resp.status == 200:
                    return port
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"jupyter server did not start:\n{log_path.read_text()[-3000:]}")


@contextlib.contextmanager
def live_server(workdir: Path, root_dir: Path, db_url: str, token: str = "live-token",
                args: tuple[str, ...] = (), timeout: float = 90,
                ready_path: str = "/nbjobs/environments") -> Iterator[LiveServer]:
    """Start `jupyter server` with the extension on `db_url` (staging, runtime dir and log
    under `workdir`), ready once `ready_path` answers 200; stop its unfinished jobs and the
    server after."""
    runtime_dir = workdir / "runtime"
    log_path = workdir / "server.log"
    cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
           "--ServerApp.jpserver_extensions={'jupyterlab_nbjobs': True}",
           f"--NbJobsApp.db_url={db_url}", f"--NbJobsApp.staging_dir={workdir / 'staging'}",
           *args]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime_dir)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            port = _wait_ready(runtime_dir, proc, token, log_path, timeout, ready_path)
            server = LiveServer(f"http://127.0.0.1:{port}", token, log_path, proc)
            try:
                yield server
            finally:
                server.stop_all_jobs()
        finally:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
