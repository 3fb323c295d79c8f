"""A kernel on another Jupyter server, driven through jupyter_server's gateway client.

papermill/nbclient talk to `GatewayKernelManager`/`GatewayKernelClient` as to any kernel;
these subclasses close the gaps they have against a plain Jupyter server:
- the kernel's websocket is opened without the auth headers or cookies (403): ours sends the
  session's headers (token, or cookies + X-XSRFToken);
- `start_kernel` falls back to `python3` instead of the manager's `kernel_name`, and the
  kernel's `path` (its working directory) is not sent: ours posts both;
- the channel queues wait for messages with `asyncio.sleep(0)` in a loop (a busy core per
  job): ours sleep until the websocket reader thread hands them a message;
- a lost websocket surfaces as a RuntimeError of the queue: ours raise nbclient's
  DeadKernelError, which the runner reports as the kernel gone with the cell it ran.

`GatewayClient` is a process-wide singleton, so one process talks to one remote server:
the remote runner is one process per job.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from queue import Empty
from typing import Any

import websocket
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from jupyter_core.utils import ensure_async
from jupyter_server.gateway.gateway_client import GatewayClient, gateway_request
from jupyter_server.gateway.managers import (
    ChannelQueue,
    GatewayKernelClient,
    GatewayKernelManager,
    HBChannelQueue,
)
from nbclient.exceptions import DeadKernelError
from traitlets import Unicode

from .remote_http import RemoteSession


def configure_gateway(session: RemoteSession, request_timeout: float = 120.0) -> GatewayClient:
    """Point this process's GatewayClient at the session's server, with its credentials."""
    gc = GatewayClient.instance()
    gc.url = session.base
    headers = session.auth_headers()
    token = headers.pop("Authorization", "").removeprefix("token ").strip()
    gc.auth_scheme = "token"
    gc.auth_token = token
    gc.headers = json.dumps(headers)
    gc.request_timeout = request_timeout
    gc._connection_args = {}  # re-read the settings on the next request
    return gc


class MissingRemoteKernel(NoSuchKernel):
    def __init__(self, name: str, where: str, have: list[str]):
        super().__init__(name)
        self.where, self.have = where, have

    def __str__(self) -> str:
        return (f"kernel {self.name!r} is not installed on {self.where} (it has: "
                f"{', '.join(self.have) or 'none'})")


class RemoteKernelSpecs(KernelSpecManager):
    """Kernelspecs as the remote server lists them, so the notebook is prepared for the
    kernel that will run it (name, display name, language), not for one of this machine."""

    def __init__(self, specs: dict[str, Any], where: str, error: Exception | None = None,
                 **kw: Any):
        super().__init__(**kw)
        self.remote_specs = specs
        self.where = where
        self.error = error

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if self.error is not None:
            raise self.error
        found = self.remote_specs.get(kernel_name)
        if found is None:
            raise MissingRemoteKernel(kernel_name, self.where, sorted(self.remote_specs))
        spec = found.get("spec") or {}
        return KernelSpec(argv=spec.get("argv") or ["remote"],
                          display_name=spec.get("display_name", kernel_name),
                          language=spec.get("language", ""), resource_dir="")

    def find_kernel_specs(self) -> dict[str, str]:
        return {name: "" for name in self.remote_specs}


class _WakingQueue(ChannelQueue):
    """A channel queue that sleeps until a message arrives instead of spinning."""

    def __init__(self, *args: Any, loop: asyncio.AbstractEventLoop, on_msg: Callable,
                 where: str = "the remote server", **kw: Any):
        super().__init__(*args, **kw)
        self.where = where
        self._loop = loop
        self._arrived = asyncio.Event()
        self._on_msg = on_msg

    def put_nowait(self, item: Any) -> None:  # from the websocket reader thread
        self._on_msg(item)
        super().put_nowait(item)
        self._wake()

    def _wake(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._arrived.set)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    async def _async_get(self, timeout: float | None = None) -> Any:
        loop = asyncio.get_running_loop()
        end = None if timeout is None else loop.time() + timeout
        while True:
            self._arrived.clear()
            try:
                return self.get(block=False)
            except Empty:
                if self.response_router_finished:
                    raise DeadKernelError(f"the connection to the remote kernel was lost "
                                          f"({self.where} closed it or went away)") from None
                left = None if end is None else end - loop.time()
                if left is not None and left <= 0:
                    raise
                try:
                    await asyncio.wait_for(self._arrived.wait(), left)
                except asyncio.TimeoutError:
                    pass


class _WakingHBQueue(_WakingQueue, HBChannelQueue):
    pass


class RemoteKernelClient(GatewayKernelClient):
    """GatewayKernelClient whose websocket carries the credentials."""

    async def start_channels(self, shell=True, iopub=True, stdin=True, hb=True, control=True):
        gc = GatewayClient.instance()
        base = gc.ws_url or gc.url.replace("http", "ws", 1)
        ws_url = f"{base.rstrip('/')}/api/kernels/{self.kernel_id}/channels"
        headers = self.parent.auth_headers() if self.parent is not None else {}
        self._loop = asyncio.get_running_loop()
        self.channel_socket = await asyncio.to_thread(
            websocket.create_connection, ws_url,
            timeout=gc.KERNEL_LAUNCH_TIMEOUT, enable_multithread=True,
            header=[f"{k}: {v}" for k, v in headers.items() if k.lower() != "cookie"],
            cookie=headers.get("Cookie"),
        )
        self.channel_socket.settimeout(None)  # the reader thread blocks until a message
        await ensure_async(AsyncKernelClient.start_channels(
            self, shell=shell, iopub=iopub, stdin=stdin, hb=hb, control=control))
        self.response_router = threading.Thread(target=self._route_responses, daemon=True,
                                                 name="nbjobs-remote-ws")
        self.response_router.start()

    def _queue(self, name: str, cls: type = _WakingQueue) -> ChannelQueue:
        where = self.parent.remote.where() if self.parent is not None else "the remote server"
        q = cls(name, self.channel_socket, self.log, loop=self._loop, on_msg=self._seen,
                where=where)
        self._channel_queues[name] = q
        return q

    def _route_responses(self) -> None:
        super()._route_responses()
        if self.parent is not None and not self._channels_stopped:
            self.parent.connection_lost = True
        for queue in list((self._channel_queues or {}).values()):
            queue._wake()  # a waiter sees response_router_finished now, not at its timeout

    def _seen(self, msg: dict) -> None:
        if msg.get("msg_type") == "status" and self.parent is not None:
            self.parent.execution_state = msg.get("content", {}).get("execution_state")

    @property
    def shell_channel(self):
        if self._shell_channel is None:
            self._shell_channel = self._queue("shell")
        return self._shell_channel

    @property
    def iopub_channel(self):
        if self._iopub_channel is None:
            self._iopub_channel = self._queue("iopub")
        return self._iopub_channel

    @property
    def stdin_channel(self):
        if self._stdin_channel is None:
            self._stdin_channel = self._queue("stdin")
        return self._stdin_channel

    @property
    def hb_channel(self):
        if self._hb_channel is None:
            self._hb_channel = self._queue("hb", _WakingHBQueue)
        return self._hb_channel

    @property
    def control_channel(self):
        if self._control_channel is None:
            self._control_channel = self._queue("control")
        return self._control_channel

    def stop_channels(self) -> None:
        if self.channel_socket is None:
            return
        if self._channel_queues is None:  # stopped already
            return
        super().stop_channels()


class RemoteKernelManager(GatewayKernelManager):
    """One kernel on the remote: started with its name and working directory, interrupted
    when busy and deleted at shutdown; `on_shutdown` runs once it is gone (the runner brings
    the job folder back then)."""

    remote_path = Unicode("", help="Remote path the kernel starts in (a file: its folder)")
    client_class = "jupyterlab_nbjobs.runner.remote_kernel.RemoteKernelClient"
    client_factory = RemoteKernelClient

    def __init__(self, remote: RemoteSession, **kw: Any):
        super().__init__(**kw)
        self.remote = remote  # not `session`: that is the jupyter_client Session
        self.on_started: Callable[[str], None] | None = None
        # Called with whether the kernel was deleted, once shutdown_kernel is over.
        self.on_shutdown: Callable[[bool], Awaitable[None]] | None = None
        self.kernels_url = f"{remote.base}/api/kernels"

    connection_lost = False

    def auth_headers(self) -> dict[str, str]:
        return self.remote.auth_headers()

    async def _async_is_alive(self) -> bool:
        """No process here to poll: alive while started and its websocket is open."""
        return self.has_kernel and not self.connection_lost

    is_alive = _async_is_alive

    async def start_kernel(self, **kw: Any) -> None:
        body = {"name": self.kernel_name or kw.get("kernel_name") or "python3"}
        if self.remote_path:
            body["path"] = self.remote_path
        response = await gateway_request(
            self.kernels_url, method="POST", headers={"Content-Type": "application/json"},
            body=json.dumps(body))
        self.kernel = json.loads(response.body)
        self.kernel_id = self.kernel["id"]
        self.kernel_url = f"{self.kernels_url}/{self.kernel_id}"
        if self.on_started is not None:
            self.on_started(self.kernel_id)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        deleted = False
        try:
            if self.has_kernel:
                if self.execution_state == "busy":  # stopped or timed out mid-cell
                    try:
                        await asyncio.wait_for(self.interrupt_kernel(), 5)
                    except Exception:  # noqa: BLE001 - deleting it ends it either way
                        pass
                await asyncio.to_thread(self.remote.delete_kernel, self.kernel_id)
                self.kernel = None
                deleted = True
        finally:
            hook, self.on_shutdown = self.on_shutdown, None
            if hook is not None:
                await hook(deleted)

    async def cleanup_resources(self, restart: bool = False) -> None:
        """Nothing local to clean (the base class's is not awaitable)."""
