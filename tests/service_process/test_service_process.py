"""The services in a process of their own (c.NbJobsApp.service_process = "always"): real
`jupyter server` processes, their real service process, real kernels, the real command
line writing the same SQLite file."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.support.jobkit import wait_for
from tests.support.live import live_server
from tests.support.server import write_notebook

SERVICE_ARGS = (
    "--NbJobsApp.service_process=always", "--NbJobsApp.service_idle_timeout=3",
    "--NbJobsApp.scheduler_poll_interval=0.5", "--LocalBackend.pool_idle_timeout=2",
    "--NbJobsApp.cron_seconds_field=True",
    "--ServerApp.identity_provider_class=tests.support.identity.HeaderIdentityProvider",
    "--ServerApp.authorizer_class=tests.support.identity.RightsAuthorizer",
    "--RightsAuthorizer.rights={'reader': ['read'], 'nobody': []}",
)


def call(server, method: str, route: str, body=None, user: str | None = "alice",
         groups: str = "", token: bool = True):
    """(status, headers, body bytes) of one request; never raises on an HTTP status."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {server.token}"
    if user:
        headers["X-Nbjobs-Test-User"] = user
    if groups:
        headers["X-Nbjobs-Test-Groups"] = groups
    data = None if body is None else (body if isinstance(body, bytes) else
                                      json.dumps(body).encode())
    req = urllib.request.Request(f"{server.api}/{route}", data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def service_pids(server) -> list[int]:
    return [p.pid for p in psutil.Process(server.proc.pid).children()
            if "jupyterlab_nbjobs.service_process" in " ".join(p.cmdline())]


def wait_final(server, job_id: str, user: str = "alice", timeout: float = 90) -> dict:
    def final():
        code, _, body = call(server, "GET", f"jobs/{job_id}", user=user)
        job = json.loads(body)
        return job if code == 200 and job["status"] in ("completed", "failed", "stopped") \
            else None
    return wait_for(final, timeout, 0.2)


@pytest.fixture
def service_server(tmp_path: Path):
    root = tmp_path / "root"
    root.mkdir()
    write_notebook(root, "one.ipynb", "print('hello')")
    db_url = f"sqlite:///{tmp_path / 'nbjobs.sqlite'}"
    with live_server(tmp_path, root, db_url, args=SERVICE_ARGS,
                     ready_path="/api/status") as server:
        server.root = root
        server.db_url = db_url
        yield server


def test_requests_are_served_by_a_process_that_ends_when_idle(service_server):
    server = service_server
    time.sleep(1.0)  # past the extension's start: nothing in the store, nothing started
    assert service_pids(server) == []

    # Refused by the server itself: nothing is started for them.
    assert call(server, "GET", "jobs", token=False)[0] == 403
    code, _, body = call(server, "GET", "jobs", user="nobody")
    assert (code, json.loads(body)["reason"]) == (403, "forbidden")
    assert service_pids(server) == []

    code, _, body = call(server, "GET", "jobs")
    assert (code, json.loads(body)) == (200, {"jobs": [], "next_cursor": None})
    [first] = service_pids(server)

    # The user the server authenticated is the one the services see.
    code, _, body = call(server, "GET", "me", user="carol", groups="team-a,team-b")
    me = json.loads(body)
    assert code == 200 and me["username"] == "carol", me
    code, _, body = call(server, "POST", "jobs", {"input_path": "one.ipynb"}, user="carol")
    assert code == 201, body
    job = json.loads(body)
    assert job["created_by"] == "carol"
    assert wait_final(server, job["id"])["status"] == "completed"

    # Files keep their own type, name and sandbox; errors keep the one shape.
    code, headers, body = call(server, "GET", f"jobs/{job['id']}/outputs/one.ipynb?download=1")
    assert code == 200 and "hello" in body.decode()
    assert "attachment" in headers["Content-Disposition"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    code, headers, body = call(server, "GET", f"jobs/{job['id']}/view")
    assert code == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Content-Security-Policy"].startswith("sandbox")
    code, _, body = call(server, "POST", "jobs", {"input_path": "missing.ipynb"})
    assert code == 400 and json.loads(body)["field"] == "input_path"
    code, _, body = call(server, "POST", "jobs", b"{not json")
    assert (code, json.loads(body)["reason"]) == (400, "malformed_json")
    code, _, body = call(server, "GET", "no/such/thing")
    assert (code, json.loads(body)["reason"]) == (404, "not_found")
    code, _, body = call(server, "DELETE", f"jobs/{job['id']}")
    assert (code, body) == (204, b"")
    assert call(server, "GET", f"jobs/{job['id']}")[0] == 404

    # A schedule not due for weeks does not hold it either.
    code, _, body = call(server, "POST", "schedules", {"input_path": "one.ipynb",
                                                       "cron": "0 0 1 1 *"})
    assert code == 201, body

    # Nothing to do for service_idle_timeout: it ends, with its pool; the next request
    # starts another.
    assert wait_for(lambda: not psutil.pid_exists(first) or
                    psutil.Process(first).status() == psutil.STATUS_ZOMBIE, 30)
    assert wait_for(lambda: psutil.Process(server.proc.pid).children(recursive=True) == [], 30)
    assert "the service process stops" in server.log_text()
    code, _, body = call(server, "GET", "jobs")
    assert code == 200
    [second] = service_pids(server)
    assert second != first


def test_the_servers_authorizer_decides_each_action(service_server):
    server = service_server
    code, _, body = call(server, "GET", "jobs", user="reader")
    assert code == 200, body
    code, _, body = call(server, "POST", "jobs", {"input_path": "one.ipynb"}, user="reader")
    assert (code, json.loads(body)["reason"]) == (403, "forbidden")
    code, _, body = call(server, "GET", "jobs?status=queued,running", user="reader")
    assert code == 200 and json.loads(body)["jobs"] == []


def test_work_written_to_the_store_starts_the_process(service_server, tmp_path):
    server = service_server
    time.sleep(1.0)
    assert service_pids(server) == []
    config_dir = tmp_path / "cli-config"
    config_dir.mkdir()
    (config_dir / "jupyter_server_config.json").write_text(json.dumps({"NbJobsApp": {
        "db_url": server.db_url, "staging_dir": str(tmp_path / "staging"),
        "cron_seconds_field": True}}))
    # The seconds field comes last (croniter's order): every 2 seconds, not every 2 minutes.
    done = subprocess.run(
        [sys.executable, "-m", "jupyterlab_nbjobs.cli", "--root-dir", str(server.root),
         "schedule", "create", "one.ipynb", "--cron", "* * * * * */2"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(config_dir), "JUPYTER_CONFIG_PATH": ""})
    assert done.returncode == 0, done.stderr
    assert wait_for(lambda: service_pids(server), 60, 0.2, lambda: server.log_text()[-3000:])

    def fired():
        code, _, body = call(server, "GET", "jobs")
        return code == 200 and json.loads(body)["jobs"]
    assert wait_for(fired, 60, 0.2, lambda: server.log_text()[-3000:])


def test_the_process_ends_with_its_server_and_is_replaced_when_lost(service_server):
    server = service_server
    assert call(server, "GET", "jobs")[0] == 200
    [first] = service_pids(server)
    os.kill(first, signal.SIGKILL)
    psutil.Process(first).wait(10) if psutil.pid_exists(first) else None
    # The request that finds it gone is answered 503, or by a new process at once.
    codes = [call(server, "GET", "jobs")[0] for _ in range(2)]
    assert codes[-1] == 200 and set(codes) <= {200, 503}, codes
    [second] = service_pids(server)
    assert second != first

    server.proc.kill()  # the server dies without stopping anything: the pipe closes
    server.proc.wait(10)
    assert wait_for(lambda: not psutil.pid_exists(second) or
                    psutil.Process(second).status() == psutil.STATUS_ZOMBIE, 30)


def test_relative_paths_in_the_settings_mean_the_servers_folder(tmp_path):
    """The process starts in the package's folder (nothing in the server's shadows an
    import) and then works in the server's, where a relative db_url points."""
    from jupyterlab_nbjobs.paths import PACKAGE_PARENT, child_python_env

    here = tmp_path / "server-folder"
    here.mkdir()
    (here / "tornado.py").write_text("raise SystemExit('the server folder was imported from')\n")
    spec = {"config": {"NbJobsApp": {"db_url": "sqlite:///rel.sqlite",
                                     "staging_dir": "staging"}},
            "root_dir": str(here), "default_kernel": "python3",
            "socket": str(tmp_path / "s.sock"), "log_level": 30, "headers": {},
            "csp_report_uri": "/api/security/csp-report", "cwd": str(here)}
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab_nbjobs.service_process"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=PACKAGE_PARENT, env=child_python_env())
    try:
        proc.stdin.write((json.dumps(spec) + "\n").encode())
        proc.stdin.flush()
        answer = json.loads(proc.stdout.readline() or b"{}")
        assert answer.get("ready"), proc.stderr.read().decode()[-3000:]
        assert (here / "rel.sqlite").exists()
        assert not (Path(PACKAGE_PARENT) / "rel.sqlite").exists()
    finally:
        proc.stdin.close()
        assert proc.wait(30) == 0


NOISY_BACKEND = '''
import datetime
print("a library that prints as it is imported")
from traitlets import Any
from jupyterlab_nbjobs.backends.local import LocalBackend


class NoisyBackend(LocalBackend):
    name = "noisy"
    greeting = Any(None).tag(config=True)

    @property
    def label(self):
        return f"noisy {self.greeting!r}"
'''


@pytest.fixture
def noisy_backend(tmp_path, monkeypatch):
    """A backend package that prints at import, and a config dir to configure it from."""
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "noisy_backend.py").write_text(NOISY_BACKEND)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in [str(modules), os.environ.get("PYTHONPATH")] if p))
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "")
    return config_dir


