"""The warm pool holds nothing while idle: it ends after pool_idle_timeout, starts again for
the next job, and is started ahead of need by the create-job form's parameters request and
by a schedule about to fire. Real zygote, spares, kernels and Jupyter server."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import psutil
import pytest
from traitlets.config import Config

from jupyterlab_nbjobs.backends.local import LocalBackend
from jupyterlab_nbjobs.services import scheduler as scheduler_mod
from tests.backends.test_pool import ready_pool, track_job, track_pool, tracked  # noqa: F401
from tests.support.events import EventRecorder, async_wait_for
from tests.support.jobkit import SLEEPY, executed, gone, make_job, request


def pool_processes(backend: LocalBackend) -> set[int]:
    """The zygote and everything under it (kernel server, spares), and the spares' kernels."""
    pids = {backend.pool.pid}
    pids.update(p for p in backend.pool.spare_kernels.values() if p)
    try:
        pids.update(c.pid for c in psutil.Process(backend.pool.pid).children(recursive=True))
    except psutil.Error:
        pass
    return pids


def test_idle_pool_is_given_back_and_starts_again_for_the_next_job(tmp_path, tracked):  # noqa: F811
    job = make_job(tmp_path, ["print('after the pool came back')"])
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        backend.pool_idle_timeout = 1.5  # applies at once
        held = pool_processes(backend)
        assert len(held) >= 4  # zygote, kernel server, a spare, its kernel
        first_pool = backend.pool
        await async_wait_for(lambda: all(gone(p) for p in held), timeout=30)
        assert not first_pool.alive() and backend.pool is not first_pool
        # Its temp dir goes with it, removed (in close's thread) after its processes ended.
        await async_wait_for(lambda: not first_pool.pool_dir.exists(), timeout=10)
        assert not first_pool.pool_dir.exists()
        started = time.monotonic()
        await backend.start(request(job))
        result = await rec.wait_finished("job1")
        track_pool(backend, tracked)
        await backend.close()
        return held, result, time.monotonic() - started

    held, result, _ = asyncio.run(scenario())
    track_job(job, tracked)
    assert result["status"] == "completed", result
    assert executed(job).cells[0].outputs[0].text == "after the pool came back\n"
    assert all(gone(p) for p in held)


def test_a_running_job_keeps_the_pool_until_it_has_been_idle_long_enough(tmp_path, tracked):  # noqa: F811
    job = make_job(tmp_path, SLEEPY, timeout=5)
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        backend.pool_idle_timeout = 2.0
        pool = backend.pool
        await backend.start(request(job))
        await asyncio.sleep(3)  # past the idle timeout, the job still running
        assert pool.alive() and backend.pool is pool
        result = await rec.wait_finished("job1", timeout=60)
        ended = time.monotonic()
        assert pool.alive()  # the timeout counts from the job's end
        await async_wait_for(lambda: not pool.alive(), timeout=30)
        waited = time.monotonic() - ended
        await backend.close()
        return result, waited

    result, waited = asyncio.run(scenario())
    track_job(job, tracked)
    assert result["status"] == "failed" and result["error"]["reason"] == "timeout", result
    assert waited >= 1.9


def test_no_pool_when_idle_timeout_is_off_only_after_warm_up(tmp_path, tracked):  # noqa: F811
    """pool_idle_timeout 0 keeps a started pool; nothing starts before it is asked for."""
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1, pool_idle_timeout=0)
        await backend.reconcile([])  # a server start: no pool yet
        assert not backend.pool.alive()
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        await asyncio.sleep(1.5)
        assert backend.pool.alive()
        await backend.close()

    asyncio.run(scenario())


# -- ahead of need, in a real server ---------------------------------------------------------

@pytest.fixture
def jp_server_config(nbjobs_config):
    return Config({
        "ServerApp": {"jpserver_extensions": {"jupyterlab_nbjobs": True},
                      "allow_unauthenticated_access": False},
        "NbJobsApp": nbjobs_config,
        "LocalBackend": {"max_concurrent_jobs": 2, "warm_kernels": 1},
    })


def local_backend(jp_serverapp) -> LocalBackend:
    app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
    return app.jobs.backends["local"]


async def test_server_start_holds_no_pool_and_the_forms_request_warms_it(
        jp_serverapp, api, notebook):
    backend = local_backend(jp_serverapp)
    path = notebook("form.ipynb", "print(1)", parameters="n = 1")
    code, _ = await api.get("environments")  # the job list reads this too: no warming
    assert code == 200
    await asyncio.sleep(0.5)
    assert not backend.pool.alive()
    code, found = await api.get("parameters", path=path)
    assert code == 200 and found["parameters"]
    await async_wait_for(lambda: len(backend.pool.ready_spares) >= 1, timeout=120)
    job = await api.create(input_path=path)
    done = await api.wait(job["id"])
    assert done["status"] == "completed", done


async def test_a_schedule_due_within_a_minute_warms_the_pool(jp_serverapp, api, notebook,
                                                            monkeypatch):
    app = jp_serverapp.extension_manager.extension_points["jupyterlab_nbjobs"].app
    await app._start_jupyter_server_extension(jp_serverapp)  # what a server start runs
    backend = local_backend(jp_serverapp)
    path = notebook("nightly.ipynb", "print(1)")
    await asyncio.sleep(0.5)
    assert not backend.pool.alive()  # reconcile and the scheduler loop hold no pool
    # An hourly schedule is due within the hour: warm-ahead widened to two hours, so the test
    # need not wait for a minute boundary (and no job fires during it).
    monkeypatch.setattr(scheduler_mod, "WARM_AHEAD", timedelta(hours=2))
    code, _ = await api.post("schedules", body={
        "input_path": path, "name": "nightly", "cron": "0 * * * *", "timezone": "UTC"})
    assert code == 201
    await async_wait_for(lambda: backend.pool.alive(), timeout=30)
    await async_wait_for(lambda: len(backend.pool.ready_spares) >= 1, timeout=120)
