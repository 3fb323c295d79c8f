"""Kernels forked from a kernel server (runner/kernel_server.py) instead of exec'd.

A fresh ipykernel spends ~0.9 s of CPU starting, most of it importing IPython, zmq and
tornado. The warm pool's spares get their kernels forked from a server that did those
imports once (~0.1-0.2 s each). Only a plain ipykernel launch (`<this python> -m
ipykernel_launcher ...` through jupyter_client's local provisioner) is forked; anything
else, or a server that is not there, falls back to the normal launch.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from typing import Any

import psutil
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner


class ForkedProcess:
    """What LocalProvisioner needs of a Popen, for a kernel that is not our child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                if psutil.Process(self.pid).status() == psutil.STATUS_ZOMBIE:
                    self.returncode = -signal.SIGKILL
            except psutil.NoSuchProcess:
                self.returncode = -signal.SIGKILL  # the real code went to its parent
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        try:
            psutil.Process(self.pid).wait(timeout)
        except psutil.NoSuchProcess:
            pass
        return self.poll() or 0

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _forkable(cmd: list[str]) -> bool:
    return (
        len(cmd) >= 3
        and cmd[1:3] == ["-m", "ipykernel_launcher"]
        and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable)
    )


def request_fork(socket_path: str, argv: list[str], env: dict, cwd: str) -> int:
    """Ask the kernel server for a kernel; returns its pid. Blocking; OSError if absent."""
    payload = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(30)
            sock.connect(socket_path)
            socket.send_fds(sock, [payload], [null, 1, 2])
            sock.shutdown(socket.SHUT_WR)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
    finally:
        os.close(null)
    answer = json.loads(reply or b"{}")
    if not answer.get("pid"):
        raise OSError(f"kernel server: {answer.get('error') or 'no answer'}")
    return int(answer["pid"])


class ForkingKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose plain ipykernel launches are forked by the server."""

    fork_socket: str | None = None
    forked = False

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        prov = self.provisioner
        if self.fork_socket and type(prov) is LocalProvisioner and _forkable(kernel_cmd):
            env = dict(kw.get("env") or os.environ)
            env["JPY_PARENT_PID"] = str(os.getpid())  # what jupyter_client's launcher sets
            cwd = str(kw.get("cwd") or os.getcwd())
            try:
                pid = await asyncio.to_thread(
                    request_fork, self.fork_socket, kernel_cmd[3:], env, cwd
                )
            except (OSError, ValueError):
                pid = None
            if pid:
                prov.process = ForkedProcess(pid)
                prov.pid = prov.pgid = pid  # it called setsid()
                prov.cwd = cwd
                self.forked = True
                self._reconcile_connection_info(prov.connection_info)
                return
        await super()._async_launch_kernel(kernel_cmd, **kw)
