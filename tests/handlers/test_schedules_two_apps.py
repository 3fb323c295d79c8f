"""Two real Jupyter servers with the extension on one SQLite file: the test's own server and
a `jupyter server` subprocess. Every fire of a schedule runs once, as a real kernel job."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import datetime

import pytest


@pytest.fixture
def nbjobs_config(tmp_path):
    return {"db_url": f"sqlite:///{tmp_path / 'shared.sqlite'}",
            "staging_dir": str(tmp_path / "staging-a"),
            "cron_seconds_field": True, "scheduler_poll_interval": 0.5}


def start_second_server(tmp_path, root_dir, db_url):
    # Port 0: the server asks the OS for a free port itself and writes the one it got to its
    # runtime file (read by wait_ready), so no port picked here can be taken first by an
    # xdist worker or another run; port_retries=0: a lost race fails, it does not move.
    cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.port=0", "--ServerApp.port_retries=0",
           "--IdentityProvider.token=second", f"--ServerApp.root_dir={root_dir}",
           "--ServerApp.jpserver_extensions={'jupyterlab_nbjobs': True}",
           f"--NbJobsApp.db_url={db_url}",
           f"--NbJobsApp.staging_dir={tmp_path / 'staging-b'}",
           "--NbJobsApp.cron_seconds_field=True", "--NbJobsApp.scheduler_poll_interval=0.5",
           "--LocalBackend.max_concurrent_jobs=2"]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime-b")}
    log = open(tmp_path / "second.log", "wb")  # closed by the caller
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    return proc, tmp_path / "runtime-b", log


def wait_ready(runtime_dir, proc, timeout: float = 90) -> int:
    """Wait until the second server answers; return its port."""
    deadline = time.monotonic() + timeout
    info = runtime_dir / f"jpserver-{proc.pid}.json"
    while time.monotonic() < deadline:
        assert proc.poll() is None, "second server exited"
        try:
            port = json.loads(info.read_text())["port"]
            req = urllib.request.Request(f"http://127.0.0.1:{port}/nbjobs/schedules",
                                         headers={"Authorization": "token second"})
            with urllib.request.urlopen(req, timeout=2) as resp:
                if resp.status == 200:
                    return port
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.3)
    raise AssertionError("second server did not start")


async def test_two_servers_run_each_fire_once(api, notebook, jp_serverapp, jp_root_dir,
                                              tmp_path, nbjobs_config):
    app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
    await app._start_jupyter_server_extension(jp_serverapp)
    nb = notebook("twice.ipynb", "x = 1")
    proc, runtime_dir, log = start_second_server(tmp_path, jp_root_dir, nbjobs_config["db_url"])
    try:
        await asyncio.to_thread(wait_ready, runtime_dir, proc)
        code, sched = await api.post("schedules", {"input_path": nb, "cron": "* * * * * */2",
                                                   "overlap_policy": "allow",
                                                   "catchup_policy": "skip"})
        assert code == 201, sched
        await asyncio.sleep(12)
        code, _ = await api.post(f"schedules/{sched['id']}/pause")
        await asyncio.sleep(1)
        code, page = await api.get("jobs", schedule_id=sched["id"], limit="100")
        jobs = [await api.wait(j["id"], timeout=120) for j in page["jobs"]]
    finally:
        proc.terminate()
        await asyncio.to_thread(proc.wait, 60)
        log.close()
    fires = app.scheduler.store.sync.fires(sched["id"], 1000)
    runs = [f for f in fires if f["outcome"] == "run"]
    by_node = Counter(f["claimed_by"] for f in runs)
    per_fire = Counter(j["idempotency_key"] for j in jobs)
    fire_of = {f["job_id"]: f["fire_time"] for f in runs}
    def delays(key):
        return sorted(round((datetime.fromisoformat(j[key]) - fire_of[j["id"]])
                            .total_seconds() * 1000) for j in jobs)

    created = delays("created_at")
    print(f"\ntwo real servers: {len(runs)} fires run, by node {dict(by_node)}, "
          f"duplicates {sum(n - 1 for n in per_fire.values())}; fire -> job created (ms): "
          f"{created}; fire -> started (ms, includes waiting for a free slot of "
          f"max_concurrent_jobs): {delays('started_at')}")
    assert len(runs) >= 4
    assert len(jobs) == len(runs) and set(per_fire.values()) == {1}
    assert {j["id"] for j in jobs} == {f["job_id"] for f in runs}
    assert all(j["status"] == "completed" for j in jobs), jobs
    # Latency is printed, not asserted, here: two servers, their kernels and the test share
    # 2 cores. The < 1 s bound is asserted in tests/services/test_scheduler_exactly_once.py.
    assert all(ms >= 0 for ms in created), created
    assert len({f["claimed_by"].rsplit(":", 2)[1] for f in fires}) <= 2
