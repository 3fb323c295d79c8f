"""Notebook preparation and the kernel client. Imports papermill/nbclient: load it lazily."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
from jupyter_client.client import KernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_path
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError  # noqa: F401 - used by execute.py

from .contract import IPC_FOLDER_PREFIX
from .joblog import JobLog, strip_ansi
from .procs import kill_process_tree

_KSM: KernelSpecManager | None = None


def kernel_spec_manager() -> KernelSpecManager:
    """The default kernel search path, spelled out: the default computes the legacy
    ~/.ipython/kernels entry by importing IPython (~0.6 s) in the runner for nothing."""
    global _KSM
    if _KSM is None:
        ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(
            os.path.expanduser("~"), ".ipython"
        )
        dirs = [*jupyter_path("kernels"), os.path.join(ipython_dir, "kernels")]
        _KSM = KernelSpecManager(kernel_dirs=dirs)
    return _KSM


def prepare_notebook(path: Path, kernel_name: str | None, parameters: dict[str, Any]) -> Any:
    """Read the notebook, point it at the kernel, inject parameters the papermill way.

    The injected cell is papermill's: typed values rendered by its translator for the
    kernel's language, after the cell tagged `parameters` (or first if there is none).
    """
    nb = nbformat.read(path, as_version=4)
    nb = nbformat.v4.upgrade(nb)
    for cell in nb.cells:  # papermill's helpers read cell.metadata.tags unguarded
        cell.metadata.setdefault("tags", [])
    meta_ks = nb.metadata.get("kernelspec") or {}
    kernel_name = kernel_name or meta_ks.get("name") or "python3"
    spec = kernel_spec_manager().get_kernel_spec(kernel_name)  # NoSuchKernel if unknown
    nb.metadata["kernelspec"] = nbformat.NotebookNode(
        name=kernel_name, display_name=spec.display_name, language=spec.language
    )
    nb.metadata["papermill"] = nbformat.NotebookNode(parameters=dict(parameters or {}))
    if parameters:
        # Here, not at the top: a job without parameters never needs papermill (~0.12 s),
        # and the pool's zygote imports it only once the pool is idle (zygote.py).
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(
            nb, dict(parameters), kernel_name=kernel_name, language=spec.language
        )
    return nb


def code_cell_indexes(nb: Any) -> list[int]:
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


class JobClient(NotebookClient):
    """nbclient's client, streaming the kernel's output into the job log as it arrives."""

    def __init__(self, nb: Any, km: Any, joblog: JobLog, **kw: Any):
        super().__init__(nb, km=km, allow_errors=True, timeout=None, **kw)
        self.joblog = joblog
        self.last_reply: dict[str, Any] | None = None
        self.on_cell_executed = self._remember_reply

    def _remember_reply(self, cell: Any, cell_index: int, execute_reply: dict) -> None:
        self.last_reply = execute_reply

    def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001 - nbclient's signature
        out = super().output(outs, msg, display_id, cell_index)
        msg_type = msg.get("msg_type")
        content = msg.get("content", {})
        if msg_type == "stream":
            self.joblog.stream(content.get("text", ""))
        elif msg_type == "error" and not is_clean_exit(content):
            self.joblog.error(
                content.get("ename", ""), content.get("evalue", ""), content.get("traceback", [])
            )
        return out


async def start_kernel(
    kernel_name: str, cwd: Path, env: dict[str, str], fork_socket: str | None = None
) -> tuple[AsyncKernelManager, Any]:
    """Start a fresh kernel with cwd and the job's environment; return (manager, client).

    With `fork_socket`, a plain ipykernel is forked by that kernel server (kernels.py).
    """
    if fork_socket:
        from .kernels import ForkingKernelManager

        km = ForkingKernelManager(
            kernel_name=kernel_name, kernel_spec_manager=kernel_spec_manager()
        )
        km.fork_socket = fork_socket
    else:
        km = AsyncKernelManager(kernel_name=kernel_name, kernel_spec_manager=kernel_spec_manager())
    extra = ["--HistoryManager.hist_file=:memory:"] if km.ipykernel else []
    use_ipc_transport(km)
    kernel_env = dict(os.environ)
    kernel_env.update(env or {})
    await km.start_kernel(cwd=str(cwd), env=kernel_env, extra_arguments=extra)
    kc = km.client()
    # No heartbeat channel (its own thread and socket; the manager's process poll says
    # whether the kernel is alive) and no stdin channel (allow_stdin is off: input()
    # raises in the kernel either way).
    kc.start_channels(hb=False, stdin=False)
    try:
        kc.kernel_info_reply = await wait_for_ready(km, kc, timeout=120)
    except BaseException:
        kc.stop_channels()
        await shutdown_kernel(km)
        raise
    kc.allow_stdin = False
    return km, kc


def kernel_info_reply(kc: Any) -> dict | None:
    """The kernel_info reply `start_kernel` got while waiting for the kernel (the same
    kernel, so the same language_info), or None for a client started elsewhere."""
    return getattr(kc, "kernel_info_reply", None)


async def wait_for_ready(km: Any, kc: Any, timeout: float) -> dict:
    """What jupyter_client's kc.wait_for_ready checks (a kernel_info reply on shell, and
    IOPub connected: a message there), without its last step, which waits for 0.2 s of
    silence on IOPub to drop what came meanwhile: 0.2 s of every kernel start. Messages
    left on IOPub belong to these kernel_info requests; nbclient skips messages of other
    requests. Returns the kernel_info reply."""
    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = await kc.get_shell_msg(timeout=1)
        except Empty:
            reply = None
        if reply is not None and reply.get("msg_type") == "kernel_info_reply":
            try:
                await kc.get_iopub_msg(timeout=0.2)  # the welcome, or this request's status
            except Empty:
                pass  # not connected yet: ask again
            else:
                handle = getattr(kc, "_handle_kernel_info_reply", None)
                if handle is not None:  # the protocol version adaptation
                    handle(reply)
                return reply
        if not await km.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


def use_ipc_transport(km: AsyncKernelManager) -> None:
    """Talk to an ipykernel over Unix sockets in a private folder instead of TCP ports.

    jupyter_client picks TCP ports by binding and releasing them, and the kernel binds them
    a moment later: with jobs starting side by side, another process can take a port in
    between and the kernel dies with "Address already in use". Socket files cannot be taken
    that way. Other kernels keep TCP (not all of them speak ipc)."""
    if not km.ipykernel:
        return
    folder = tempfile.mkdtemp(prefix=IPC_FOLDER_PREFIX)  # short: a socket path has ~100 bytes
    km.transport = "ipc"
    km.ip = os.path.join(folder, "k")


def ipc_folder(km: Any) -> str | None:
    """The private folder of a kernel's sockets (use_ipc_transport), or None over TCP."""
    return os.path.dirname(km.ip) if getattr(km, "transport", "tcp") == "ipc" else None


