"""The warm runner pool of the local backend, with real zygote, spares and kernels.

The point of these tests is equivalence: a job on a pre-started kernel must see what a job
on a fresh kernel sees. They also cover the pool's failure paths (zygote killed, a spare's
kernel dead), stop, restart re-adoption of a forked runner, and that nothing is left
running afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path

import psutil
import pytest

from jupyterlab_nbjobs.backends.base import ActiveRun
from jupyterlab_nbjobs.backends.local import LocalBackend
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

PROBE = [
    ("params", "n = 0"),
    "import json, os, random, sys\n"
    "probe = {\n"
    "    'cwd': os.getcwd(),\n"
    "    'sys_path': sys.path,\n"
    "    'dh': [str(p) for p in _dh],\n"
    "    'env': {k: v for k, v in os.environ.items() if k != 'JPY_PARENT_PID'},\n"
    "    'env_parent': os.environ.get('JPY_PARENT_PID'),\n"
    "    'names': sorted(k for k in globals() if not k.startswith('_')),\n"
    "    'execution_count': get_ipython().execution_count,\n"
    "    'history': len(In),\n"
    "    'pid': os.getpid(),\n"
    "    'ppid': os.getppid(),\n"
    "    'random': random.random(),\n"
    "    'data': open('data.txt').read(),\n"
    "    'n': n,\n"
    "    'file_defined': '__file__' in globals(),\n"
    "    'modules': sorted(sys.modules),\n"
    "    'main': sys.modules['__main__'].__name__,\n"
    "    'argv0': os.path.basename(sys.argv[0]),\n"
    "    'sigchld': str(__import__('signal').getsignal(__import__('signal').SIGCHLD)),\n"
    "    'sigint': str(__import__('signal').getsignal(__import__('signal').SIGINT)),\n"
    "    'sid_is_pid': os.getsid(0) == os.getpid(),\n"
    "}",
    "with open('probe.json', 'w') as fh:\n    json.dump(probe, fh)",
]


def probe_of(tmp_path, job_id):
    return json.loads((tmp_path / "outputs" / job_id / "files" / "probe.json").read_text())


def runner_out(job_dir) -> str:
    return (job_dir / "runner.out").read_text()


async def ready_pool(backend: LocalBackend, spares: int) -> None:
    await backend.warm_up()
    try:
        await async_wait_for(lambda: len(backend.pool.ready_spares) >= spares, timeout=120)
    except AssertionError as exc:  # say why: the zygote's and the spares' own logs
        pool = backend.pool
        logs = {name: (pool.pool_dir / name).read_text(errors="replace")[-3000:]
                for name in ("zygote.log", "spares.log") if (pool.pool_dir / name).exists()}
        raise AssertionError(f"{exc}: zygote alive {pool.alive()}, ready spares "
                             f"{pool.ready_spares}, logs {logs}") from exc


class Tracked(set):
    """Pids a test saw, each remembered with its process's start time: under xdist other
    workers start and end kernels all the time, so a pid that is gone may be reused by one of
    theirs, and that process is neither this test's leak nor ours to kill."""

    def __init__(self):
        super().__init__()
        self.born: dict[int, float | None] = {}

    def add(self, pid: int) -> None:
        if pid not in self.born:
            try:
                self.born[pid] = psutil.Process(pid).create_time()
            except psutil.Error:
                self.born[pid] = None  # already gone
        super().add(pid)

    def update(self, *pids) -> None:
        for group in pids:
            for pid in group:
                self.add(pid)

    def alive(self, pid: int) -> bool:
        born = self.born.get(pid)
        return born is not None and not gone(pid, born)


@pytest.fixture
def tracked():
    """Pids a test saw (runners, kernels, spares, zygotes): all must be gone at the end, and
    so must every process born in this test under this one (this xdist worker's children;
    other workers' processes are not ours)."""
    pids = Tracked()
    me = psutil.Process()
    # Children from before the test (say the session's moto server) are not this test's.
    before = {(c.pid, c.create_time()) for c in me.children(recursive=True)}
    yield pids
    deadline = time.monotonic() + 20
    left: list[psutil.Process] = []
    while time.monotonic() < deadline:
        left = []
        for pid in pids:
            if pids.alive(pid):
                try:
                    left.append(psutil.Process(pid))
                except psutil.NoSuchProcess:
                    pass
        for child in me.children(recursive=True):
            try:
                if (child.pid, child.create_time()) not in before:
                    left.append(child)
            except psutil.NoSuchProcess:
                pass
        if not left:
            return
        time.sleep(0.2)
    for proc in left:
        try:
            proc.kill()  # psutil checks it is still the same process (pid + start time)
        except psutil.NoSuchProcess:
            pass
    raise AssertionError(f"processes left running: {sorted({p.pid for p in left})}")


