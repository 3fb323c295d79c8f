"""Idle stop against a real Jupyter server standing in for the instance: its /api/status
`last_activity`, read through the (fake) presigned URL with the cookie it sets, decides."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

from jupyterlab_nbjobs.services.instances.autostop import AutoStop
from jupyterlab_nbjobs.services.instances.idle import IdleStop, last_activity
from jupyterlab_nbjobs.store.tables import utcnow
from tests.instances.helpers import OWNER, make_instance, make_project


@contextlib.contextmanager
def stand_in_jupyter(workdir):
    """A plain `jupyter server` (none of our extension) on a free port, with a token."""
    token = "stand-in-token"
    runtime = workdir / "runtime"
    log = open(workdir / "stand-in.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
         "--ServerApp.jpserver_extensions={'jupyterlab_nbjobs': False}"],
        stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)})
    try:
        deadline = time.monotonic() + 60
        info = runtime / f"jpserver-{proc.pid}.json"
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, \
                (workdir / "stand-in.log").read_text()[-2000:]
            try:
                url = f"http://127.0.0.1:{json.loads(info.read_text())['port']}"
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2).read()
                break
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        yield url, token
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


async def test_idle_stop_reads_the_instances_own_status(as_, fake, service, tmp_path,
                                                        monkeypatch):
    await make_project(as_)
    await make_instance(as_(OWNER), fake, "nb", "InService")
    with stand_in_jupyter(tmp_path) as (url, token):
        fake.stand_ins["nb"] = f"{url}/?token={token}"
        # what the server reads is the stand-in's own answer (a cookie login, then the API)
        with urllib.request.urlopen(f"{url}/api/status?token={token}") as resp:
            truth = json.loads(resp.read())["last_activity"]
        seen = last_activity(fake.stand_ins["nb"])
        assert abs((seen - utcnow()).total_seconds()) < 600
        assert seen.isoformat().startswith(truth[:16]), (seen, truth)

        idle = IdleStop(service, AutoStop(service), minutes=30, interval=60)
        assert await idle.check() == []  # active a moment ago: left running
        assert "stop_notebook_instance" not in fake.ops()

        # 31 minutes later with no activity. The claim of the first round still holds
        # (checked by one server per round), so the clock moves past the round as well.
        monkeypatch.setattr(service, "clock", lambda: utcnow() + timedelta(minutes=31))
        assert await idle.check() == ["nb"]
        assert fake.calls_of("stop_notebook_instance") == [{"NotebookInstanceName": "nb"}]
        [record] = [s for s in await service.store.stops() if s["kind"] == "idle"]
        assert record["instance_name"] == "nb" and record["outcome"] == "stopped"
        assert await idle.check() == []  # Stopping now: not InService, nothing to do
    code, inst = await as_(OWNER).get("instances/nb")
    assert inst["status"] in ("Stopping", "Stopped"), inst


async def test_an_unreachable_instance_is_not_stopped(as_, fake, service, monkeypatch):
    await make_project(as_)
    await make_instance(as_(OWNER), fake, "nb", "InService")
    fake.stand_ins["nb"] = "http://127.0.0.1:9/?token=x"  # nothing listens there
    monkeypatch.setattr(service, "clock", lambda: utcnow() + timedelta(hours=5))
    idle = IdleStop(service, AutoStop(service), minutes=30, interval=60)
    assert await idle.check() == []
    assert "stop_notebook_instance" not in fake.ops()
