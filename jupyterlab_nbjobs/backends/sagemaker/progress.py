"""A running training job's progress, in the job's log: every new secondary status
(Starting, Downloading, Training, Uploading, ...) and its message becomes a line of
`<stem>.log`, so `GET /jobs/{id}/log` shows where SageMaker is while the notebook runs in
the cloud; the container's own log is appended when the outputs come home."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def _stamp(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc)
    else:
        value = datetime.now(timezone.utc)
    return value.isoformat(timespec="milliseconds")[:-6] + "Z"


class StatusLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.seen: set[tuple[str, str]] = set()
        self.last: str | None = None

    def note(self, description: dict[str, Any]) -> list[str]:
        """Append the transitions not written yet; returns the lines written. Blocking."""
        lines = []
        transitions = description.get("SecondaryStatusTransitions") or []
        if not transitions and description.get("SecondaryStatus"):
            transitions = [{"Status": description["SecondaryStatus"],
                            "StatusMessage": description.get("StatusMessage") or ""}]
        for item in transitions:
            status = str(item.get("Status") or "")
            message = str(item.get("StatusMessage") or "")
            if not status or (status, message) in self.seen:
                continue
            self.seen.add((status, message))
            self.last = status
            text = f"SageMaker: {status}" + (f" - {message}" if message else "")
            lines.append(f"[{_stamp(item.get('StartTime'))}] {text}\n")
        if lines and self.path.parent.is_dir():
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.writelines(lines)
        return lines
