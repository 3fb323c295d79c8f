"""Whether the store holds work a starting server must take up at once: a run to resume or
settle, a schedule to fire, a migration to run. Asked with the standard library's sqlite3
(the bare server has it loaded already), so that an idle server need not load SQLAlchemy."""

from __future__ import annotations

import sqlite3
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


def has_pending_work(url: str, *, schedules: bool = True) -> bool:
    """True when the server must load the store now. Another database than SQLite: always
    (asking it needs its driver, and SQLAlchemy with it). A database that does not exist yet:
    False (whoever creates it first migrates it)."""
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
        return _needs_server(conn, schedules=schedules)
    except sqlite3.DatabaseError:  # no tables yet, or not ours to read: let the store say
        return True
    finally:
        conn.close()


def _needs_server(conn: sqlite3.Connection, *, schedules: bool) -> bool:
    current = {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}
    if current != head_revisions():
        return True  # a migration to run
    statuses = sorted(s.value for s in ACTIVE_STATUSES)
    marks = ", ".join("?" * len(statuses))
    if conn.execute(f"SELECT EXISTS (SELECT 1 FROM jobs WHERE status IN ({marks}))",
                    statuses).fetchone()[0]:
        return True
    return schedules and bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM schedules WHERE active)").fetchone()[0])
