"""The instances tables as migration 0005 makes them, and the daily-stop claim under a race."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from jupyterlab_nbjobs.store import Database
from jupyterlab_nbjobs.store.instance_tables import InstanceRow
from jupyterlab_nbjobs.store.instances import InstanceStore
from jupyterlab_nbjobs.store.tables import Base, utcnow
from tests.support.pg import pg_bin_dir, postgres_server

OURS = {"projects", "project_members", "notebook_instances", "instance_stops"}


def _ours(diff) -> bool:
    item = diff[0] if isinstance(diff, list) else diff
    for part in item[1:]:
        table = getattr(part, "table", None)
        name = getattr(table, "name", None) or getattr(part, "name", None)
        if name in OURS or (isinstance(part, str) and part in OURS):
            return True
    return False


def _race(db: Database) -> None:
    store = InstanceStore(db)
    when = utcnow().replace(microsecond=0)
    store.insert({"name": "nb", "project": "p", "owner": "u", "instance_type": "ml.t3.medium",
                  "volume_size_gb": 5, "status": "InService", "next_stop_at": when})
    won, barrier = [], threading.Barrier(8)

    def claim(i):
        barrier.wait()
        if store.claim_daily("nb", when, when + timedelta(days=1), f"node-{i}"):
            won.append(i)

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1, won
    assert store.get("nb")["next_stop_at"] == when + timedelta(days=1)
    [stop] = store.stops("nb")
    assert stop["claimed_by"] == f"node-{won[0]}" and stop["stop_at"] == when
    # the same stop again (say, the stop time edited back): refused by the record's key
    store.update("nb", next_stop_at=when)
    assert store.claim_daily("nb", when, when + timedelta(days=1), "late") is False


def _check(db: Database) -> None:
    db.migrate()
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if _ours(d)] == []
    assert InstanceRow.__table__.name in OURS
    _race(db)
    db.dispose()


def test_sqlite(tmp_path):
    _check(Database(f"sqlite:///{tmp_path / 'x.sqlite'}"))


@pytest.mark.skipif(pg_bin_dir() is None, reason="PostgreSQL binaries not installed")
def test_postgresql():
    with postgres_server() as url:
        _check(Database(url))
