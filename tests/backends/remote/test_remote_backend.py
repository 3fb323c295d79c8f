"""RemoteBackend on its own, as the job service drives it: `asyncio.run` plays the server, a
second `asyncio.run` with a new backend plays it after a restart. Real runner processes,
real remote servers (conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal

import pytest

from jupyterlab_nbjobs.backends.base import ActiveRun
from jupyterlab_nbjobs.backends.remote import RemoteBackend
from jupyterlab_nbjobs.runner.remote_run import REMOTE_FILE
from tests.support.events import EventRecorder, async_wait_for
from tests.support.jobkit import SLEEPY, executed, gone, log_text, make_job, read, request

from .conftest import remote_server


def logged(job_dir, text: str) -> bool:
    try:
        return text in log_text(job_dir)
    except FileNotFoundError:  # not written yet
        return False


def backend(events, **targets) -> RemoteBackend:
    return RemoteBackend(events, targets=targets, poll_interval=0.05, stop_grace=10,
                         timeout_grace=60)  # the backstop must not race a loaded machine


def run_on(job_dir, target: str):
    run = request(job_dir)
    run.options = {"target": target, "keep_remote_folder": False}
    return run


@pytest.fixture
def reaper():
    """Kill runner groups a failing test left running."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def test_restart_readopts_a_running_remote_job_and_reports_its_result(
        tmp_path, token_server, reaper):
    job = make_job(tmp_path, ["import time\ntime.sleep(2)", "open('late.txt', 'w').write('ok')"])
    events = EventRecorder()

    async def before_restart():
        b = backend(events, tok=token_server.target())
        await b.start(run_on(job, "tok"))
        handle = events.of("started", "job1")[0][3]
        reaper.append(handle["pid"])
        await async_wait_for(lambda: (read(job, REMOTE_FILE) or {}).get("kernel_id"), 30)
        await b.close()  # the server goes down; the runner goes on
        return handle

    handle = asyncio.run(before_restart())
    assert handle["target"] == "tok" and not gone(handle["pid"], handle["create_time"])

    async def after_restart():
        b = backend(events, tok=token_server.target())
        await b.reconcile([ActiveRun("job1", 1, job, handle)])
        assert b.reaches("job1")
        result = await events.wait_finished("job1", 60)
        await b.close()
        return result

    result = asyncio.run(after_restart())
    assert result["status"] == "completed", result
    assert "files/late.txt" in result["outputs"]
    assert token_server.kernels() == [] and token_server.runs() == []


def test_restart_after_the_runner_was_killed_deletes_the_remote_kernel_and_folder(
        tmp_path, token_server, reaper):
    job = make_job(tmp_path, SLEEPY)
    events = EventRecorder()

    async def before_restart():
        b = backend(events, tok=token_server.target())
        await b.start(run_on(job, "tok"))
        handle = events.of("started", "job1")[0][3]
        reaper.append(handle["pid"])
        await async_wait_for(lambda: logged(job, "sleeping"), 60)
        await b.close()
        return handle

    handle = asyncio.run(before_restart())
    assert len(token_server.kernels()) == 1 and len(token_server.runs()) == 1
    os.killpg(handle["pid"], signal.SIGKILL)  # our side crashed hard: the runner is gone too
    asyncio.run(async_wait_for(lambda: gone(handle["pid"], handle["create_time"]), 10))

    async def after_restart():
        b = backend(events, tok=token_server.target())
        await b.reconcile([ActiveRun("job1", 1, job, handle)])
        result = await events.wait_finished("job1", 30)
        await b.close()
        return result

    result = asyncio.run(after_restart())
    assert result["status"] == "failed" and result["error"]["reason"] == "runner_died"
    assert token_server.kernels() == [] and token_server.runs() == []
    assert read(job, REMOTE_FILE)["cleaned"] is True


def test_target_going_away_mid_run_fails_the_job_and_is_cleaned_up_when_it_is_back(
        tmp_path, reaper):
    job = make_job(tmp_path, SLEEPY)
    events = EventRecorder()
    workdir = tmp_path / "doomed"
    folder = workdir / "root" / "nbjobs-runs" / "job1-1"

    async def go(server, later: contextlib.ExitStack):
        b = RemoteBackend(events, targets={"doomed": server.target()}, poll_interval=0.05,
                          cleanup_retry_interval=0.2)
        await b.start(run_on(job, "doomed"))
        reaper.append(events.of("started", "job1")[0][3]["pid"])
        await async_wait_for(lambda: logged(job, "sleeping"), 60)
        server.stop()  # killed: its kernel dies with it, the websocket drops
        result = await events.wait_finished("job1", 60)
        left = (dict(read(job, REMOTE_FILE)), folder.is_dir())
        # The same server comes back on its port: the watcher finishes the cleanup.
        port = int(server.url.rsplit(":", 1)[1])
        await asyncio.to_thread(later.enter_context,
                                remote_server(workdir, token="doomed", port=port))
        await async_wait_for(lambda: read(job, REMOTE_FILE)["cleaned"], 30)
        await b.close()
        return result, left

    with contextlib.ExitStack() as later, remote_server(workdir, token="doomed") as server:
        result, (state_then, folder_then) = asyncio.run(go(server, later))
    assert result["status"] == "failed", result
    err = result["error"]
    assert err["reason"] == "kernel_died" and err["cell_index"] == 1
    assert "connection to the remote kernel was lost (remote target 'doomed'" in err["message"]
    # What ran before is kept; the log says the remote could not be tidied then.
    assert executed(job).cells[0].outputs[0]["text"] == "first\n"
    assert "remote cleanup failed" in log_text(job)
    assert state_then["cleaned"] is False and folder_then
    assert not folder.exists()


def test_timeout_interrupts_and_deletes_the_remote_kernel(tmp_path, token_server, reaper):
    job = make_job(tmp_path, SLEEPY, timeout=4)
    events = EventRecorder()

    async def go():
        b = backend(events, tok=token_server.target())
        await b.start(run_on(job, "tok"))
        reaper.append(events.of("started", "job1")[0][3]["pid"])
        result = await events.wait_finished("job1", 60)
        await b.close()
        return result

    result = asyncio.run(go())
    assert result["status"] == "failed" and result["error"]["reason"] == "timeout", result
    assert result["error"]["cell_index"] == 1
    assert executed(job).cells[1].outputs[-1]["ename"] == "JobTimeout"
    assert token_server.kernels() == [] and token_server.runs() == []
