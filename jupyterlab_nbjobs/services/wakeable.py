"""A loop that sleeps until its next due time or until a service's change wakes it: the
schedules' scheduler and the notebook instances' daily auto-stop are both one."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from typing import Any


async def cancel_and_wait(task: asyncio.Task | None) -> None:
    """End a service's background task and wait until it has unwound."""
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def new_node_id() -> str:
    """Names this server in the claims it records (host, process, a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class WakeableLoop:
    task_name = "nbjobs-loop"

    def __init__(self, listeners: list[Any]):
        self._listeners = listeners  # the service's change listeners; wake() joins them
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._listeners.append(self.wake)
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        if self.wake in self._listeners:
            self._listeners.remove(self.wake)
        await cancel_and_wait(self._task)
        self._task = None

    def wake(self, *_: Any) -> None:
        """Thread-safe: may be called from any thread."""
        if self._loop is not None and self._event is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)
