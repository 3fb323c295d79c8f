"""LocalBackend with real runner processes and real kernels.

Each test drives the backend inside `asyncio.run`, like the server's loop; a second
`asyncio.run` with a new LocalBackend plays the server after a restart.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import psutil
import pytest

from jupyterlab_nbjobs.backends.base import ActiveRun
from jupyterlab_nbjobs.backends.local import LocalBackend
from jupyterlab_nbjobs.runner.contract import RUNNER_OUT
from jupyterlab_nbjobs.runner.execute import run_job
from tests.support.events import EventRecorder, async_wait_for
from tests.support.jobkit import (
    SLEEPY,
    executed,
    gone,
    kernel_up,
    log_text,
    make_job,
    read,
    request,
)


@pytest.fixture
def reaper():
    """Kill whatever a failing test left running (runner groups and kernels)."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


async def started_handle(rec: EventRecorder, job_id: str) -> dict:
    """The run's handle once on_started came: at once, or (the first job, while the warm
    pool still starts) when the pool has forked its runner."""
    await async_wait_for(lambda: rec.of("started", job_id), timeout=60)
    return rec.of("started", job_id)[0][3]


def test_run_reports_started_progress_and_finished(tmp_path, reaper):
    cells = ["import time\ntime.sleep(0.4)"] * 3 + ["print(n * 2)"]
    job = make_job(tmp_path, cells, parameters={"n": 21})
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, max_concurrent_jobs=3)
        assert backend.capacity() == 3
        assert (backend.name, backend.label) == ("local", "This machine")
        await backend.start(request(job))
        handle = await started_handle(rec, "job1")
        reaper.append(handle["pid"])
        assert handle["pgid"] == handle["pid"] == os.getpgid(handle["pid"])
        assert os.getsid(handle["pid"]) == handle["pid"]  # its own session
        assert handle["create_time"] == psutil.Process(handle["pid"]).create_time()
        result = await rec.wait_finished("job1")
        await backend.close()
        return result

    result = asyncio.run(scenario())
    assert result["status"] == "completed", result
    assert executed(job).cells[-1].outputs[0].text == "42\n"
    progress = [(e[2], e[3]) for e in rec.of("progress", "job1")]
    assert progress, rec.events
    assert all(total == 5 for _, total in progress)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert [e[0] for e in rec.events][0] == "started" and rec.events[-1][0] == "finished"
    assert len(rec.of("finished", "job1")) == 1
    assert (result["cells_done"], result["cells_total"]) == (5, 5)


def test_stop_ends_runner_and_kernel_and_keeps_partial_notebook(tmp_path, reaper):
    job = make_job(tmp_path, SLEEPY)
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, max_concurrent_jobs=1)
        await backend.start(request(job))
        reaper.append((await started_handle(rec, "job1"))["pid"])
        await async_wait_for(lambda: kernel_up(job) and "sleeping" in log_text(job))
        await backend.stop("job1")
        result = await rec.wait_finished("job1", timeout=30)
        await backend.close()
        return result

    result = asyncio.run(scenario())
    info = read(job, "runner.json")
    assert result["status"] == "stopped" and result["error"]["reason"] == "stopped"
    assert "sleeping" in executed(job).cells[1].outputs[0].text
    assert gone(info["pid"], info["create_time"])
    assert gone(info["kernel_pid"], info["kernel_create_time"])


def test_stop_kills_runner_group_and_kernel_when_runner_does_not_answer(tmp_path, reaper):
    spawning = (
        "import subprocess, time\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        "open('child.pid', 'w').write(str(child.pid))\n"
        "print('sleeping', flush=True)\n"
        "time.sleep(120)"
    )
    job = make_job(tmp_path, ["print('first')", spawning])
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, max_concurrent_jobs=1, stop_grace=1.0)
        await backend.start(request(job))
        pid = (await started_handle(rec, "job1"))["pid"]
        reaper.append(pid)
        await async_wait_for(lambda: kernel_up(job) and "sleeping" in log_text(job))
        os.kill(pid, signal.SIGSTOP)  # a runner that cannot handle SIGTERM any more
        await backend.stop("job1")
        result = await rec.wait_finished("job1", timeout=30)
        await backend.close()
        return result

    result = asyncio.run(scenario())
    info = read(job, "runner.json")
    assert result["status"] == "stopped", result
    assert result["error"]["reason"] == "stopped"
    assert gone(info["pid"], info["create_time"])
    assert gone(info["kernel_pid"], info["kernel_create_time"])
    assert gone(int((job / "work" / "child.pid").read_text()))


def test_timeout_backstop_kills_a_hung_runner(tmp_path, reaper):
    job = make_job(tmp_path, SLEEPY, timeout=10)  # room for a cold start on a busy machine
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, max_concurrent_jobs=1, timeout_grace=1.0)
        await backend.start(request(job))
        pid = (await started_handle(rec, "job1"))["pid"]
        reaper.append(pid)
        await async_wait_for(lambda: kernel_up(job))
        os.kill(pid, signal.SIGSTOP)  # hung: it will never enforce its own timeout
        result = await rec.wait_finished("job1", timeout=30)
        await backend.close()
        return result

    result = asyncio.run(scenario())
    info = read(job, "runner.json")
    assert result["status"] == "failed" and result["error"]["reason"] == "timeout", result
    assert gone(info["pid"], info["create_time"])
    assert gone(info["kernel_pid"], info["kernel_create_time"])


def test_runner_that_dies_at_once_is_reported_with_its_output(tmp_path):
    job = make_job(tmp_path, ["1"])
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, max_concurrent_jobs=1, python="/bin/sh")  # not Python
        await backend.start(request(job))
        result = await rec.wait_finished("job1", timeout=30)
        await backend.close()
        return result

    result = asyncio.run(scenario())
    assert result["status"] == "failed"
    assert result["error"]["reason"] == "runner_died"
    assert "last output" in result["error"]["message"]
    assert (job / RUNNER_OUT).read_text().strip() in result["error"]["message"]


