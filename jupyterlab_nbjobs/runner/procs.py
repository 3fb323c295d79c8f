"""Process helpers shared by the runner and the local backend (psutil only: cheap to import)."""

from __future__ import annotations

import os
import signal
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
    try:
        victims = proc.children(recursive=True)
    except psutil.Error:
        victims = []
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


def wait_dead(procs: list[psutil.Process], timeout: float) -> None:
    """Wait until the processes are gone. A zombie counts as gone: a killed process that
    another process (say the zygote) has not reaped yet can do nothing any more, and
    psutil's own wait would sit out the whole timeout on it."""
    deadline = time.monotonic() + timeout
    while procs:
        _, procs = psutil.wait_procs(procs, timeout=0.02)  # also reaps our own children
        procs = [p for p in procs if not _zombie(p)]
        if time.monotonic() > deadline:
            return


def _zombie(proc: psutil.Process) -> bool:
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.Error:
        return True
