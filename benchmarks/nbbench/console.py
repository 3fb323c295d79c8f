"""Progress lines with a UTC time stamp (the run is long; say what it is doing)."""

from datetime import datetime, timezone


def log(msg: str) -> None:
    print(f"[{datetime.now(timezone.utc):%H:%M:%S}] {msg}", flush=True)
