"""Whether the store holds work a starting server must take up at once: a run to resume or
settle, a schedule to fire (soon), a migration to run. Asked with the standard library's sqlite3
(the bare server has it loaded already), so that an idle server need not load SQLAlchemy."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..status import ACTIVE_STATUSES
from .revisions import head_revisions


def sqlite_path(url: str) -> str | None:
    """The file of an SQLite URL (sqlite:///relative, sqlite:////absolute); "" for one in
    memory (sqlite://); None for another database."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+")[0] != "sqlite":
        return None
    path, _, query = rest[1:].partition("?")
    return "" if path in ("", ":memory:") or "mode=memory" in query else path


def has_pending_work(url: str, *, schedules: bool = True,
                     schedule_lead: float | None = None) -> bool:
    """True when the server must load the store now. Another database than SQLite: always
    (asking it needs its driver, and SQLAlchemy with it). A database that does not exist yet:
    False (whoever creates it first migrates it). `schedule_lead`: only a schedule the loop
    fires within that many seconds (or overdue) counts, not every active one."""
    path = sqlite_path(url)
    if path is None:
        return True
    if not path:
        return False
    try:
        # mode=rw: never creates the file (a read-only open can fail on a WAL database).
        conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=rw", uri=True,
                               timeout=15)
    except sqlite3.OperationalError:  # no such file: a new install
        return False
    try:
        return _needs_server(conn, schedules=schedules, lead=schedule_lead)
    except sqlite3.DatabaseError:  # no tables yet, or not ours to read: let the store say
        return True
    finally:
        conn.close()


def _needs_server(conn: sqlite3.Connection, *, schedules: bool, lead: float | None) -> bool:
    current = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    if current != head_revisions():
        return True  # a migration to run
    statuses = sorted(s.value for s in ACTIVE_STATUSES)
    marks = ", ".join("?" * len(statuses))
    if conn.execute(f"SELECT EXISTS (SELECT 1 FROM jobs WHERE status IN ({marks}))",
                    statuses).fetchone()[0]:
        return True
    if not schedules:
        return False
    if lead is None:
        return bool(conn.execute(
            "SELECT EXISTS (SELECT 1 FROM schedules WHERE active)").fetchone()[0])
    # As SQLAlchemy's DateTime writes UTC times to SQLite: text that sorts as the time does.
    soon = (datetime.now(timezone.utc) + timedelta(seconds=lead)).strftime(
        "%Y-%m-%d %H:%M:%S.%f")
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM schedules WHERE active AND trigger_handle IS NULL "
        "AND next_fire_at IS NOT NULL AND next_fire_at <= ?)", (soon,)).fetchone()[0])