def pool_children(backend: LocalBackend) -> list[int]:
    """The zygote's children: its kernel server, its spares (ready or starting) and the
    runners of jobs it forked."""
    try:
        return [c.pid for c in psutil.Process(backend.pool.pid).children()]
    except (psutil.Error, TypeError):  # no zygote
        return []


def track_pool(backend: LocalBackend, tracked: set[int]) -> None:
    """Everything the pool runs, down to the spares' kernels (forked by the kernel server):
    spares and kernels live on in their own sessions if the zygote dies."""
    tracked.add(backend.pool.pid)
    tracked.update(p for p in backend.pool.spare_kernels.values() if p)
    for pid in pool_children(backend):
        tracked.add(pid)
        try:
            tracked.update(c.pid for c in psutil.Process(pid).children(recursive=True))
        except psutil.Error:
            pass


def track_job(job_dir, tracked: set[int]) -> None:
    info = read(job_dir, "runner.json") or {}
    tracked.update(p for p in (info.get("pid"), info.get("kernel_pid")) if p)


def launch_or_transport(module: str) -> bool:
    return module in ("runpy", "select", "selectors") or module.split(".")[0] == "zmq"


def test_warm_kernel_job_sees_what_a_fresh_kernel_job_sees(tmp_path, tracked):
    data = {"data.txt": "relative read works\n"}
    jobs = {
        job_id: make_job(tmp_path, PROBE, job_id=job_id, parameters={"n": 5}, extra_files=data)
        for job_id in ("cold", "warm1", "warm2", "warm3")
    }
    rec = EventRecorder()

    async def scenario():
        cold = LocalBackend(rec, warm_pool=False)
        assert cold.pool is None
        await cold.start(request(jobs["cold"]))
        await rec.wait_finished("cold")
        await cold.close()
        warm = LocalBackend(rec, warm_kernels=2)
        await ready_pool(warm, 2)
        track_pool(warm, tracked)
        for job_id in ("warm1", "warm2"):
            await warm.start(request(jobs[job_id]))
            await rec.wait_finished(job_id)
        # A replacement's kernel, forked once the kernel server had imported what kernels
        # import at start (the first spares' kernels may have been forked before that).
        await async_wait_for(lambda: len(warm.pool.ready_spares) >= 1, timeout=120)
        await warm.start(request(jobs["warm3"]))
        await rec.wait_finished("warm3")
        await warm.close()

    asyncio.run(scenario())
    for job_id, job_dir in jobs.items():
        track_job(job_dir, tracked)
        assert rec.results[job_id]["status"] == "completed", rec.results[job_id]
    for job_id in ("warm1", "warm2", "warm3"):
        assert "(warm kernel, forked)" in runner_out(jobs[job_id])
    cold, warm1, warm2, warm3 = (probe_of(tmp_path, j) for j in jobs)
    for job_id, probe in (("cold", cold), ("warm1", warm1), ("warm2", warm2), ("warm3", warm3)):
        work = str((jobs[job_id] / "work").resolve())
        assert probe["cwd"] == work
        assert probe["dh"] == [work]  # IPython's directory history starts where a fresh one does
        assert probe["data"] == "relative read works\n"
        assert probe["n"] == 5  # parameters injected the same way
        # JPY_PARENT_PID names the runner (a forked kernel's parent is the kernel server)
        assert probe["env_parent"] == str(read(jobs[job_id], "runner.json")["pid"])
        # the relative write landed in the job's work dir and was published
        assert (jobs[job_id] / "work" / "probe.json").exists()
    for key in (
        "sys_path",
        "env",
        "names",
        "execution_count",
        "history",
        "file_defined",
        "main",
        "argv0",
        "sigchld",
        "sigint",
        "sid_is_pid",
    ):
        for warm in (warm1, warm2, warm3):
            assert warm[key] == cold[key], key
    for warm in (warm1, warm2, warm3):
        # The same modules are loaded, but for how the process was launched (`python -m`
        # loads runpy) and the zmq transport, which differs with the pyzmq version.
        differ = set(warm["modules"]) ^ set(cold["modules"])
        assert {m for m in differ if not launch_or_transport(m)} == set(), differ
    assert len({cold["pid"], warm1["pid"], warm2["pid"], warm3["pid"]}) == 4
    assert len({warm1["random"], warm2["random"], warm3["random"]}) == 3
    counts = {j: [c.get("execution_count") for c in executed(jobs[j]).cells] for j in jobs}
    assert counts["warm1"] == counts["warm2"] == counts["warm3"] == counts["cold"] == [1, 2, 3, 4]
    # language_info is the kernel's own, from the kernel_info reply of its start
    infos = {j: executed(jobs[j]).metadata.get("language_info") for j in jobs}
    assert infos["cold"]["name"] == "python" and infos["cold"]["version"]
    assert infos["warm1"] == infos["warm2"] == infos["warm3"] == infos["cold"]


