"""A forked runner of the warm pool: one job, optionally on a kernel started ahead of it.

A "spare" is forked by the zygote (runner/zygote.py) before any job exists. It starts a
kernel of one kernelspec in an empty pool directory, says "ready" on its socket and waits.
When the zygote hands it a JOB_DIR it runs that one attempt with `run_job_async`, giving
the pre-started kernel through the `start_kernel` hook, and exits. A spare never runs a
second job and its kernel is never reused.

A pre-started kernel is made equivalent to a fresh one before the first cell:
- working directory: chdir to the job's work dir, and IPython's directory history `_dh`
  reset to it, exactly what a kernel started there has (`sys.path` holds '' in both);
- environment: the kernel inherited the server's environment through the zygote, like a
  cold runner's kernel does; a job that sets env vars gets a fresh kernel instead, forked
  by the kernel server with the job's environment in place before the kernel starts (or
  started the usual way when a variable could change how Python itself starts, see
  `forkable_env`);
- nothing else runs in it: the fix-up is a silent execution (no history, no execution
  count, no events, no names left in the user namespace).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from . import notebook as nbmod
from .execute import run_job_async

# Run silently in a pre-started kernel: no names leak into the user namespace.
_CHDIR_CODE = (
    "__import__('os').chdir({path})\n"
    "get_ipython().user_ns['_dh'][:] = [__import__('pathlib').Path(__import__('os').getcwd())]"
)


async def _silent(kc: Any, code: str, timeout: float = 30.0) -> None:
    msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    while True:
        reply = await kc.get_shell_msg(timeout=timeout)
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            break
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"kernel set-up failed: {reply['content'].get('evalue')}")


def forkable_env(env: dict) -> bool:
    """Whether a kernel with these job variables may be forked from the kernel server: not
    when one is read by the interpreter or the loader at process start (PYTHONPATH,
    PYTHONHASHSEED, LD_PRELOAD, glibc tunables), which a fork has already passed, nor by
    the debugger's modules at import (PYDEVD_*, DEBUGPY_*: the kernel server imported them)."""
    return not any(k.startswith(("PYTHON", "LD_", "MALLOC_", "GLIBC_", "PYDEVD_", "DEBUGPY_"))
                   for k in env)


class WarmKernel:
    """The `start_kernel` hook handing out this spare's kernel, once, if it fits the job."""

    def __init__(self, kernel_name: str, km: Any, kc: Any, pool_dir: Path,
                 fork_socket: str | None = None):
        self.kernel_name = kernel_name
        self.km, self.kc = km, kc
        self.pool_dir = pool_dir
        self.fork_socket = fork_socket
        self.used_warm = False
        self.forked = False

    async def discard(self) -> None:
        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if km is not None:
            await nbmod.shutdown_kernel(km, kc)
        shutil.rmtree(self.pool_dir, ignore_errors=True)

    async def __call__(self, kernel_name: str, cwd: Path, env: dict) -> tuple[Any, Any]:
        km, kc = self.km, self.kc
        fits = km is not None and kernel_name == self.kernel_name and not env
        if fits:
            try:
                fits = await km.is_alive()
                if fits:
                    await _silent(kc, _CHDIR_CODE.format(path=json.dumps(str(cwd))))
            except Exception:  # noqa: BLE001 - a spare kernel that misbehaves is replaced
                fits = False
        if not fits:
            await self.discard()
            fork = self.fork_socket if forkable_env(env) else None
            km, kc = await nbmod.start_kernel(kernel_name, cwd, env, fork)
            self.forked = bool(getattr(km, "forked", False))
            return km, kc
        self.km = self.kc = None  # the runner owns it now and shuts it down at the end
        self.used_warm = True
        self.forked = bool(getattr(km, "forked", False))
        shutil.rmtree(self.pool_dir, ignore_errors=True)
        return km, kc


