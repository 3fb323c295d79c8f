"""Engine creation, SQLite tuning and alembic migrations."""

from __future__ import annotations

import contextlib
import fcntl
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from ..paths import PACKAGE_PARENT, child_python_env
from .pending import sqlite_path
from .revisions import MIGRATIONS, head_revisions

__all__ = ["MIGRATIONS", "Database", "head_revisions"]


def absolute_sqlite_url(url: str) -> str:
    """An SQLite URL with a relative file (sqlite:///jobs.sqlite) made absolute, from this
    process's folder; any other URL as it is."""
    path = sqlite_path(url)
    if not path or Path(path).is_absolute():
        return url
    scheme, _, rest = url.partition(":///")
    return f"{scheme}:///{Path(path).resolve()}{rest[len(path):]}"


# Most JSON columns of a row hold one of these (no parameters, no env, no tags): a list page
# of jobs decodes seven per row, and json.loads was a third of reading the page.
_COMMON_JSON = {"{}": dict, "[]": list, "null": lambda: None}


def _json_loads(text: str):
    """json.loads, with the common empty values made without parsing (fresh each time)."""
    make = _COMMON_JSON.get(text)
    return make() if make is not None else json.loads(text)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Database:
    """One engine per server; several servers may share one database."""

    def __init__(self, url: str):
        self.url = absolute_sqlite_url(url)  # the migration child runs in another folder
        self.path = sqlite_path(self.url)  # None: not SQLite; "": SQLite in memory
        self.is_sqlite = self.path is not None
        kwargs: dict = {"future": True, "json_deserializer": _json_loads}
        if self.is_sqlite:
            if self.path:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def _migration_lock(self):
        """Two servers starting together must not both run the same migration."""
        if self.is_sqlite:
            if not self.path:
                yield None
                return
            with open(self.path + ".migrate.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    yield None
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
            return
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_lock(7306114)"))
                conn.commit()
            try:
                yield conn
            finally:
                if self.engine.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_unlock(7306114)"))
                    conn.commit()

    def at_head(self) -> bool:
        """Whether the database is at the newest migration already (the usual start): then
        alembic (~15 MB and a few hundred ms to import) is not needed at all."""
        try:
            with self.engine.connect() as conn:
                current = {r[0] for r in conn.execute(text("SELECT version_num FROM "
                                                            "alembic_version"))}
        except Exception:  # noqa: BLE001 - no such table: a new database
            return False
        return bool(current) and current == head_revisions()

    def migrate(self) -> None:
        """Bring the database to the newest migration. alembic runs in a child process when
        the database outlives this one, so that it (with mako and pygments, ~15 MB) is not
        kept by a long-lived server after an upgrade or its first start."""
        if self.at_head():
            return
        if self.path == "":
            self.upgrade()  # in memory: only this process sees it
            return
        # Run from the folder that holds this package, with this process's path: not from
        # the server's working directory, where a user's alembic.py would be imported first.
        done = subprocess.run([sys.executable, "-m", "jupyterlab_nbjobs.store.migrate"],
                              input=self.url, capture_output=True, text=True, cwd=PACKAGE_PARENT,
                              env=child_python_env())
        if done.returncode != 0:
            raise RuntimeError(f"migrating the job store failed:\n{done.stderr[-4000:]}")
        if not self.at_head():
            raise RuntimeError("migrating the job store left it short of the newest "
                               f"migration {sorted(head_revisions())}:\n{done.stderr[-4000:]}")

    def upgrade(self) -> None:
        """Run alembic's upgrade to head here, under the migration lock."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self._migration_lock():
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()
