"""The server's side of the warm runner pool (the zygote is runner/zygote.py).

One zygote process per local backend, talked to over its stdin/stdout pipes. It is
started ahead of demand and replaced (with a back-off) if it dies; while it is missing or
not ready yet, the backend starts a cold runner, as without a pool. The zygote also tells
us when a job's runner exits, so the backend sees a finished job at once instead of on
its next poll.
"""

from __future__ import annotations

import itertools
import json
import logging
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from ...runner.contract import IPC_FOLDER_PREFIX
from ...runner.procs import kill_process_tree, wait_dead

log = logging.getLogger(__name__)

_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from jupyterlab_nbjobs.runner.__main__ import exit_now; "
    "from jupyterlab_nbjobs.runner.zygote import main; exit_now(main(sys.argv[1:]))"
)
RESPAWN_BACKOFF = 30.0  # seconds between zygote starts after one died
REPLY_TIMEOUT = 20.0
READY_WAIT = 15.0  # seconds a job waits for a starting pool before running cold
BURST_HOLD = 30.0  # seconds after the last job of a burst that its extra spares are kept


class WarmPool:
    def __init__(
        self,
        python: str,
        package_parent: str,
        *,
        size: int = 2,
        burst: int | None = None,
        kernels: tuple[str, ...] = ("python3",),
        pool_dir: str | None = None,
        on_exit: Callable[[int, int], None] | None = None,
        on_change: Callable[[], None] | None = None,
    ):
        self.python = python
        self.package_parent = package_parent
        self.size = size
        self.burst = max(size, burst if burst is not None else size)
        self.burst_hold = BURST_HOLD
        self.kernels = list(kernels)
        self._own_dir = pool_dir is None
        self.pool_dir = Path(pool_dir or tempfile.mkdtemp(prefix="nbjobs-pool-"))
        self.on_exit = on_exit
        self.on_change = on_change  # from the reader thread: ready, or the zygote ended
        self._lock = threading.Lock()  # one writer of the zygote's stdin
        self._proc: subprocess.Popen | None = None
        self._ready = threading.Event()
        self._replies: dict[int, dict | None] = {}
        self._waiting: dict[int, threading.Event] = {}
        self._ids = itertools.count(1)
        self._last_start = 0.0
        self._closed = False
        self._job_pids: set[int] = set()
        self.ready_spares: dict[int, str] = {}  # pid -> kernelspec, as the zygote reports
        self.spare_kernels: dict[int, int] = {}  # spare pid -> its kernel's pid
        self.spare_ipc_dirs: dict[int, str] = {}  # spare pid -> its kernel's socket folder

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ready(self) -> bool:
        return self.alive() and self._ready.is_set()

    def starting(self) -> bool:
        """Started and not ready yet: a job is better off waiting for it than running cold."""
        return self.alive() and not self._ready.is_set()

    def ensure_started(self) -> None:
        """Start the zygote unless it runs, or died less than RESPAWN_BACKOFF ago. Blocking."""
        with self._lock:
            if self._closed or self.alive():
                return
            if self._proc is not None and time.monotonic() - self._last_start < RESPAWN_BACKOFF:
                return
            self._last_start = time.monotonic()
            self._ready.clear()
            self.pool_dir.mkdir(parents=True, exist_ok=True)
            with open(self.pool_dir / "zygote.log", "ab") as err:
                self._proc = subprocess.Popen(
                    [
                        self.python,
                        "-c",
                        _BOOT,
                        self.package_parent,
                        str(self.pool_dir),
                        f"{self.size},{self.burst},{self.burst_hold}",
                        *self.kernels,
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    cwd=self.pool_dir,
                    close_fds=True,
                )
            proc = self._proc
            threading.Thread(
                target=self._read, args=(proc,), name="nbjobs-zygote-reader", daemon=True
            ).start()

    def _read(self, proc: subprocess.Popen) -> None:
        for raw in proc.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            op = msg.get("op")
            if op == "ready":
                self._ready.set()
                self._changed()
            elif op in ("started", "error"):
                self._forget_spare(msg.get("pid"))
                self._answer(msg.get("id"), msg)
            elif op == "spare_ready":
                self.ready_spares[msg["pid"]] = msg.get("kernel")
                self.spare_kernels[msg["pid"]] = msg.get("kernel_pid")
                if isinstance(msg.get("ipc_dir"), str):
                    self.spare_ipc_dirs[msg["pid"]] = msg["ipc_dir"]
            elif op == "spare_gone":
                self._forget_spare(msg["pid"])
            elif op == "exit" and self.on_exit is not None:
                self._job_pids.discard(int(msg["pid"]))
                try:
                    self.on_exit(int(msg["pid"]), int(msg.get("code") or 0))
                except Exception:  # noqa: BLE001
                    log.exception("nbjobs: runner exit callback failed")
        proc.wait()
        if self._proc is proc:
            self._ready.clear()
            self.ready_spares.clear()
            self.spare_kernels.clear()
            self.spare_ipc_dirs.clear()
        for rid in list(self._waiting):  # nobody answers these any more
            self._answer(rid, None)
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:  # noqa: BLE001
                log.exception("nbjobs: pool state callback failed")

    def _answer(self, rid: Any, msg: dict | None) -> None:
        event = self._waiting.get(rid)
        if event is not None:
            self._replies[rid] = msg
            event.set()

    def launch(self, job_id: str, job_dir: Path, kernel: str, warm: bool) -> dict | None:
        """Have the zygote fork a runner for this attempt: {"pid", "create_time", "warm"},
        or None when the pool cannot (the caller starts a cold runner). Blocking.

        A pool still starting is waited for (up to READY_WAIT): it is ready sooner than a
        cold runner would be, and a cold runner would compete with it for the CPU. (The
        backend waits for it asynchronously before calling this, so that nothing it holds
        waits along.)"""
        if self.alive() and not self._ready.is_set():
            self._ready.wait(READY_WAIT)
        if not self.ready():
            return None
        rid = next(self._ids)
        event = threading.Event()
        self._waiting[rid] = event
        msg = {
            "op": "run",
            "id": rid,
            "job_id": job_id,
            "job_dir": str(job_dir),
            "kernel": kernel,
            "warm": warm,
        }
        try:
            with self._lock:
                proc = self._proc
                if proc is None or proc.stdin is None:
                    return None
                proc.stdin.write((json.dumps(msg) + "\n").encode())
                proc.stdin.flush()
            if not event.wait(REPLY_TIMEOUT):
                # A zygote that does not answer is broken: end it so it cannot start this
                # job behind our back; the caller cleans up after it and runs cold.
                log.error("nbjobs: the warm pool did not answer; killing it")
                self.kill()
                return None
            reply = self._replies.pop(rid, None)
        except (OSError, ValueError):
            return None
        finally:
            self._waiting.pop(rid, None)
        if not reply or reply.get("op") != "started":
            if reply:
                log.warning("nbjobs: the warm pool could not start a runner: %s", reply)
            return None
        self._job_pids.add(int(reply["pid"]))
        return reply

    def kill(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def _forget_spare(self, pid: Any) -> None:
        """A spare handed a job, or gone: no longer the pool's."""
        self.ready_spares.pop(pid, None)
        self.spare_kernels.pop(pid, None)
        self.spare_ipc_dirs.pop(pid, None)

    def close(self, timeout: float = 10.0) -> None:
        """End the zygote, its kernel server and its idle spares; running jobs go on."""
        with self._lock:
            self._closed = True
            proc = self._proc
        spares, helpers = self._children()
        kernels = [self.spare_kernels.get(p.pid) for p in spares]
        ipc_dirs = [self.spare_ipc_dirs.get(p.pid) for p in spares]
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()  # the zygote exits, and then its kernel server
            except OSError:
                pass
        # Idle spares hold nothing: end them and their kernels now rather than wait for a
        # kernel start to finish (a forked kernel whose spare is gone also ends itself).
        for p, kernel_pid in zip(spares, kernels, strict=True):
            try:
                kill_process_tree(p.pid, p.create_time())
            except psutil.Error:
                pass
            if kernel_pid:
                kill_process_tree(int(kernel_pid))
        # Killed, they could not remove their kernels' socket folders (in the temp dir, as
        # a socket path must be short) themselves.
        for folder in ipc_dirs:
            if folder and Path(folder).name.startswith(IPC_FOLDER_PREFIX):
                shutil.rmtree(folder, ignore_errors=True)
        if proc is not None:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # The kernel server ends on its own once the zygote is gone (its stdin closes);
        # waited for so that nothing of the pool outlives close(). Killed alone if it
        # lingers: running jobs' kernels are its children and go on.
        wait_dead(helpers, timeout=5.0)
        for helper in helpers:
            try:
                helper.kill()
            except psutil.Error:
                pass
        if self._own_dir:
            shutil.rmtree(self.pool_dir, ignore_errors=True)

    def _children(self) -> tuple[list[psutil.Process], list[psutil.Process]]:
        """The zygote's children but job runners: (forked ones, i.e. idle or starting
        spares; the others, i.e. the kernel server)."""
        try:
            zygote = psutil.Process(self._proc.pid) if self.alive() else None
            if zygote is None:
                return [], []
            cmd = zygote.cmdline()
            kids = zygote.children()
        except psutil.Error:
            return [], []
        spares, helpers = [], []
        for k in kids:
            try:  # forked children share the zygote's command line; the kernel server not
                if k.pid in self._job_pids:
                    continue
                (spares if k.cmdline() == cmd else helpers).append(k)
            except psutil.Error:
                pass
        return spares, helpers
