"""Cron expressions in a time zone: presets, validation, DST-correct fire times, descriptions.

Fire times are computed on the wall clock of the schedule's zone and then placed on the
UTC time line, the way Vixie cron treats DST:
- a wall time that does not exist (spring forward) fires once, shifted by the gap;
- a wall time that happens twice (fall back) fires once, at its first occurrence, unless the
  hour field is `*` (the schedule runs every hour), which fires at both so hourly stays hourly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import CroniterBadDateError, CroniterError, croniter

from ..errors import InvalidRequest

MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *", "@weekdays": "0 0 * * 1-5",
}
_PRESET = re.compile(
    r"^@?(hourly|daily|weekdays|weekly|monthly)(?:\s+at\s+(\d{1,2})(?::(\d{2}))?)?$", re.I
)
_PRESET_CRON = {"hourly": "{m} * * * *", "daily": "{m} {h} * * *",
                "weekdays": "{m} {h} * * 1-5", "weekly": "{m} {h} * * 0",
                "monthly": "{m} {h} 1 * *"}
_FIELDS = ("minute", "hour", "day of month", "month", "day of week", "second")
_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7), (0, 59))
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_NAMES = {**{d[:3].lower(): str(i) for i, d in enumerate(_DAYS[:7])},
          **{m[:3].lower(): str(i) for i, m in enumerate(_MONTHS) if m}}
HORIZON = timedelta(days=366 * 5)


def _bad(message: str, field: str = "cron") -> InvalidRequest:
    return InvalidRequest(message, reason="invalid_cron" if field == "cron"
                          else "invalid_timezone", field=field)


def zone(name: str) -> ZoneInfo:
    """An IANA time zone, or a 400 that says so."""
    if not name or not isinstance(name, str) or name != name.strip():
        raise _bad(f"unknown time zone {name!r}", "timezone")
    try:
        tz = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = [z for z in available_timezones() if z.lower() == name.lower()]
        more = f"; did you mean {hint[0]!r}?" if hint else " (use an IANA name like Europe/Berlin)"
        raise _bad(f"unknown time zone {name!r}{more}", "timezone") from None
    return tz


def normalize(expr: str, allow_seconds: bool = False) -> str:
    """A preset or 5-field cron -> a checked 5-field cron (6 with seconds, for tests)."""
    if not isinstance(expr, str) or not expr.strip():
        raise _bad("cron expression is empty")
    text = " ".join(expr.split())
    if text.lower() in MACROS:
        return MACROS[text.lower()]
    preset = _PRESET.match(text)
    if preset:
        kind, hour, minute = preset.group(1).lower(), preset.group(2), preset.group(3)
        if kind == "hourly":
            if minute is not None:
                raise _bad("say 'hourly at MM' with minutes only, e.g. 'hourly at 15'")
            h, m = 0, int(hour or 0)
        else:
            h, m = int(hour or 0), int(minute or 0)
        if not (0 <= h <= 23 and 0 <= m <= 59):
            raise _bad(f"{text!r}: time of day out of range")
        return _PRESET_CRON[kind].format(h=h, m=m)
    fields = text.split(" ")
    allowed = (5, 6) if allow_seconds else (5,)
    if len(fields) not in allowed:
        raise _bad(
            f"cron needs 5 fields (minute hour day-of-month month day-of-week), got "
            f"{len(fields)}; or a preset: hourly, daily at HH:MM, weekdays at HH:MM, "
            "weekly, monthly"
        )
    for index, field in enumerate(fields):
        _check_field(field, index)
    try:
        croniter(text, datetime(2000, 1, 1))
    except CroniterError as exc:
        raise _bad(f"invalid cron {text!r}: {exc}") from None
    return text


def _check_field(field: str, index: int) -> None:
    """croniter's own messages are terse; say which field is wrong and why."""
    name, (low, high) = _FIELDS[index], _RANGES[index]
    for part in field.lower().split(","):
        base, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) == 0):
            raise _bad(f"{name} field {field!r}: step {step!r} must be a positive number")
        if base in ("*", "?") or (index == 2 and base in ("l", "lw")):
            continue
        for value in base.split("-"):
            value = _NAMES.get(value, value) if index in (3, 4) else value
            if not value.isdigit():
                raise _bad(f"{name} field {field!r}: {value!r} is not a number")
            if not low <= int(value) <= high:
                raise _bad(f"{name} field {field!r}: {value} is outside {low}-{high}")


def _instants(naive: datetime, tz: ZoneInfo, both_folds: bool) -> list[datetime]:
    """Where a wall-clock time lands on the UTC time line (0, 1 or 2 places, never 0 here)."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    a, b = first.astimezone(timezone.utc), second.astimezone(timezone.utc)
    if a == b:
        return [a]
    round_trip = a.astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:  # does not exist: fold=0 reads it with the old offset = shifted
        return [a]
    return [a, b] if both_folds else [a]  # happens twice


def fire_times(expr: str, tz_name: str, after: datetime, count: int, *,
               until: datetime | None = None, horizon: timedelta = HORIZON) -> list[datetime]:
    """The next `count` UTC fire times strictly after `after` (and not after `until`)."""
    return list(_iter(expr, tz_name, after, count, until, horizon))


def _near_transition(naive: datetime, tz: ZoneInfo) -> bool:
    """True when the zone's UTC offset changes within a day of this wall time."""
    day = timedelta(hours=26)
    return tz.utcoffset(naive - day) != tz.utcoffset(naive + day)


