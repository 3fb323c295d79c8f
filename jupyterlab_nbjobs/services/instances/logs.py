"""Pages of an instance's CloudWatch log events, newest page first, each page oldest first.

CloudWatch's filter_log_events reads forward from a start time, so a page of the newest
`limit` events before `end` is read from a window that widens (1 h, 8 h, 64 h, ...) until it
holds more than `limit` events or reaches `start`. The cursor names the oldest event given
(its time and id): the next page holds the events strictly before it."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from ...errors import InvalidRequest
from ...models.instances import LogEvent, LogPage

if TYPE_CHECKING:  # boto3 loads only when the feature is on
    from ...aws.notebooks import NotebookAws

FIRST_WINDOW_MS = 3600_000
MAX_WINDOW_MS = 40 * 365 * 86400_000
MAX_SCAN = 10_000  # events read for one page; a denser window is narrowed instead


def encode_cursor(ts: int, event_id: str) -> str:
    raw = json.dumps({"t": ts, "i": event_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        ts, event_id = data["t"], data["i"]
        if not isinstance(ts, int) or isinstance(ts, bool) or not isinstance(event_id, str):
            raise ValueError
        return ts, event_id
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidRequest("cursor is not a next_cursor this server gave",
                             reason="invalid_cursor", field="cursor") from None


def _to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


class NoLogGroup(Exception):
    pass


def _scan(aws: NotebookAws, group: str, prefix: str, lo: int, hi: int) -> list[dict] | None:
    """Every event in [lo, hi), or None when there are more than MAX_SCAN."""
    events: list[dict] = []
    token = None
    while True:
        page, token = aws.log_events(group, prefix, lo, hi - 1, token)  # endTime inclusive
        if page is None:
            raise NoLogGroup
        events += page
        if len(events) > MAX_SCAN:
            return None
        if not token:
            return events


def read_page(aws: NotebookAws, group: str, instance: str, start: datetime | None,
              end: datetime | None, cursor: str | None, limit: int) -> LogPage:
    """Blocking: runs in a worker thread."""
    start_ms = _to_ms(start) if start else 0
    end_ms = _to_ms(end) if end else _to_ms(datetime.now(timezone.utc)) + 1
    before = decode_cursor(cursor) if cursor else None
    hi = end_ms if before is None else min(end_ms, before[0] + 1)
    prefix = f"{instance}/"
    window = FIRST_WINDOW_MS
    while True:
        lo = max(start_ms, hi - window)
        try:
            events = _scan(aws, group, prefix, lo, hi) if hi > lo else []
        except NoLogGroup:  # no instance has logged yet
            return LogPage(events=[], next_cursor=None)
        if events is None:  # too dense: a narrower window holds the newest ones
            window = max(1, window // 16)
            if window == 1:
                events = []
                break
            continue
        if before is not None:
            events = [e for e in events if (e["timestamp"], e.get("eventId", "")) < before]
        if len(events) > limit or lo <= start_ms or window >= MAX_WINDOW_MS:
            break
        window *= 8
    events.sort(key=lambda e: (e["timestamp"], e.get("eventId", "")))
    reached_start = lo <= start_ms or window >= MAX_WINDOW_MS
    more = len(events) > limit or not reached_start  # older events may lie before lo
    page = events[-limit:]
    next_cursor = encode_cursor(page[0]["timestamp"], page[0].get("eventId", "")) \
        if page and more else None
    return LogPage(events=[LogEvent(
        timestamp=datetime.fromtimestamp(e["timestamp"] / 1000, timezone.utc),
        message=e.get("message", ""), stream=e.get("logStreamName", "")) for e in page],
        next_cursor=next_cursor)
