"""Process trees: memory sampling, and ending exactly the processes this harness started.

Every process is identified by (pid, create_time) so a recycled pid is never touched.
Our runners start in their own session and outlive their server on purpose, so the tree
is remembered while it is sampled and ended explicitly at shutdown.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import psutil

Ident = tuple[int, float]


def ident(proc: psutil.Process) -> Ident:
    return proc.pid, proc.create_time()


def same_process(pid: int, create_time: float) -> psutil.Process | None:
    try:
        proc = psutil.Process(pid)
        if abs(proc.create_time() - create_time) < 0.01:
            return proc
    except psutil.Error:
        pass
    return None


def tree(root: psutil.Process) -> list[psutil.Process]:
    """root and all its descendants that are alive now."""
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def rss(procs: list[psutil.Process]) -> int:
    """Sum of resident set sizes in bytes (shared pages are counted in every process)."""
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


def _kind(cmd: str, parent: str) -> str:
    if "jupyterlab_nbjobs.service_process" in cmd:
        return "service process"
    # Forks carry their parent's command line: a kernel the fork server's, a runner the
    # zygote's.
    if parent == "kernel fork server":
        return "kernel"
    if "fork server for ipykernel" in cmd:
        return "kernel fork server"
    if parent == "pool zygote":
        return "runner"
    if "runner.zygote" in cmd:
        return "pool zygote"
    if "ipykernel" in cmd:
        return "kernel"
    if "jupyterlab_nbjobs.runner" in cmd:
        return "runner"
    return cmd.split(" ", 1)[0].rsplit("/", 1)[-1] or "?"


# Who the processes a kind waited for were (their CPU is counted in the parent once ended).
ENDED = {"pool zygote": "runners (ended)", "kernel fork server": "kernels (ended)"}


def cpu_by_kind(root: psutil.Process) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the tree's processes, summed by kind
    (server, service process, pool zygote, runner, kernel fork server, kernel, ...). What
    the processes that ended used is in their parent's count of the children it waited
    for (a zygote reaps its runners, the fork server its kernels), so it is counted under
    ENDED's name for them: the difference of two readings is what a workload used."""
    seen: dict[int, tuple[str, int, float]] = {}  # pid -> (command line, parent, CPU)
    ended: dict[int, float] = {}
    for proc in tree(root):
        try:
            with proc.oneshot():
                times = proc.cpu_times()
                seen[proc.pid] = (" ".join(proc.cmdline()), proc.ppid(),
                                  times.user + times.system)
                ended[proc.pid] = times.children_user + times.children_system
        except psutil.Error:
            continue
    kinds: dict[int, str] = {root.pid: "server"}

    def kind_of(pid: int) -> str:
        if pid not in kinds:
            cmd, ppid, _ = seen[pid]
            kinds[pid] = _kind(cmd, kind_of(ppid) if ppid in seen else "")
        return kinds[pid]

    out: dict[str, float] = {}
    for pid, (_, _, cpu) in seen.items():
        kind = kind_of(pid)
        out[kind] = out.get(kind, 0.0) + cpu
        name = ENDED.get(kind, f"{kind}'s ended children")
        out[name] = out.get(name, 0.0) + ended[pid]
    return out


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What each kind used between two cpu_by_kind readings (a kind whose processes all
    ended is under the name of its parent's ended children)."""
    used = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in {*before, *after}}
    return {k: round(v, 3) for k, v in sorted(used.items(), key=lambda kv: -kv[1])
            if abs(v) >= 0.005}


class Registry:
    """A file of every process this harness saw under its servers, so that a run killed
    half-way can be cleaned up by the next one (only those exact processes)."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.seen: dict[int, float] = {}

    def add(self, procs: list[psutil.Process]) -> None:
        changed = False
        with self.lock:
            for proc in procs:
                try:
                    pid, created = ident(proc)
                except psutil.Error:
                    continue
                if self.seen.get(pid) != created:
                    self.seen[pid] = created
                    changed = True
            if changed:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(".tmp")
                tmp.write_text(json.dumps(self.seen))
                os.replace(tmp, self.path)

    def alive(self) -> list[psutil.Process]:
        with self.lock:
            items = list(self.seen.items())
        return [p for pid, ct in items if (p := same_process(pid, ct)) is not None]

    def cleanup_previous(self) -> int:
        """End processes recorded by an earlier run that did not finish its shutdown."""
        try:
            old = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return 0
        procs = [p for pid, ct in old.items() if (p := same_process(int(pid), ct)) is not None]
        end(procs, grace=3.0)
        self.path.unlink(missing_ok=True)
        return len(procs)


def end(procs: list[psutil.Process], grace: float = 5.0) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL what is left."""
    for proc in procs:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=2.0)


class Sampler:
    """Samples a server's process tree in a thread: peak RSS, and the system memory guard."""

    def __init__(self, root: psutil.Process, registry: Registry, interval: float = 0.5,
                 min_available: int = 3 << 30):
        self.root = root
        self.registry = registry
        self.interval = interval
        self.min_available = min_available
        self.peak_rss = 0
        self.peak_procs = 0
        self.low_memory = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> int:
        procs = tree(self.root)
        self.registry.add(procs)
        value = rss(procs)
        self.peak_rss = max(self.peak_rss, value)
        self.peak_procs = max(self.peak_procs, len(procs))
        if psutil.virtual_memory().available < self.min_available:
            self.low_memory = True
        return value

    def __enter__(self) -> Sampler:
        self.sample()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sample()
            except Exception:  # a sampling hiccup must not kill the benchmark
                pass

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.sample()


def wait_until(predicate, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