def test_reconcile_readopts_a_live_runner_and_reports_its_result(tmp_path, reaper):
    job = make_job(tmp_path, ["import time\ntime.sleep(3)", "print('done')"])
    first = EventRecorder()

    async def before_restart():
        backend = LocalBackend(first, max_concurrent_jobs=1)
        await backend.start(request(job))
        await async_wait_for(lambda: kernel_up(job))
        await backend.close()  # the server goes away; the runner must not
        return first.of("started", "job1")[0][3]

    handle = asyncio.run(before_restart())
    reaper.append(handle["pid"])
    assert not gone(handle["pid"], handle["create_time"])
    assert read(job, "result.json") is None

    second = EventRecorder()

    async def after_restart():
        backend = LocalBackend(second, max_concurrent_jobs=1)
        await backend.reconcile([ActiveRun("job1", 1, job, handle)])
        assert backend.active_job_ids() == ["job1"]
        result = await second.wait_finished("job1", timeout=60)
        await backend.close()
        return result

    result = asyncio.run(after_restart())
    assert result["status"] == "completed", result
    assert result == read(job, "result.json")
    assert first.of("finished", "job1") == []
    assert executed(job).cells[1].outputs[0].text == "done\n"


def test_reconcile_of_a_killed_runner_reports_runner_died_and_kills_its_kernel(tmp_path, reaper):
    job = make_job(tmp_path, SLEEPY)
    first = EventRecorder()

    async def before_restart():
        backend = LocalBackend(first, max_concurrent_jobs=1)
        await backend.start(request(job))
        await async_wait_for(lambda: kernel_up(job))
        await backend.close()
        return first.of("started", "job1")[0][3]

    handle = asyncio.run(before_restart())
    reaper.append(handle["pid"])
    info = read(job, "runner.json")
    reaper.append(info["kernel_pid"])
    os.killpg(handle["pgid"], signal.SIGKILL)  # the runner's group dies, not the kernel
    psutil.wait_procs([psutil.Process(handle["pid"])], timeout=10)

    second = EventRecorder()

    async def after_restart():
        backend = LocalBackend(second, max_concurrent_jobs=1)
        await backend.reconcile([ActiveRun("job1", 1, job, handle)])
        assert backend.active_job_ids() == []
        await backend.close()

    asyncio.run(after_restart())
    result = second.results["job1"]
    assert result["status"] == "failed"
    assert result["error"]["reason"] == "runner_died"
    assert "the runner process ended while the server was down" in result["error"]["message"]
    assert result["attempt"] == 1
    assert gone(info["kernel_pid"], info["kernel_create_time"])


def test_reconcile_of_a_finished_runner_reports_result_json(tmp_path):
    job = make_job(tmp_path, ["import sys\nsys.exit(5)"], attempt=2)
    expected = run_job(job)  # finished while the server was down
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    handle = {
        "pid": dead.pid,
        "create_time": psutil.Process(dead.pid).create_time(),
        "pgid": dead.pid,
    }
    dead.wait()

    rec = EventRecorder()

    async def after_restart():
        backend = LocalBackend(rec, max_concurrent_jobs=1)
        await backend.reconcile([ActiveRun("job1", 2, job, handle)])
        await backend.close()

    asyncio.run(after_restart())
    assert rec.events == [("finished", "job1", 2, expected)]
    assert expected["status"] == "failed" and expected["error"]["evalue"] == "5"

    # A result.json of another attempt is not this attempt's result.
    rec2 = EventRecorder()

    async def other_attempt():
        backend = LocalBackend(rec2, max_concurrent_jobs=1)
        await backend.reconcile([ActiveRun("job1", 3, job, handle)])
        await backend.close()

    asyncio.run(other_attempt())
    assert rec2.results["job1"]["error"]["reason"] == "runner_died"


def test_stop_right_after_start_is_not_lost(tmp_path, reaper):
    job = make_job(tmp_path, SLEEPY)

    class SlowStore(EventRecorder):
        async def on_started(self, job_id, attempt, handle):
            reaper.append(handle["pid"])
            await asyncio.sleep(0.5)  # the service is still recording the start
            await super().on_started(job_id, attempt, handle)

    rec = SlowStore()

    async def scenario():
        backend = LocalBackend(rec, max_concurrent_jobs=1, stop_grace=2.0)
        starting = asyncio.create_task(backend.start(request(job)))
        await async_wait_for(lambda: reaper)
        await backend.stop("job1")
        await starting
        result = await rec.wait_finished("job1", timeout=30)
        await backend.close()
        return result

    result = asyncio.run(scenario())
    assert result["status"] == "stopped", result
    assert [e[0] for e in rec.events][0] == "started"
    assert gone(reaper[0])


def test_runner_is_killed_when_on_started_fails(tmp_path):
    job = make_job(tmp_path, SLEEPY)

    class BrokenStore(EventRecorder):
        async def on_started(self, job_id, attempt, handle):
            self.handle = handle
            raise RuntimeError("database is locked")

    rec = BrokenStore()

    async def scenario():
        backend = LocalBackend(rec, max_concurrent_jobs=1)
        await backend.warm_up()  # a ready pool: start() launches at once and sees the error
        await async_wait_for(backend.pool.ready, timeout=60)
        with pytest.raises(RuntimeError):
            await backend.start(request(job))
        assert backend.active_job_ids() == []
        await backend.close()

    asyncio.run(scenario())
    assert gone(rec.handle["pid"], rec.handle["create_time"])
    assert rec.events == []
