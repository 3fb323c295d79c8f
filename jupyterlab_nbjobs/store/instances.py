"""Queries on notebook instance records and their automatic stops. Rows travel as dicts.

Exactly once, as the scheduler's claim (store/schedules.py): a daily stop is claimed by one
transaction that moves the instance's next_stop_at from the value the claimer saw to the next
day's (compare-and-set) and inserts an instance_stops row whose primary key refuses a second
claim of the same stop. Whoever loses either step rolls back and stops nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from .engine import Database
from .instance_tables import InstanceRow, InstanceStopRow
from .tables import utcnow

INSTANCE_COLUMNS = list(InstanceRow.__table__.columns)
STOP_COLUMNS = list(InstanceStopRow.__table__.columns)


class _Lost(Exception):
    pass


class InstanceStore:
    def __init__(self, db: Database):
        self.db = db

    def insert(self, values: dict[str, Any]) -> dict[str, Any]:
        now = utcnow()
        try:
            with self.db.engine.begin() as conn:
                conn.execute(insert(InstanceRow), {"created_at": now, "updated_at": now,
                                                   **values})
        except IntegrityError:
            raise Conflict(f"an instance named {values['name']!r} exists",
                           reason="instance_exists", field="name") from None
        return self.get(values["name"])

    def get(self, name: str) -> dict[str, Any] | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(select(*INSTANCE_COLUMNS).where(InstanceRow.name == name)
                               ).mappings().first()
        return dict(row) if row else None

    def list(self, projects: list[str] | None = None,
             owner: str | None = None) -> list[dict[str, Any]]:
        query = select(*INSTANCE_COLUMNS).order_by(InstanceRow.project, InstanceRow.name)
        if projects is not None:
            query = query.where(InstanceRow.project.in_(projects))
        if owner is not None:
            query = query.where(InstanceRow.owner == owner)
        with self.db.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def update(self, name: str, **values: Any) -> bool:
        values["updated_at"] = utcnow()
        with self.db.engine.begin() as conn:
            return conn.execute(update(InstanceRow).where(InstanceRow.name == name)
                                .values(**values)).rowcount == 1

    def set_next_stops(self, changes: dict[str, datetime | None]) -> None:
        """Re-arm several instances (a project's stop time changed)."""
        if not changes:
            return
        with self.db.engine.begin() as conn:
            for name, when in changes.items():
                conn.execute(update(InstanceRow).where(InstanceRow.name == name)
                             .values(next_stop_at=when))

    def delete(self, name: str) -> bool:
        with self.db.engine.begin() as conn:
            conn.execute(delete(InstanceStopRow).where(InstanceStopRow.instance_name == name))
            return conn.execute(delete(InstanceRow).where(InstanceRow.name == name)
                                ).rowcount == 1

    # -- the auto-stop loops ---------------------------------------------------------------
    def next_stop_time(self) -> datetime | None:
        with self.db.engine.connect() as conn:
            return conn.execute(select(func.min(InstanceRow.next_stop_at))).scalar_one_or_none()

    def due(self, now: datetime) -> list[dict[str, Any]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(*INSTANCE_COLUMNS).where(InstanceRow.next_stop_at <= now)
                                .order_by(InstanceRow.next_stop_at)).mappings().all()
        return [dict(r) for r in rows]

    def claim_daily(self, name: str, expected: datetime, new_next: datetime | None,
                    claimed_by: str) -> bool:
        """Claim the stop at `expected` and re-arm for `new_next`; False if someone else did."""
        try:
            with self.db.engine.begin() as conn:
                moved = conn.execute(
                    update(InstanceRow).where(InstanceRow.name == name,
                                              InstanceRow.next_stop_at == expected)
                    .values(next_stop_at=new_next)).rowcount
                if moved != 1:
                    raise _Lost
                conn.execute(insert(InstanceStopRow), {
                    "instance_name": name, "kind": "daily", "stop_at": expected,
                    "claimed_by": claimed_by, "claimed_at": utcnow()})
        except (IntegrityError, _Lost):
            return False
        return True

    def claim_idle(self, name: str, now: datetime, not_since: datetime,
                   claimed_by: str) -> bool:
        """Claim this round's idle check of `name` (no other server checked it since
        `not_since`)."""
        with self.db.engine.begin() as conn:
            return conn.execute(
                update(InstanceRow).where(
                    InstanceRow.name == name,
                    or_(InstanceRow.idle_claimed_at.is_(None),
                        InstanceRow.idle_claimed_at < not_since))
                .values(idle_claimed_at=now)).rowcount == 1

    def record_stop(self, name: str, kind: str, stop_at: datetime, claimed_by: str,
                    outcome: str) -> None:
        with self.db.engine.begin() as conn:
            found = conn.execute(
                update(InstanceStopRow).where(InstanceStopRow.instance_name == name,
                                              InstanceStopRow.kind == kind,
                                              InstanceStopRow.stop_at == stop_at)
                .values(outcome=outcome)).rowcount
            if not found:
                conn.execute(insert(InstanceStopRow), {
                    "instance_name": name, "kind": kind, "stop_at": stop_at,
                    "claimed_by": claimed_by, "claimed_at": utcnow(), "outcome": outcome})

    def stops(self, name: str | None = None) -> list[dict[str, Any]]:
        query = select(*STOP_COLUMNS).order_by(InstanceStopRow.stop_at)
        if name is not None:
            query = query.where(InstanceStopRow.instance_name == name)
        with self.db.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
