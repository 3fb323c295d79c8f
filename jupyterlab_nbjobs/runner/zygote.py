"""The warm runner pool's zygote: imports the runner once, forks one runner per job.

Started by the local backend (`backends/local/pool.py`) with pipes on stdin/stdout, one
JSON object per line each way:

    server -> zygote  {"op": "run", "id", "job_id", "job_dir", "kernel", "warm"}
    zygote -> server  {"op": "ready"}                       imports done, taking jobs
                      {"op": "started", "id", "pid", "create_time", "warm"}
                      {"op": "exit", "pid", "code"}         a job's runner ended
                      {"op": "error", "id", "message"}      could not fork
                      {"op": "spare_ready" | "spare_gone", "pid"}   a spare's state (its
                                                            kernel's pid and socket folder)

It keeps `size` spares per kernelspec in use (runner/spare.py: a forked runner with a
kernel already started, waiting for a job). A job goes to a ready spare of its kernel,
else to one still starting its kernel, else to a fresh fork that starts its own kernel.
In a burst (a job found no ready spare while other jobs ran) it keeps `burst` spares of
that kernelspec instead, for `burst_hold` seconds after the last such job: replacements
then start a few jobs ahead instead of one; afterwards idle spares beyond `size` end.
Every forked runner calls setsid(), so it survives the server and the zygote exactly like
a cold runner, and a stop kills its process group. The zygote itself stays
single-threaded, without an event loop or a zmq context, so forking it is safe.
It exits when its stdin closes; idle spares then shut their kernels down, running jobs
go on.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path

MAX_KERNELSPECS = 4  # spares are kept for at most this many kernelspecs
MAX_FAILURES = 3  # spares of a kernelspec failing in a row: stop making them
# Seconds without a message before the zygote imports what only some jobs need (papermill,
# for parameters): not while a cold pool's first spares, or its first jobs, want the CPU.
LATE_WARM_IDLE = 1.0


class Spare:
    def __init__(self, pid: int, kernel: str | None, sock: socket.socket):
        self.pid = pid
        self.kernel = kernel
        self.sock = sock
        self.ready = False
        self.failed = False
        self.buf = b""


class Zygote:
    def __init__(
        self,
        out_fd: int,
        pool_dir: Path,
        size: int,
        kernels: list[str],
        fork_socket: str | None = None,
        burst: int | None = None,
        burst_hold: float = 30.0,
        late_warm: Callable[[], None] | None = None,
    ):
        self.out_fd = out_fd
        self.late_warm = late_warm  # run once, after LATE_WARM_IDLE s without a message
        self.last_message = time.monotonic()
        self.fork_socket = fork_socket
        self.pool_dir = pool_dir
        self.size = size
        self.burst = max(size, burst if burst is not None else size)
        self.burst_hold = burst_hold
        self.bursting: dict[str, float] = {}  # kernel -> monotonic time its burst ends
        self.targets: dict[str, int] = {k: size for k in kernels[:MAX_KERNELSPECS]}
        self.failures: dict[str, int] = {}
        self.spares: dict[int, Spare] = {}
        self.jobs: dict[int, str] = {}  # pid -> job_id
        # Until a spare is ready or a job has ended, the pool starts one runner at a time:
        # a cold pool's first job (and its kernel) then has the CPU to itself rather than
        # sharing it with spares no job waits for yet.
        self.warmed = False
        self.sel = selectors.DefaultSelector()
        self.inbuf = b""
        self.running = True

    # -- the server side --------------------------------------------------------------
    def send(self, msg: dict) -> None:
        data = (json.dumps(msg) + "\n").encode()
        while data:
            try:
                n = os.write(self.out_fd, data)
            except BrokenPipeError:
                self.running = False
                return
            data = data[n:]

    def on_stdin(self) -> None:
        chunk = os.read(0, 65536)
        if not chunk:
            self.running = False
            return
        self.inbuf += chunk
        while b"\n" in self.inbuf:
            line, self.inbuf = self.inbuf.split(b"\n", 1)
            if line.strip():
                self.handle(json.loads(line))

    def handle(self, msg: dict) -> None:
        if msg.get("op") != "run":
            return
        kernel = msg.get("kernel") or ""
        try:
            spare = self.pick(kernel) if msg.get("warm") else None
            if msg.get("warm") and self.jobs and (spare is None or not spare.ready):
                self.bursting[kernel] = time.monotonic() + self.burst_hold
            if spare is None:
                spare = self.fork(None)
            del self.spares[spare.pid]
            wait_own_session(spare.pid)
            spare.sock.sendall((json.dumps({"job_dir": msg["job_dir"]}) + "\n").encode())
            self.unwatch(spare)
            self.jobs[spare.pid] = msg.get("job_id", "")
            self.send(
                {
                    "op": "started",
                    "id": msg.get("id"),
                    "pid": spare.pid,
                    "create_time": create_time(spare.pid),
                    "warm": spare.kernel is not None,
                }
            )
        except Exception as exc:  # noqa: BLE001 - the server falls back to a cold runner
            self.send({"op": "error", "id": msg.get("id"), "message": f"{exc!r}"})
        if msg.get("warm") and kernel and kernel not in self.targets:
            if len(self.targets) < MAX_KERNELSPECS:
                self.targets[kernel] = self.size
        self.replenish()

    def pick(self, kernel: str) -> Spare | None:
        mine = [s for s in self.spares.values() if s.kernel == kernel and not s.failed]
        ready = [s for s in mine if s.ready]
        return (ready or mine or [None])[0]

    def warm_late(self) -> None:
        late, self.late_warm = self.late_warm, None
        try:
            late()
        except Exception as exc:  # noqa: BLE001 - the jobs that need it import it themselves
            print(f"nbjobs zygote: late warming failed: {exc!r}", file=sys.stderr)
        import threading

        if threading.active_count() != 1:  # forking a threaded process is not safe
            print("nbjobs zygote: threads after late imports, not forking", file=sys.stderr)
            self.running = False

    # -- spares -----------------------------------------------------------------------
    def wanted(self, kernel: str) -> int:
        if self.bursting.get(kernel, 0.0) > time.monotonic():
            return self.burst
        return self.targets.get(kernel, 0)

    def replenish(self) -> None:
        for kernel in self.targets:
            if self.failures.get(kernel, 0) >= MAX_FAILURES:
                continue
            have = sum(1 for s in self.spares.values() if s.kernel == kernel and not s.failed)
            missing = self.wanted(kernel) - have
            if not self.warmed:
                starting = sum(1 for s in self.spares.values() if not s.failed) + len(self.jobs)
                missing = min(missing, 1 - starting)
            for _ in range(missing):
                self.fork(kernel)

    def warm(self) -> None:
        """The pool has had a spare ready or a job done: from now on spares start side by
        side, as many as wanted."""
        if not self.warmed:
            self.warmed = True
            self.replenish()

    def trim(self) -> None:
        """After a burst: end the idle spares beyond `size` (their kernels with them)."""
        now = time.monotonic()
        for kernel, until in list(self.bursting.items()):
            if until > now:
                continue
            del self.bursting[kernel]
            mine = [s for s in self.spares.values() if s.kernel == kernel and not s.failed]
            mine.sort(key=lambda s: s.ready)  # still starting first: they cost CPU to finish
            for spare in mine[: max(0, len(mine) - self.targets.get(kernel, 0))]:
                del self.spares[spare.pid]  # not a failure when it exits
                self.unwatch(spare)
                self.send({"op": "spare_gone", "pid": spare.pid})
                try:
                    os.kill(spare.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    def fork(self, kernel: str | None) -> Spare:
        parent_sock, child_sock = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # the child never returns from here
            parent_sock.close()
            from .spare import child_main  # imported already: main() imports spare

            child_main(child_sock, kernel, self.pool_dir, self.fork_socket)
        child_sock.close()
        spare = Spare(pid, kernel, parent_sock)
        self.spares[pid] = spare
        if kernel is not None:
            self.sel.register(parent_sock, selectors.EVENT_READ, ("spare", spare))
        return spare

    def unwatch(self, spare: Spare) -> None:
        try:
            self.sel.unregister(spare.sock)
        except (KeyError, ValueError):
            pass
        spare.sock.close()

    def on_spare(self, spare: Spare) -> None:
        try:
            chunk = spare.sock.recv(65536)
        except OSError:
            chunk = b""
        if not chunk:
            self.unwatch(spare)
            return
        spare.buf += chunk
        while b"\n" in spare.buf:
            line, spare.buf = spare.buf.split(b"\n", 1)
            msg = json.loads(line)
            op = msg.get("op")
            if op == "ready":
                spare.ready = True
                self.failures[spare.kernel] = 0
                self.send(
                    {
                        "op": "spare_ready",
                        "pid": spare.pid,
                        "kernel": spare.kernel,
                        "kernel_pid": msg.get("kernel_pid"),
                        "forked": msg.get("forked"),
                        "ipc_dir": msg.get("ipc_dir"),
                    }
                )
                self.warm()
            elif op == "failed":
                spare.failed = True
                self.failures[spare.kernel] = self.failures.get(spare.kernel, 0) + 1
                print(f"nbjobs zygote: a {spare.kernel} spare failed: {line!r}", file=sys.stderr)
                self.spares.pop(spare.pid, None)
                self.unwatch(spare)  # it exits on EOF
                self.replenish()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            if pid in self.jobs:
                self.jobs.pop(pid)
                self.send({"op": "exit", "pid": pid, "code": code})
                self.warm()
            elif pid in self.spares:  # died idle (its kernel failed, or it was killed)
                spare = self.spares.pop(pid)
                self.send({"op": "spare_gone", "pid": pid})
                self.unwatch(spare)
                if spare.kernel is not None and not spare.failed:
                    self.failures[spare.kernel] = self.failures.get(spare.kernel, 0) + 1
                self.replenish()

    # -- the loop ---------------------------------------------------------------------
    def run(self) -> None:
        rfd, wfd = os.pipe()
        os.set_blocking(wfd, False)
        os.set_blocking(rfd, False)
        signal.set_wakeup_fd(wfd)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.sel.register(0, selectors.EVENT_READ, ("stdin", None))
        self.sel.register(rfd, selectors.EVENT_READ, ("signal", None))
        self.send({"op": "ready", "pid": os.getpid()})
        self.replenish()
        while self.running:
            timeout = 5.0
            if self.bursting:
                timeout = max(0.0, min(timeout, min(self.bursting.values()) - time.monotonic()))
            if self.late_warm is not None:
                timeout = min(timeout, max(0.0, self.last_message + LATE_WARM_IDLE
                                           - time.monotonic()))
            events = self.sel.select(timeout=timeout)
            if events:
                self.last_message = time.monotonic()
            elif self.late_warm is not None and \
                    time.monotonic() - self.last_message >= LATE_WARM_IDLE:
                self.warm_late()
            for key, _ in events:
                kind, spare = key.data
                if kind == "stdin":
                    self.on_stdin()
                elif kind == "signal":
                    try:
                        os.read(rfd, 4096)
                    except BlockingIOError:
                        pass
                elif kind == "spare":
                    self.on_spare(spare)
            self.reap()
            if self.bursting:
                self.trim()
        for spare in list(self.spares.values()):  # idle spares shut their kernels down
            self.unwatch(spare)
            try:
                os.kill(spare.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def wait_own_session(pid: int, timeout: float = 5.0) -> None:
    """Until a forked child has called setsid(), its first act: a child forked just now
    may not have had the CPU yet, and the server stops a job by killing the process group
    its pid names, which until then is not the runner's."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.getsid(pid) == pid:
                return
        except ProcessLookupError:  # gone already: its exit is reported as usual
            return
        time.sleep(0.0005)


