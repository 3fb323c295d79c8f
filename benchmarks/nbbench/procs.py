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