def redirect_output(path: Path | None) -> None:
    """fd 1 and 2 to `path` (appended), or to /dev/null."""
    fd = os.open(path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


async def _read_line(sock: socket.socket) -> bytes:
    loop = asyncio.get_running_loop()
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = await loop.sock_recv(sock, 65536)
        if not chunk:
            return b""
        buf += chunk
    return buf


async def _wait_for_job(sock: socket.socket, stop_event: asyncio.Event) -> bytes:
    """The job line, or b"" on EOF or SIGTERM while idle (a job line sent before the
    SIGTERM is already buffered and wins)."""
    reading = asyncio.ensure_future(_read_line(sock))
    stopping = asyncio.ensure_future(stop_event.wait())
    await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not reading.done():
        await asyncio.wait({reading}, timeout=0.2)
    if not reading.done():
        reading.cancel()
        return b""
    return reading.result()


def _send(sock: socket.socket, msg: dict) -> None:
    try:
        sock.sendall((json.dumps(msg) + "\n").encode())
    except OSError:
        pass


async def spare_main(
    sock: socket.socket, kernel_name: str | None, pool_dir: Path, fork_socket: str | None = None
) -> int:
    """Start a kernel (if kernel_name), report ready, then run the one job handed over.

    The spare's kernel is forked by the kernel server at `fork_socket` when there is one.
    """
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    stop_event = asyncio.Event()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop_event.set)
    warm = WarmKernel(kernel_name or "", None, None, pool_dir, fork_socket)
    if kernel_name:
        try:
            pool_dir.mkdir(parents=True, exist_ok=True)
            warm.km, warm.kc = await nbmod.start_kernel(kernel_name, pool_dir, {}, fork_socket)
            forked = bool(getattr(warm.km, "forked", False))
            _send(sock, {"op": "ready", "kernel_pid": nbmod.kernel_pid(warm.km), "forked": forked,
                         "ipc_dir": nbmod.ipc_folder(warm.km)})
        except Exception as exc:  # noqa: BLE001 - the zygote stops making spares that fail
            _send(sock, {"op": "failed", "error": f"{type(exc).__name__}: {exc}"})
    line = await _wait_for_job(sock, stop_event)
    sock.close()
    if not line:  # the zygote is shutting down or dropped this spare
        await warm.discard()
        return 0
    job_dir = Path(json.loads(line)["job_dir"])
    os.chdir(job_dir)  # where a cold runner starts, too
    redirect_output(job_dir / "runner.out")
    result = await run_job_async(job_dir, stop_event, start_kernel=warm)
    await warm.discard()  # not used (the job did not need a kernel, or wanted another)
    error = result.get("error") or {}
    kind = "fresh kernel, forked" if warm.forked else "fresh kernel"
    if warm.used_warm:
        kind = "warm kernel, forked" if warm.forked else "warm kernel"
    print(f"nbjobs runner ({kind}): {result['status']} {error.get('message', '')}".rstrip())
    return 0 if result["status"] == "completed" else 1


def child_main(
    sock: socket.socket, kernel: str | None, pool_dir: Path, fork_socket: str | None
) -> None:
    """In the forked child: a session of its own, no inherited fds, then run as a spare."""
    code = 70
    try:
        os.setsid()
        signal.set_wakeup_fd(-1)
        # What a fresh interpreter has (SIGPIPE stays ignored, as Python sets it).
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        redirect_output(pool_dir / "spares.log")
        keep = {0, 1, 2, sock.fileno()}
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        kdir = pool_dir / f"k-{os.getpid()}"
        code = asyncio.run(spare_main(sock, kernel, kdir, fork_socket))
    except BaseException as exc:  # noqa: BLE001 - a child must never return into the zygote
        try:
            import traceback

            print(f"nbjobs spare {os.getpid()}: {exc!r}", file=sys.stderr)
            traceback.print_exc()
        except Exception:  # noqa: BLE001
            pass
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001
            pass
        os._exit(code)