def _remove_ipc_folder(km: Any) -> None:
    folder = ipc_folder(km)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


_CHANNELS = ("_shell_channel", "_iopub_channel", "_stdin_channel", "_hb_channel",
             "_control_channel")


def stop_channels(kc: Any) -> None:
    """kc.stop_channels(), but only for the channels that were started: jupyter_client's
    creates each missing one (a socket, for the heartbeat a thread) to ask if it runs."""
    if type(kc).stop_channels is not KernelClient.stop_channels or not all(
        hasattr(kc, name) for name in (*_CHANNELS, "_created_context")
    ):
        kc.stop_channels()  # a client with its own way (the remote one)
        return
    for name in _CHANNELS:
        channel = getattr(kc, name)
        if channel is not None and channel.is_alive():
            channel.stop()
    if kc._created_context and not kc.context.closed:
        kc.context.destroy(linger=100)


def kernel_pid(km: Any) -> int | None:
    prov = getattr(km, "provisioner", None)
    return getattr(prov, "pid", None) if prov is not None else None


async def shutdown_kernel(km: Any, kc: Any = None) -> None:
    """Kill the kernel now (no graceful shutdown: the job is over either way)."""
    if kc is not None:
        try:
            stop_channels(kc)
        except Exception:  # noqa: BLE001
            pass
    if km is None:
        return
    pid = kernel_pid(km)
    try:
        if pid:
            # Killed (and reaped) here: jupyter_client's shutdown_kernel would poll every
            # 0.1 s for the end and then sleep 10 ms more (its in_pending_state). The
            # provisioner only has to see that its process is gone.
            kill_process_tree(pid)
            prov = km.provisioner
            if prov is not None and prov.has_process:
                await asyncio.wait_for(prov.wait(), 5.0)
        elif km.has_kernel:
            await km.shutdown_kernel(now=True)
    except Exception:  # noqa: BLE001 - it is dead already
        pass
    try:
        await km.cleanup_resources()
    except Exception:  # noqa: BLE001
        pass
    _remove_ipc_folder(km)


CLEAN_EXIT_VALUES = {"", "0", "None"}


def is_clean_exit(content: dict) -> bool:
    """sys.exit() / sys.exit(0) / raise SystemExit in a cell: the notebook ends, successfully."""
    return content.get("ename") == "SystemExit" and (content.get("evalue") or "") in (
        CLEAN_EXIT_VALUES
    )


def error_from_reply(content: dict) -> tuple[str, str, list[str]]:
    return (
        content.get("ename") or "",
        content.get("evalue") or "",
        [strip_ansi(line) for line in content.get("traceback") or []],
    )
