"""A BackendEvents recorder: the job service's side of the contract, for backend tests."""

from __future__ import annotations

import asyncio
import time
from typing import Any


class EventRecorder:
    def __init__(self) -> None:
        self.events: list[tuple] = []
        self.results: dict[str, dict] = {}

    async def on_started(self, job_id: str, attempt: int, handle: dict[str, Any]) -> None:
        self.events.append(("started", job_id, attempt, dict(handle)))

    async def on_progress(self, job_id: str, cells_done: int, cells_total: int) -> None:
        self.events.append(("progress", job_id, cells_done, cells_total))

    async def on_finished(self, job_id: str, attempt: int, result: dict) -> None:
        self.events.append(("finished", job_id, attempt, result))
        self.results[job_id] = result

    def of(self, kind: str, job_id: str) -> list[tuple]:
        return [e for e in self.events if e[0] == kind and e[1] == job_id]

    async def wait_finished(self, job_id: str, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        while job_id not in self.results:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no on_finished for {job_id} within {timeout}s: {self.events}"
                )
            await asyncio.sleep(0.02)
        return self.results[job_id]


async def async_wait_for(predicate, timeout: float = 60.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
