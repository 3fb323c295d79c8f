"""Stop while the dispatcher is starting jobs: a job this server claimed but has not started
yet is stopped as ours (never adopted as another server's run and declared dead), and a
start that fails never blocks the dispatcher."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager

from jupyterlab_nbjobs.backends.local import LocalBackend
from jupyterlab_nbjobs.models import JobCreate
from jupyterlab_nbjobs.runner.contract import RUNNER_FILE
from jupyterlab_nbjobs.services.jobs import JobService
from jupyterlab_nbjobs.store import Database, JobStore
from tests.support.server import write_notebook

FINAL = ("completed", "failed", "stopped")


class GatedBackend(LocalBackend):
    """A local backend whose start() waits for the test to open a gate: a slow start."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = asyncio.Event()
        self.entered: list[str] = []  # job ids whose start() began
        self.launched: list[str] = []  # job ids whose runner was launched
        self.delay = 0.0

    async def start(self, run):
        self.entered.append(run.job_id)
        await self.gate.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        self.launched.append(run.job_id)
        await super().start(run)


class FailingBackend(LocalBackend):
    async def start(self, run):
        raise RuntimeError("no room on the launch pad")


@pytest.fixture
def world(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    return {"root": root, "db": f"sqlite:///{tmp_path / 'jobs.sqlite'}",
            "staging": tmp_path / "staging"}


def make_service(world, backend_class=GatedBackend, max_jobs=2) -> JobService:
    db = Database(world["db"])
    db.migrate()
    service = JobService(JobStore(db), root_dir=str(world["root"]),
                         staging_dir=str(world["staging"]), outputs_folder="out",
                         kernel_specs=KernelSpecManager().get_all_specs)
    service.add_backend(backend_class(service, max_concurrent_jobs=max_jobs, warm_pool=False,
                                      stop_grace=3.0), default=True)
    return service


async def until(predicate, timeout=30.0):
    for _ in range(int(timeout * 50)):
        value = await predicate() if asyncio.iscoroutinefunction(predicate) else predicate()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def status(service, job_id) -> str:
    return (await service.get(job_id)).status.value


async def final(service, job_id, timeout=60.0):
    async def done():
        job = await service.get(job_id)
        return job if job.status.value in FINAL else None
    return await until(done, timeout)


async def create(service, world, name: str, source: str = "import time\ntime.sleep(60)"):
    rel = write_notebook(world["root"], f"{name}.ipynb", source)
    # create() dispatches, and dispatch waits for the gated start: run it aside.
    task = asyncio.ensure_future(service.create(JobCreate(input_path=rel), "tester"))
    await until(lambda: task.done() or service.backends["local"].entered)
    return task


async def test_stop_during_a_slow_start_stops_the_job(world):
    service = make_service(world, max_jobs=1)
    backend = service.backends["local"]
    creating = await create(service, world, "slow")
    job_id = backend.entered[0]
    assert await status(service, job_id) == "running"  # claimed, start() not done

    stopping = asyncio.ensure_future(service.stop(job_id))
    await asyncio.sleep(0.3)  # the start is still held
    backend.gate.set()
    assert (await asyncio.wait_for(stopping, 20)).status.value in ("stopping", "stopped")
    job, _ = await creating
    done = await final(service, job_id)
    assert done.status.value == "stopped", done.error
    assert not (done.error and done.error.reason == "runner_died")
    await service.close()


async def test_claimed_jobs_waiting_their_turn_are_stopped_without_a_runner(world):
    service = make_service(world, max_jobs=3)
    backend = service.backends["local"]
    rels = [write_notebook(world["root"], f"n{i}.ipynb", "import time\ntime.sleep(60)")
            for i in range(3)]
    # Three queued jobs, then one dispatch claims them all; the first start is held.
    ids = []
    backend.capacity = lambda: 0
    for rel in rels:
        job, _ = await service.create(JobCreate(input_path=rel), "tester")
        ids.append(job.id)
    backend.capacity = lambda: 3
    dispatching = asyncio.ensure_future(service.dispatch())
    await until(lambda: backend.entered)
    assert [await status(service, i) for i in ids] == ["running"] * 3

    stopping = asyncio.ensure_future(
        asyncio.gather(*(service.stop(job_id) for job_id in reversed(ids))))
    await asyncio.sleep(0.3)  # the first start is still held
    backend.gate.set()
    for job in await asyncio.wait_for(stopping, 20):
        assert job.status.value in ("stopping", "stopped")
    await dispatching
    for job_id in ids:
        done = await final(service, job_id)
        assert done.status.value == "stopped", (job_id, done.error)
    # Only the start already under way launched a runner; the others never did.
    assert backend.launched == backend.entered[:1]
    for job_id in ids[1:]:
        row = await service.get_row(job_id)
        assert not (Path(row["job_dir"]) / RUNNER_FILE).exists()
    await service.close()


async def test_stop_while_the_claim_is_in_flight(world):
    """The claim has marked the row running but dispatch has not seen its answer yet."""
    service = make_service(world, max_jobs=1)
    backend = service.backends["local"]
    backend.gate.set()
    claimed, release = asyncio.Event(), asyncio.Event()
    real_claim = service.store.claim_queued

    async def slow_claim(*args, **kwargs):
        rows = await real_claim(*args, **kwargs)
        if rows:
            claimed.set()
            await release.wait()
        return rows

    service.store.claim_queued = slow_claim
    rel = write_notebook(world["root"], "inflight.ipynb", "import time\ntime.sleep(60)")
    creating = asyncio.ensure_future(service.create(JobCreate(input_path=rel), "tester"))
    await claimed.wait()
    (row,) = [r for r in await service.store.running()]
    stopping = asyncio.ensure_future(service.stop(row["id"]))
    await asyncio.sleep(0.2)  # the stop must wait for the claim, not adopt the row
    release.set()
    assert (await stopping).status.value in ("stopping", "stopped")
    await creating
    done = await final(service, row["id"])
    assert done.status.value == "stopped", done.error
    assert backend.launched == []  # stopped before its start began
    await service.close()


async def test_stopping_many_jobs_while_they_start(world):
    """A sweep-sized batch stopped while the dispatcher is busy starting: all stopped."""
    service = make_service(world, max_jobs=4)
    backend = service.backends["local"]
    backend.gate.set()
    backend.delay = 0.05
    backend.capacity = lambda: 0
    ids = []
    for i in range(24):
        rel = write_notebook(world["root"], f"m{i}.ipynb", "import time\ntime.sleep(60)")
        job, _ = await service.create(JobCreate(input_path=rel), "tester")
        ids.append(job.id)
    backend.capacity = lambda: 4
    dispatching = asyncio.ensure_future(service.dispatch())
    await until(lambda: backend.entered)
    result = await service.bulk("stop", ids)
    assert not result["errors"], result["errors"]
    await dispatching
    statuses = {}
    for job_id in ids:
        done = await final(service, job_id)
        statuses[job_id] = (done.status.value, done.error and done.error.reason)
    assert {s for s, _ in statuses.values()} == {"stopped"}, statuses
    await service.close()


async def test_a_failing_start_does_not_block_the_dispatcher(world):
    service = make_service(world, backend_class=FailingBackend, max_jobs=1)
    rel = write_notebook(world["root"], "f.ipynb", "x = 1")
    job, _ = await asyncio.wait_for(service.create(JobCreate(input_path=rel), "tester"), 20)
    done = await final(service, job.id, timeout=10)
    assert done.status.value == "failed" and done.error.reason == "start_failed"
    # The dispatcher is free: the next create returns and its start is tried too.
    rel = write_notebook(world["root"], "g.ipynb", "x = 2")
    second, _ = await asyncio.wait_for(service.create(JobCreate(input_path=rel), "tester"), 20)
    assert (await final(service, second.id, timeout=10)).error.reason == "start_failed"
    await service.close()
