"""The next daily stop: HH:MM on the wall clock of a time zone, as a UTC instant.

DST: a wall time that does not exist that day (spring forward) stops at the transition, the
first instant after it that exists; one that happens twice (fall back) stops at the first.
Either way one stop per calendar day."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def _wall_to_utc(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    naive = datetime(day.year, day.month, day.day, hour, minute)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first  # exists (the first of two, if it repeats)
    # In a gap: find the transition, between the two readings of the missing time.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
    high = first
    low, high = min(low, high), max(low, high)
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(zone).replace(tzinfo=None) >= naive:
            high = mid
        else:
            low = mid
    return high.replace(microsecond=0)


def next_stop_at(stop_time: str | None, tz: str, after: datetime) -> datetime | None:
    """The first daily stop strictly after `after` (aware), or None without a stop time."""
    if not stop_time:
        return None
    hour, minute = (int(p) for p in stop_time.split(":"))
    zone = ZoneInfo(tz)
    today = after.astimezone(zone).date()
    for offset in range(3):
        candidate = _wall_to_utc(today + timedelta(days=offset), hour, minute, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a day later is always later")  # pragma: no cover