def labels(server) -> dict[str, str]:
    code, _, body = call(server, "GET", "environments")
    assert code == 200, body
    return {b["name"]: b["label"] for b in json.loads(body)["backends"]}


@contextlib.contextmanager
def configured_server(tmp_path: Path, config_dir: Path, config: str):
    """A server in service-process mode with `config` as its jupyter_server_config.py."""
    (config_dir / "jupyter_server_config.py").write_text(config)
    root = tmp_path / "root"
    root.mkdir()
    with live_server(tmp_path, root, f"sqlite:///{tmp_path / 'db.sqlite'}", args=SERVICE_ARGS,
                     ready_path="/api/status") as server:
        yield server


def test_a_print_before_the_answer_does_not_spoil_the_start(tmp_path, noisy_backend):
    with configured_server(tmp_path, noisy_backend,
                           "c.NbJobsApp.backend_classes = ['jupyterlab_nbjobs.backends.local."
                           "LocalBackend', 'noisy_backend.NoisyBackend']\n"
                           "c.NoisyBackend.greeting = 'hello'\n") as server:
        assert labels(server)["noisy"] == "noisy 'hello'"  # a section of its own, carried
        assert labels(server)["noisy"] == "noisy 'hello'"  # and again: one process serves
        assert len(service_pids(server)) == 1
        assert "a library that prints" in server.log_text()


def test_a_backend_setting_that_is_no_value_keeps_the_services_in_the_server(
        tmp_path, noisy_backend):
    with configured_server(tmp_path, noisy_backend,
                           "import datetime\n"
                           "c.NbJobsApp.backend_classes = ['noisy_backend.NoisyBackend']\n"
                           "c.NbJobsApp.default_backend = 'noisy'\n"
                           "c.NoisyBackend.greeting = datetime.timedelta(seconds=5)\n"
                           ) as server:
        assert labels(server) == {"noisy": "noisy datetime.timedelta(seconds=5)"}
        assert service_pids(server) == []
        assert "c.NoisyBackend.greeting" in server.log_text()
