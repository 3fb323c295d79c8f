"""Idle stop: an InService instance whose Jupyter has seen no activity for
`idle_stop_minutes` is stopped. Activity is the instance's own `/api/status` `last_activity`,
read through a presigned URL (which logs in and sets the session cookie), never guessed.

Several servers may run this loop: each round an instance is checked by the one server that
claims it (InstanceStore.claim_idle), and a stop is recorded in instance_stops."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import logging
import urllib.parse
import urllib.request
from datetime import datetime, timedelta

from ...errors import BackendUnavailable, NbJobsError
from ..wakeable import cancel_and_wait
from .autostop import AutoStop
from .service import InstanceService

log = logging.getLogger(__name__)
HTTP_TIMEOUT = 20


def last_activity(presigned_url: str) -> datetime:
    """Blocking: log in through the presigned URL, then read /api/status's last_activity."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    parts = urllib.parse.urlsplit(presigned_url)
    status_url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/api/status", "", ""))
    request = urllib.request.Request(status_url, headers={"Accept": "application/json"})
    try:
        with opener.open(presigned_url, timeout=HTTP_TIMEOUT) as resp:
            resp.read(1 << 16)
        with opener.open(request, timeout=HTTP_TIMEOUT) as resp:
            status = json.loads(resp.read(1 << 20))
        return datetime.fromisoformat(status["last_activity"].replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackendUnavailable(f"could not read {status_url}: {exc}",
                                 reason="idle_status_unreadable") from None


class IdleStop:
    def __init__(self, service: InstanceService, autostop: AutoStop, *, minutes: int,
                 interval: float = 60.0):
        self.service = service
        self.store = service.store
        self.node_id = autostop.node_id
        self.minutes = minutes
        self.interval = interval
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        if self.minutes > 0:
            self._task = asyncio.create_task(self._run(), name="nbjobs-idle-stop")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("idle-stop check failed")
            await asyncio.sleep(self.interval)

    async def check(self) -> list[str]:
        """One round over every InService instance; the names stopped."""
        aws = self.service.aws
        listed = await asyncio.to_thread(aws.list_statuses)
        stopped = []
        for row in await self.store.list():
            if listed.get(row["name"], {}).get("NotebookInstanceStatus") != "InService":
                continue
            now = self.service.clock()
            if not await self.store.claim_idle(row["name"], now,
                                               now - timedelta(seconds=self.interval / 2),
                                               self.node_id):
                continue
            try:
                url = await asyncio.to_thread(aws.presigned_url, row["name"], 1800)
                seen = await asyncio.to_thread(last_activity, url)
            except NbJobsError as exc:
                log.warning("idle check of %s: %s", row["name"], exc.message)
                continue
            if now - seen < timedelta(minutes=self.minutes):
                continue
            outcome = await self.service.auto_stop(row["name"])
            await self.store.record_stop(row["name"], "idle", now, self.node_id, outcome)
            if outcome == "stopped":
                stopped.append(row["name"])
                log.info("idle-stopped %s (last activity %s)", row["name"], seen.isoformat())
        return stopped
