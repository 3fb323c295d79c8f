"""A job that arrives while the warm pool is still starting waits for it in the background:
start() returns at once (the job service holds its dispatch lock around it), stop reaches the
waiting job, a zygote that dies before it is ready leaves the job to a cold runner, and a
create request is answered while the pool starts. Real zygote, kernels and Jupyter server;
the pool's Python is slowed down by a wrapper so that "still starting" lasts long enough."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import psutil
import pytest
from traitlets.config import Config

from jupyterlab_nbjobs.backends.local import LocalBackend
from tests.backends.test_pool import runner_out, track_job, track_pool, tracked  # noqa: F401
from tests.support.events import EventRecorder, async_wait_for
from tests.support.jobkit import SLEEPY, gone, make_job, request

SLOW_START = 3.0  # seconds the wrapper sleeps before it runs Python


def slow_python(folder: Path) -> str:
    """A `python` that takes SLOW_START seconds to start: the zygote (and cold runners)."""
    path = folder / "slow-python"
    path.write_text(f"#!/bin/sh\nsleep {SLOW_START}\nexec {sys.executable} \"$@\"\n")
    path.chmod(0o755)
    return str(path)


def test_start_returns_while_the_pool_starts_and_the_job_runs_on_it(tmp_path, tracked):  # noqa: F811
    first = make_job(tmp_path, ["print('first')"], job_id="first")
    stopped = make_job(tmp_path, ["print('never runs')"], job_id="stopped")
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1, python=slow_python(tmp_path))
        began = time.monotonic()
        await backend.start(request(first))
        await backend.start(request(stopped))
        returned = time.monotonic() - began
        assert backend.pool.starting()  # neither start() waited for it
        assert rec.events == []  # nothing launched yet: on_started comes with the runner
        assert set(backend.active_job_ids()) == {"first", "stopped"}
        assert backend.reaches("stopped")
        await backend.stop("stopped")
        result = await rec.wait_finished("first", timeout=120)
        track_pool(backend, tracked)
        stop_result = await rec.wait_finished("stopped", timeout=30)
        await backend.close()
        return returned, result, stop_result

    returned, result, stop_result = asyncio.run(scenario())
    track_job(first, tracked)
    assert returned < SLOW_START / 2, returned
    assert result["status"] == "completed", result
    assert "forked" in runner_out(first)  # the pool's runner, not a cold one
    assert len(rec.of("started", "first")) == 1  # launched exactly once
    assert stop_result["status"] == "stopped"
    assert stop_result["error"]["reason"] == "stopped"
    assert rec.of("started", "stopped") == []  # never launched
    assert not (stopped / "runner.json").exists()


def test_a_zygote_dying_before_it_is_ready_leaves_the_waiting_job_to_a_cold_runner(
        tmp_path, tracked):  # noqa: F811
    job = make_job(tmp_path, ["print('cold after all')"])
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1, python=slow_python(tmp_path))
        await backend.start(request(job))
        assert backend.pool.starting()
        zygote = backend.pool.pid
        backend.pool.kill()  # dies starting: the waiting launch is woken, not left to time out
        await async_wait_for(lambda: rec.of("started", "job1"), timeout=10)
        handle = rec.of("started", "job1")[0][3]
        assert psutil.Process(handle["pid"]).ppid() == os.getpid()  # ours: a cold runner
        result = await rec.wait_finished("job1", timeout=120)
        await backend.close()
        return zygote, result

    zygote, result = asyncio.run(scenario())
    tracked.add(zygote)
    track_job(job, tracked)
    assert result["status"] == "completed", result
    assert len(rec.of("started", "job1")) == 1


def test_a_waiting_launch_whose_start_cannot_be_recorded_ends_its_runner(tmp_path, tracked):  # noqa: F811
    job = make_job(tmp_path, SLEEPY)

    class BrokenStore(EventRecorder):
        async def on_started(self, job_id, attempt, handle):
            self.handle = handle
            raise RuntimeError("database is locked")

    rec = BrokenStore()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1, python=slow_python(tmp_path))
        await backend.start(request(job))  # returns: the pool still starts
        assert backend.pool.starting()
        result = await rec.wait_finished("job1", timeout=120)
        track_pool(backend, tracked)
        assert backend.active_job_ids() == []
        await backend.close()
        return result

    result = asyncio.run(scenario())
    track_job(job, tracked)
    assert result["status"] == "failed" and result["error"]["reason"] == "start_failed", result
    assert gone(rec.handle["pid"], rec.handle["create_time"])


# -- the job service's dispatch, in a real server --------------------------------------------

@pytest.fixture
def jp_server_config(nbjobs_config, tmp_path):
    return Config({
        "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                      "allow_unauthenticated_access": False},
        "NbJobsApp": nbjobs_config,
        "LocalBackend": {"max_concurrent_jobs": 1, "warm_kernels": 1,
                         "python": slow_python(tmp_path)},
    })


async def test_creates_are_answered_while_the_first_job_waits_for_the_pool(
        jp_serverapp, api, notebook):
    app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
    backend = app.jobs.backends["local"]
    path = notebook("one.ipynb", "x = 1 + 1")
    began = time.monotonic()
    jobs = [await api.create(input_path=path) for _ in range(3)]  # 1 slot: two queue
    code, page = await api.get("jobs")
    answered = time.monotonic() - began
    assert code == 200
    assert backend.pool.starting()
    assert answered < SLOW_START / 2, answered
    for job in jobs:
        done = await api.wait(job["id"], timeout=120)
        assert done["status"] == "completed", done
        assert done["attempts"] == 1
    await backend.close()
