"""Five-field cron (Vixie/GNU) -> EventBridge Scheduler's six-field `cron(...)`.

EventBridge differs in three ways that have shifted users' runs by a day elsewhere:
- day-of-week counts 1-7 from Sunday (cron: 0-7, Sunday is 0 and 7), so every number moves
  by one: cron `1-5` (Mon-Fri) is EventBridge `2-6`. Names (MON-FRI) mean the same in both.
- one of day-of-month / day-of-week must be `?`; cron's "both restricted" means either
  matches, which EventBridge cannot say, so that case is refused, not guessed.
- a sixth field, the year (`*`).
The time zone is not part of the expression: it goes to ScheduleExpressionTimezone, so the
hour stays the user's hour (no UTC conversion, so no day-of-week shift either).
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...errors import InvalidRequest

MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
          "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
          "@hourly": "0 * * * *"}
DAY_NAMES = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}
MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_LIMITS = {"minute": (0, 59), "hour": (0, 23), "day-of-month": (1, 31), "month": (1, 12)}
_ITEM = re.compile(r"^(\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:/(\d+))?$")


def _bad(cron: str, why: str) -> InvalidRequest:
    return InvalidRequest(f"cron {cron!r}: {why}", reason="invalid_cron", field="cron")


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidRequest(f"unknown time zone {name!r}; use an IANA name like Europe/Paris",
                             reason="invalid_timezone", field="timezone") from None
    return name


def _number(cron: str, field: str, text: str) -> int:
    if field == "month" and text.upper() in MONTH_NAMES:
        return MONTH_NAMES.index(text.upper()) + 1
    if not text.isdigit():
        raise _bad(cron, f"{field} value {text!r} is not a number")
    return int(text)


def _plain_field(cron: str, field: str, value: str) -> str:
    """Minute, hour, day-of-month, month: same syntax in EventBridge once `*/n` has a start."""
    low, high = _LIMITS[field]
    if field == "day-of-month" and re.fullmatch(r"L|LW|\d{1,2}W", value):
        return value
    out = []
    for item in value.split(","):
        match = _ITEM.match(item)
        if not match:
            raise _bad(cron, f"{field} item {item!r} is not valid")
        base, step = match.groups()
        if step is not None and int(step) < 1:
            raise _bad(cron, f"{field} step must be at least 1")
        if base != "*":
            for part in base.split("-"):
                if not low <= _number(cron, field, part) <= high:
                    raise _bad(cron, f"{field} value {part!r} is outside {low}-{high}")
        elif step is not None:
            base = str(low)  # EventBridge wants a start: */15 -> 0/15
        out.append(base + (f"/{step}" if step else ""))
    return ",".join(out)


def _dow_number(cron: str, text: str) -> int:
    if text.upper() in DAY_NAMES:
        return DAY_NAMES[text.upper()]
    if not text.isdigit() or int(text) > 7:
        raise _bad(cron, f"day-of-week value {text!r} is not 0-7 or SUN-SAT")
    return int(text) % 7  # 7 is Sunday too


def _dow_days(cron: str, value: str) -> set[int]:
    days: set[int] = set()
    for item in value.split(","):
        match = _ITEM.match(item)
        if not match:
            raise _bad(cron, f"day-of-week item {item!r} is not valid")
        base, step = match.groups()
        step_n = int(step) if step else 1
        if step_n < 1:
            raise _bad(cron, "day-of-week step must be at least 1")
        if base == "*":
            start, end = 0, 6
        elif "-" in base:
            a, b = base.split("-")
            start = _dow_number(cron, a)
            end = 7 if b == "7" or b.upper() == "SUN" and start > 0 else _dow_number(cron, b)
            if end < start:
                raise _bad(cron, f"day-of-week range {base!r} runs backwards")
        else:
            start = _dow_number(cron, base)
            end = 6 if step else start
        days.update(d % 7 for d in range(start, end + 1, step_n))
    return days


def _render_dow(days: set[int]) -> str:
    """EventBridge numbers (Sunday=1), consecutive runs of three or more as ranges."""
    numbers = sorted(d + 1 for d in days)
    parts, i = [], 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{numbers[i]}-{numbers[j]}")
        else:
            parts.extend(str(n) for n in numbers[i:j + 1])
        i = j + 1
    return ",".join(parts)


def _dow_field(cron: str, value: str) -> str | None:
    """EventBridge day-of-week, or None when every day matches (cron `*`)."""
    special = re.fullmatch(r"([0-7A-Za-z]{1,3})(L|#[1-5])", value)
    if special:
        return f"{_dow_number(cron, special.group(1)) + 1}{special.group(2)}"
    days = _dow_days(cron, value)
    return None if days == set(range(7)) else _render_dow(days)


def to_eventbridge(cron: str) -> str:
    """`cron(min hour dom month dow year)` for a five-field expression; InvalidRequest if it
    cannot be expressed."""
    text = " ".join(str(cron or "").split())
    expanded = MACROS.get(text.lower(), text)
    if expanded.startswith("@"):
        raise _bad(cron, "only @yearly, @monthly, @weekly, @daily and @hourly are supported")
    fields = expanded.split(" ")
    if len(fields) != 5:
        raise _bad(cron, f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}")
    minute, hour, dom, month, dow = fields
    minute = _plain_field(cron, "minute", minute)
    hour = _plain_field(cron, "hour", hour)
    month = _plain_field(cron, "month", month)
    eb_dow = _dow_field(cron, dow)
    dom_any = dom == "*"
    dom = "*" if dom_any else _plain_field(cron, "day-of-month", dom)
    if eb_dow is None:
        return f"cron({minute} {hour} {dom} {month} ? *)"
    if dom_any:
        return f"cron({minute} {hour} ? {month} {eb_dow} *)"
    raise _bad(cron, "restricts both day-of-month and day-of-week (cron runs when either "
                     "matches); EventBridge cannot express that: use two schedules")