def _iter(expr: str, tz_name: str, after: datetime, count: int, until: datetime | None,
          horizon: timedelta) -> Iterator[datetime]:
    tz = zone(tz_name)
    if after.tzinfo is None:
        after = after.replace(tzinfo=timezone.utc)
    limit = after + horizon
    if until is not None:
        limit = min(limit, until)
    both = expr.split()[1] == "*"
    wall = after.astimezone(tz).replace(tzinfo=None)
    # Near a DST change the wall clock jumps or repeats: look back two hours and hold
    # candidates three hours, since wall order and UTC order may differ there. Elsewhere
    # both orders agree and each candidate is final at once.
    if _near_transition(wall, tz):
        wall -= timedelta(hours=2)
    it = croniter(expr, wall)
    pending: list[datetime] = []
    seen: set[datetime] = set()
    produced = 0
    while produced < count:
        try:
            naive = it.get_next(datetime)
        except CroniterBadDateError:
            naive = None
        if naive is not None:
            for instant in _instants(naive, tz, both):
                if instant > after and instant not in seen:
                    seen.add(instant)
                    pending.append(instant)
            pending.sort()
            margin = timedelta(hours=3) if _near_transition(naive, tz) else timedelta(0)
            frontier = _utc(naive, tz) - margin
        while pending and (naive is None or pending[0] <= frontier):
            instant = pending.pop(0)
            if instant > limit:
                return
            yield instant
            produced += 1
            if produced >= count:
                return
        if naive is None or frontier > limit:
            return


def _utc(naive: datetime, tz: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=tz).astimezone(timezone.utc)


def next_fire(expr: str, tz_name: str, after: datetime, *, start: datetime | None = None,
              end: datetime | None = None) -> datetime | None:
    """The first fire strictly after `after`, not before `start`, not after `end`."""
    if start is not None and start > after:
        after = start - timedelta(microseconds=1)
    found = fire_times(expr, tz_name, after, 1, until=end)
    return found[0] if found else None


def fires_between(expr: str, tz_name: str, after: datetime, upto: datetime,
                  limit: int) -> list[datetime]:
    """Fire times in (after, upto], at most `limit` of them (the earliest)."""
    return fire_times(expr, tz_name, after, limit, until=upto, horizon=upto - after)


# -- human description ------------------------------------------------------------------------
def describe(expr: str) -> str:
    fields = expr.split()
    minute, hour, dom, month, dow = fields[:5]
    second = fields[5] if len(fields) == 6 else None
    parts = []
    if second is not None and second != "0":
        parts.append("every second" if second == "*" else f"at second {_list(second)}")
    parts.append(_time_part(minute, hour))
    if dom != "*" and dom != "?":
        parts.append(f"on day {_list(dom)} of the month")
    if dow not in ("*", "?"):
        days = _days(dow)
        parts.append(f"{'and ' if dom not in ('*', '?') else ''}on {days}")
    if month != "*":
        parts.append(f"in {_months(month)}")
    text = ", ".join(p for p in parts if p)
    return text[0].upper() + text[1:]


def _time_part(minute: str, hour: str) -> str:
    if minute.isdigit() and hour.isdigit():
        return f"at {int(hour):02d}:{int(minute):02d}"
    if minute.isdigit() and "," in hour and all(h.isdigit() for h in hour.split(",")):
        return "at " + ", ".join(f"{int(h):02d}:{int(minute):02d}" for h in hour.split(","))
    if minute == "*":
        m = "every minute"
    elif minute.startswith("*/"):
        m = f"every {minute[2:]} minutes"
    elif minute.isdigit():
        m = "at minute 0" if minute == "0" else f"at minute {minute}"
        if hour == "*":
            return "every hour" if minute == "0" else f"every hour at minute {minute}"
    else:
        m = f"at minutes {_list(minute)}"
    if hour == "*":
        return m
    if hour.startswith("*/"):
        return f"{m}, every {hour[2:]} hours"
    return f"{m}, during hour {_list(hour)}"


def _list(field: str) -> str:
    pieces = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        text = base.replace("-", " to ") if base != "*" else "every value"
        pieces.append(f"{text} every {step}" if step else text)
    return ", ".join(pieces)


def _named(field: str, names: list[str]) -> str:
    def one(value: str) -> str:
        value = _NAMES.get(value.lower(), value)
        return names[int(value)] if value.isdigit() and int(value) < len(names) else value

    out = []
    for part in field.split(","):
        base, _, step = part.partition("/")
        text = " to ".join(one(v) for v in base.split("-")) if base != "*" else "every"
        out.append(f"{text} (every {step})" if step else text)
    return ", ".join(out)


def _days(dow: str) -> str:
    if dow in ("1-5", "mon-fri"):
        return "weekdays (Monday to Friday)"
    return _named(dow, _DAYS)


def _months(month: str) -> str:
    return _named(month, _MONTHS)