def test_job_with_env_vars_gets_a_fresh_kernel(tmp_path, tracked):
    """Forked with the job's environment in place; exec'd when a variable is one Python reads
    at start (a fork has passed that point)."""
    code = ["import os, sys\nprint(os.environ['NBJOBS_T'], os.getcwd(), sys.flags.optimize)"]
    job = make_job(tmp_path, code, env={"NBJOBS_T": "x1"})
    exec_job = make_job(tmp_path, code, job_id="job2",
                        env={"NBJOBS_T": "x2", "PYTHONOPTIMIZE": "1"})
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        spare = next(iter(backend.pool.ready_spares))
        await backend.start(request(job))
        result = await rec.wait_finished("job1")
        # the spare was not spent on it: it still waits for a job that fits
        assert spare in backend.pool.ready_spares
        await backend.start(request(exec_job))
        other = await rec.wait_finished("job2")
        assert spare in backend.pool.ready_spares
        await backend.close()
        return result, other

    result, other = asyncio.run(scenario())
    track_job(job, tracked)
    track_job(exec_job, tracked)
    assert result["status"] == other["status"] == "completed", (result, other)
    assert "(fresh kernel, forked)" in runner_out(job)
    assert executed(job).cells[0].outputs[0].text == f"x1 {(job / 'work').resolve()} 0\n"
    assert "(fresh kernel)" in runner_out(exec_job)
    out = executed(exec_job).cells[0].outputs[0].text
    assert out == f"x2 {(exec_job / 'work').resolve()} 1\n"


def test_a_burst_keeps_more_spares_and_gives_them_back_after_it(tmp_path, tracked):
    """A job that finds no started kernel while another runs raises the spares to
    burst_kernels; burst_hold after the last such job the idle extras end (not counted as
    failed spares: the pool goes on making them)."""
    long = make_job(tmp_path, ["import time\ntime.sleep(4)"], job_id="long")
    quick = make_job(tmp_path, ["x = 1"], job_id="quick")
    after = make_job(tmp_path, ["x = 2"], job_id="after")
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1, burst_kernels=3)
        backend.pool.burst_hold = 2.0
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        await backend.start(request(long))
        await backend.start(request(quick))  # the replacement is still starting: a burst
        await async_wait_for(lambda: len(backend.pool.ready_spares) >= 3, timeout=120)
        track_pool(backend, tracked)
        extra = set(backend.pool.ready_spares)
        await rec.wait_finished("quick")
        await async_wait_for(lambda: len(backend.pool.ready_spares) == 1, timeout=30)
        trimmed = extra - set(backend.pool.ready_spares)
        assert len(trimmed) >= 2
        await async_wait_for(lambda: all(gone(p) for p in trimmed), timeout=30)
        await asyncio.sleep(1.0)
        assert len(backend.pool.ready_spares) == 1  # back to warm_kernels, and it stays
        await rec.wait_finished("long")
        await backend.start(request(after))
        await rec.wait_finished("after")
        await backend.close()

    asyncio.run(scenario())
    for job in (long, quick, after):
        track_job(job, tracked)
        assert rec.results[job.name]["status"] == "completed", rec.results[job.name]
    assert "(warm kernel, forked)" in runner_out(after)


def test_dead_spare_kernel_is_replaced_by_a_fresh_one(tmp_path, tracked):
    job = make_job(tmp_path, ["print('ran')"])
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        spare = next(iter(backend.pool.ready_spares))
        kernel = psutil.Process(backend.pool.spare_kernels[spare])
        kernel.kill()
        kernel.wait(10)
        await backend.start(request(job))
        result = await rec.wait_finished("job1")
        await backend.close()
        return result

    result = asyncio.run(scenario())
    track_job(job, tracked)
    assert result["status"] == "completed", result
    assert "(fresh kernel" in runner_out(job)


