"""Restart safety: a second server on the same store picks up where the first left off."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

import psutil
import pytest
from jupyter_client.kernelspec import KernelSpecManager

from jupyterlab_nbjobs.backends.local import LocalBackend
from jupyterlab_nbjobs.models import JobCreate
from jupyterlab_nbjobs.runner.contract import RUNNER_FILE, read_json
from jupyterlab_nbjobs.services.jobs import JobService
from jupyterlab_nbjobs.store import Database, JobStore
from tests.support.server import write_notebook

FINAL = ("completed", "failed", "stopped")


@pytest.fixture
def world(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    return {"root": root, "db": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
            "staging": tmp_path / "staging"}


def make_service(world, max_jobs=2) -> JobService:
    db = Database(world["db"])
    db.migrate()
    service = JobService(JobStore(db), root_dir=str(world["root"]),
                         staging_dir=str(world["staging"]), outputs_folder="out",
                         kernel_specs=KernelSpecManager().get_all_specs)
    service.add_backend(LocalBackend(service, max_concurrent_jobs=max_jobs), default=True)
    return service


async def wait_for(service: JobService, job_id: str, statuses, timeout=60.0):
    for _ in range(int(timeout * 10)):
        job = await service.get(job_id)
        if job.status.value in statuses:
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {job_id} stayed {job.status.value}")


async def start_running(service, world, source: str, name: str):
    rel = write_notebook(world["root"], f"{name}.ipynb", source)
    job, _ = await service.create(JobCreate(input_path=rel), "tester")
    await wait_for(service, job.id, ("running",))
    row = await service.get_row(job.id)
    for _ in range(100):  # wait for the runner to have reported its pid
        row = await service.get_row(job.id)
        info = read_json(Path(row["job_dir"]) / RUNNER_FILE) or {}
        if row["handle"] and info.get("kernel_pid"):
            return job, row, info
        await asyncio.sleep(0.1)
    raise AssertionError("runner never reported its pid and kernel")


async def test_live_runner_is_readopted(world):
    first = make_service(world)
    job, row, _ = await start_running(first, world, "import time\ntime.sleep(3)\nx = 1", "alive")
    await first.close()  # the server goes away; the runner keeps going
    assert psutil.pid_exists(row["handle"]["pid"])

    second = make_service(world)
    await second.reconcile()
    done = await wait_for(second, job.id, FINAL)
    assert done.status.value == "completed" and done.attempts == 1
    assert (world["root"] / done.output_path / "alive.ipynb").exists()
    await second.close()


async def test_killed_runner_becomes_failed_and_its_kernel_dies(world):
    first = make_service(world)
    job, row, info = await start_running(first, world, "import time\ntime.sleep(120)", "killed")
    await first.close()
    runner = psutil.Process(row["handle"]["pgid"])  # the session leader
    os.killpg(row["handle"]["pgid"], signal.SIGKILL)  # the whole runner tree dies...
    kernel = psutil.Process(info["kernel_pid"])
    assert kernel.is_running()  # ...but the kernel lives in its own session
    # A kill lands a moment later: gone before the next server looks, as with a server down.
    with contextlib.suppress(psutil.NoSuchProcess, ChildProcessError):
        runner.wait(timeout=10)

    second = make_service(world)
    await second.reconcile()
    done = await wait_for(second, job.id, FINAL, timeout=10)
    assert done.status.value == "failed"
    assert done.error.reason == "runner_died" and "server was down" in done.error.message
    kernel.wait(timeout=10)
    assert not kernel.is_running()
    await second.close()


async def test_queued_jobs_run_after_restart(world):
    first = make_service(world, max_jobs=1)
    blocker, _, _ = await start_running(first, world, "import time\ntime.sleep(2)", "blocker")
    rel = write_notebook(world["root"], "waiting.ipynb", "y = 2")
    waiting, _ = await first.create(JobCreate(input_path=rel), "tester")
    assert (await first.get(waiting.id)).status.value == "queued"
    await first.close()

    second = make_service(world, max_jobs=1)
    await second.reconcile()
    for job_id in (blocker.id, waiting.id):
        assert (await wait_for(second, job_id, FINAL)).status.value == "completed"
    await second.close()


async def test_stop_from_another_server_reaches_the_run(world):
    first = make_service(world)
    job, _, info = await start_running(first, world, "import time\ntime.sleep(120)", "other")
    second = make_service(world)  # a second server on the same store, both alive
    stopping = await second.stop(job.id)
    assert stopping.status.value in ("stopping", "stopped")
    done = await wait_for(second, job.id, FINAL, timeout=20)
    assert done.status.value == "stopped"
    kernel = psutil.Process(info["kernel_pid"]) if psutil.pid_exists(info["kernel_pid"]) else None
    if kernel is not None:
        kernel.wait(timeout=10)
    await first.close()
    await second.close()
