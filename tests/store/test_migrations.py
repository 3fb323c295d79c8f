"""Alembic migrations on data: 0004 renames schedules.remote to trigger_handle and keeps the
handle of an existing schedule, both ways, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from jupyterlab_nbjobs.store import Database
from jupyterlab_nbjobs.store.engine import MIGRATIONS
from jupyterlab_nbjobs.store.schedules import ScheduleStore
from tests.support.pg import pg_bin_dir, postgres_server

HANDLE = {"pipeline_name": "nbjobs-s1", "schedule_name": "nbjobs-s1", "group": "nbjobs",
          "region": "us-east-1"}


def migrate(db: Database, revision: str, down: bool = False) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def columns(db: Database) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns("schedules")}


def insert_at_0003(db: Database, schedule_id: str, handle: dict | None) -> None:
    now = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
    with db.engine.begin() as conn:
        table = sa.Table("schedules", sa.MetaData(), autoload_with=conn)
        conn.execute(table.insert(), {
            "id": schedule_id, "name": "daily", "settings": {"backend": "sagemaker"},
            "cron": "0 9 * * *", "timezone": "Europe/Paris", "active": True,
            "overlap_policy": "skip", "catchup_policy": "once", "catchup_limit": 10,
            "next_fire_at": now, "snapshot_dir": "/tmp/snap", "snapshot_at": now,
            "created_at": now, "updated_at": now,
            "remote": sa.null() if handle is None else handle})


def check_rename(url: str) -> None:
    db = Database(url)
    try:
        migrate(db, "0003")
        assert "remote" in columns(db)
        insert_at_0003(db, "s1", HANDLE)
        insert_at_0003(db, "s2", None)

        migrate(db, "head")
        assert "remote" not in columns(db) and "trigger_handle" in columns(db)
        store = ScheduleStore(db)
        assert store.get("s1")["trigger_handle"] == HANDLE
        assert store.get("s2")["trigger_handle"] is None
        # The scheduler loop's queries still tell the two apart: only s2 is fired here.
        assert [r["id"] for r in store.due(datetime(2030, 1, 1, tzinfo=timezone.utc))] == ["s2"]
        indexes = {i["name"] for i in sa.inspect(db.engine).get_indexes("schedules")}
        assert {"ix_schedules_due", "ix_schedules_created"} <= indexes

        migrate(db, "0003", down=True)
        assert "trigger_handle" not in columns(db)
        with db.engine.connect() as conn:
            table = sa.Table("schedules", sa.MetaData(), autoload_with=conn)
            rows = dict(conn.execute(sa.select(table.c.id, table.c.remote)).all())
        assert rows == {"s1": HANDLE, "s2": None}
    finally:
        db.dispose()


def test_0004_renames_the_column_and_keeps_the_handle_sqlite(tmp_path):
    check_rename(f"sqlite:///{tmp_path / 'nbjobs.sqlite'}")


def test_0004_renames_the_column_and_keeps_the_handle_postgresql():
    if pg_bin_dir() is None:
        pytest.skip("PostgreSQL binaries absent: apt-get install postgresql "
                    "(scripts/install.sh --test installs it)")
    with postgres_server() as url:
        check_rename(url)


def test_migration_runs_from_the_package_not_the_working_directory(tmp_path, monkeypatch):
    """The child that migrates does not import a user's alembic.py from the folder the server
    runs in (its notebook folder), and the store is at the newest migration after it."""
    from jupyterlab_nbjobs.store import Database

    (tmp_path / "alembic.py").write_text("raise SystemExit('a user file was imported')\n")
    monkeypatch.chdir(tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        db.migrate()
        assert db.at_head()
    finally:
        db.dispose()