def create_time(pid: int) -> float:
    import psutil

    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return time.time()


def main(argv: list[str]) -> int:
    """argv: POOL_DIR SIZE[,BURST[,BURST_HOLD]] [KERNEL ...]"""
    from ..optional_imports import skip_iri_grammar
    from .__main__ import skip_papermill_s3

    skip_iri_grammar()
    skip_papermill_s3()
    pool_dir = Path(argv[0])
    pool_dir.mkdir(parents=True, exist_ok=True)
    # The protocol gets its own fd; anything printed goes to stderr (the zygote's log).
    out_fd = os.dup(1)
    os.dup2(2, 1)
    # First, so that its imports (ipykernel's, as long as ours) run beside ours below: a
    # cold pool's first job waits for both.
    from .pool_start import start_kernel_server, warm_caches

    fork_socket = start_kernel_server(pool_dir)
    from . import execute, kernels, notebook, outputs, spare  # noqa: F401 - what every job needs

    kernel_names = argv[2:] or ["python3"]
    for name in kernel_names:
        try:
            warm_caches(pool_dir, name)
        except Exception as exc:  # noqa: BLE001 - an unknown kernel fails in its job, as usual
            print(f"nbjobs zygote: warming for {name} failed: {exc!r}", file=sys.stderr)

    def late_warm() -> None:  # papermill, for the jobs with parameters
        warm_caches(pool_dir, kernel_names[0], {"a": 1})

    import threading

    if threading.active_count() != 1:  # forking a threaded process is not safe
        print("nbjobs zygote: threads after imports, not forking", file=sys.stderr)
        return 3
    size, *more = argv[1].split(",")
    burst = int(more[0]) if more else None
    hold = float(more[1]) if len(more) > 1 else 30.0
    Zygote(out_fd, pool_dir, int(size), argv[2:], fork_socket, burst, hold, late_warm).run()
    return 0