def test_killed_zygote_falls_back_to_cold_runners_and_its_spares_go(tmp_path, tracked):
    job = make_job(tmp_path, ["print('ran')"])
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        spares = pool_children(backend)  # the kernel server and the spares
        os.kill(backend.pool.pid, signal.SIGKILL)
        await async_wait_for(lambda: not backend.pool.ready(), timeout=10)
        await backend.start(request(job))
        handle = rec.of("started", "job1")[0][3]
        # a cold runner: our own child, not the zygote's
        assert psutil.Process(handle["pid"]).ppid() == os.getpid()
        result = await rec.wait_finished("job1")
        # the kernel server and the spares of a dead zygote shut down and exit
        await async_wait_for(lambda: all(gone(p) for p in spares), timeout=30)
        await backend.close()
        return result

    result = asyncio.run(scenario())
    track_job(job, tracked)
    assert result["status"] == "completed", result


def test_stop_ends_a_warm_job_and_its_kernel(tmp_path, tracked):
    job = make_job(tmp_path, SLEEPY)
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        await backend.start(request(job))
        handle = rec.of("started", "job1")[0][3]
        assert os.getsid(handle["pid"]) == handle["pid"]  # its own session, as a cold runner
        await async_wait_for(lambda: kernel_up(job) and "sleeping" in log_text(job))
        track_job(job, tracked)
        await backend.stop("job1")
        result = await rec.wait_finished("job1", timeout=30)
        await backend.close()
        return result

    result = asyncio.run(scenario())
    info = read(job, "runner.json")
    assert "(warm kernel, forked)" in runner_out(job)
    assert result["status"] == "stopped" and result["error"]["reason"] == "stopped", result
    assert "sleeping" in executed(job).cells[1].outputs[0].text
    assert gone(info["pid"], info["create_time"])
    assert gone(info["kernel_pid"], info["kernel_create_time"])


def test_forked_runner_survives_the_server_and_is_readopted(tmp_path, tracked):
    job = make_job(tmp_path, ["import time\ntime.sleep(15)\nprint('done')"])
    rec1, rec2 = EventRecorder(), EventRecorder()

    async def first_server():
        backend = LocalBackend(rec1, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        await backend.start(request(job))
        await async_wait_for(lambda: kernel_up(job))
        await backend.close()  # the zygote and spares go; the job's runner does not
        return rec1.of("started", "job1")[0][3]

    handle = asyncio.run(first_server())
    track_job(job, tracked)
    assert not gone(handle["pid"], handle["create_time"])
    assert rec1.results == {}

    async def second_server():
        backend = LocalBackend(rec2, warm_pool=False)
        await backend.reconcile([ActiveRun("job1", 1, job, handle)])
        result = await rec2.wait_finished("job1", timeout=60)
        await backend.close()
        return result

    result = asyncio.run(second_server())
    assert result["status"] == "completed", result
    assert "(warm kernel, forked)" in runner_out(job)
    assert executed(job).cells[0].outputs[0].text == "done\n"


def test_close_shuts_down_idle_spares_and_their_kernels(tmp_path, tracked):
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=2)
        await ready_pool(backend, 2)
        track_pool(backend, tracked)
        pids = set(tracked)
        assert len(pids) >= 5  # zygote, 2 spares, 2 kernels
        ipc_dirs = [Path(d) for d in backend.pool.spare_ipc_dirs.values()]
        assert len(ipc_dirs) == 2 and all(d.is_dir() for d in ipc_dirs), ipc_dirs
        await backend.close()
        return pids, backend.pool.pool_dir, ipc_dirs

    pids, pool_dir, ipc_dirs = asyncio.run(scenario())
    assert all(gone(p) for p in pids), [p for p in pids if not gone(p)]
    assert not pool_dir.exists()
    # the kernels' socket folders (in the temp dir) go with the spares the pool killed
    assert not [d for d in ipc_dirs if d.exists()]


def test_forked_kernel_ends_when_its_runner_is_killed_with_nobody_watching(tmp_path, tracked):
    job = make_job(tmp_path, SLEEPY)
    rec = EventRecorder()

    async def scenario():
        backend = LocalBackend(rec, warm_kernels=1)
        await ready_pool(backend, 1)
        track_pool(backend, tracked)
        await backend.start(request(job))
        await async_wait_for(lambda: kernel_up(job) and "sleeping" in log_text(job))
        await backend.close()  # the server is gone: only the kernel itself can notice

    asyncio.run(scenario())
    track_job(job, tracked)
    info = read(job, "runner.json")
    assert "(warm kernel, forked)" in runner_out(job) or info["kernel_pid"]
    os.kill(info["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 15
    while not gone(info["kernel_pid"], info["kernel_create_time"]):
        assert time.monotonic() < deadline, "the kernel outlived its runner"
        time.sleep(0.1)
