"""The job's log: appended and flushed line by line so it can be tailed while the job runs."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def utcnow_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JobLog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._fh = open(self.path, "a", encoding="utf-8", errors="replace")
        self._at_line_start = True

    def line(self, text: str) -> None:
        """A runner line, timestamped: cell start/end, kernel events, the final status."""
        if not self._at_line_start:
            self._fh.write("\n")
        self._fh.write(f"[{utcnow_iso()}] {text}\n")
        self._fh.flush()
        self._at_line_start = True

    def stream(self, text: str) -> None:
        """Kernel stdout/stderr, as it arrives (not timestamped: it is the notebook's own)."""
        if not text:
            return
        self._fh.write(strip_ansi(text))
        self._fh.flush()
        self._at_line_start = text.endswith("\n")

    def error(self, ename: str, evalue: str, traceback: list[str]) -> None:
        body = strip_ansi("\n".join(traceback)) if traceback else f"{ename}: {evalue}"
        self.line(f"error: {ename}: {evalue}")
        self.stream(body.rstrip("\n") + "\n")

    def close(self) -> None:
        try:
            self._fh.close()
        except OSError:
            pass
