"""Process helpers shared by the runner and the local backend (psutil only: cheap to import)."""

from __future__ import annotations

import os
import select
import signal
import threading
import time

import psutil


def process_if_same(pid: int | None, create_time: float | None) -> psutil.Process | None:
    """The live process with this pid and start time, or None (ended, or the pid was reused)."""
    if not pid:
        return None
    try:
        proc = psutil.Process(int(pid))
        if create_time is not None and abs(proc.create_time() - float(create_time)) > 0.01:
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None


def kill_process_tree(pid: int, create_time: float | None = None) -> None:
    """SIGKILL a process, its process group if it leads one, and all its descendants."""
    proc = process_if_same(pid, create_time)
    if proc is None:
        return
    victims = descendants(proc)
    try:
        if os.getpgid(proc.pid) == proc.pid != os.getpgrp():
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for p in [proc, *victims]:
        try:
            p.kill()
        except psutil.Error:
            pass
    wait_dead([proc, *victims], timeout=3)


def _has_proc_children() -> bool:
    return os.path.exists(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children")


_PROC_CHILDREN = _has_proc_children()


def descendants(proc: psutil.Process) -> list[psutil.Process]:
    """proc's descendants, read from /proc/PID/task/TID/children where the system has it
    (a few small files per process) instead of psutil's look at every process there is."""
    if not _PROC_CHILDREN:
        try:
            return proc.children(recursive=True)
        except psutil.Error:
            return []
    found: list[psutil.Process] = []
    todo = [proc.pid]
    while todo:
        pid = todo.pop()
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # gone meanwhile
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            for kid in kids:
                try:
                    found.append(psutil.Process(kid))
                except psutil.Error:
                    continue
                todo.append(kid)
    return found


def wait_dead(procs: list[psutil.Process], timeout: float) -> None:
    """Wait until the processes are gone. A zombie counts as gone: a killed process that
    another process (say the zygote) has not reaped yet can do nothing any more, and
    psutil's own wait would sit out the whole timeout on it.

    Through pidfds where the system has them: woken the moment each one exits, where
    psutil polls a process that is not our child (a forked kernel is the kernel server's)
    with sleeps."""
    deadline = time.monotonic() + timeout
    procs = _wait_pidfds(procs, timeout)
    while procs:
        _, procs = psutil.wait_procs(procs, timeout=0.02)  # also reaps our own children
        procs = [p for p in procs if not _zombie(p)]
        if time.monotonic() > deadline:
            return


def _wait_pidfds(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait on pidfds; returns the processes left for the polling wait (none unless pidfds
    are missing or the timeout passed)."""
    if not hasattr(os, "pidfd_open"):
        return procs
    fds: dict[int, psutil.Process] = {}
    left: list[psutil.Process] = []
    try:
        for proc in procs:
            try:
                fd = os.pidfd_open(proc.pid)
            except ProcessLookupError:
                continue  # gone
            except OSError:
                left.append(proc)  # no pidfds here: the polling wait
                continue
            if not proc.is_running():  # the pid was reused before we opened it: gone
                os.close(fd)
                continue
            fds[fd] = proc
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        deadline = time.monotonic() + timeout
        waiting = set(fds)
        while waiting:
            wait_ms = max(0, int((deadline - time.monotonic()) * 1000))
            for fd, _ in poller.poll(wait_ms):
                waiting.discard(fd)
                poller.unregister(fd)
            if waiting and time.monotonic() >= deadline:
                left.extend(fds[fd] for fd in waiting)
                break
        for fd, proc in fds.items():
            if fd not in waiting and proc.pid and _is_child(proc.pid):
                try:
                    os.waitpid(proc.pid, os.WNOHANG)  # ours: reap it, as psutil would
                except ChildProcessError:
                    pass
    finally:
        for fd in fds:
            os.close(fd)
    return left


def _is_child(pid: int) -> bool:
    try:
        return psutil.Process(pid).ppid() == os.getpid()
    except psutil.Error:
        return False


def _zombie(proc: psutil.Process) -> bool:
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True
