"""Queries on schedules, their fires and sweeps. Rows travel as plain dicts.

Exactly once: a fire is claimed by one transaction that (1) moves the schedule's
next_fire_at from the value the claimer saw to the next one (compare-and-set) and (2) inserts
one schedule_fires row per fire, whose primary key (schedule_id, fire_time) refuses a second
claim. Whoever loses either step rolls back and creates nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..models import ACTIVE_STATUSES
from .engine import Database
from .tables import JobRow, ScheduleFireRow, ScheduleRow, SweepRow, utcnow

SCHEDULE_COLUMNS = list(ScheduleRow.__table__.columns)
FIRE_COLUMNS = list(ScheduleFireRow.__table__.columns)
SWEEP_COLUMNS = list(SweepRow.__table__.columns)
NOT_FINAL = sorted(s.value for s in ACTIVE_STATUSES)


class _Lost(Exception):
    """Another server claimed first: roll the whole transaction back."""


class ScheduleStore:
    def __init__(self, db: Database):
        self.db = db

    # -- schedules ------------------------------------------------------------------------
    def insert(self, values: dict[str, Any]) -> dict[str, Any]:
        now = utcnow()
        with self.db.engine.begin() as conn:
            conn.execute(insert(ScheduleRow), {"created_at": now, "updated_at": now, **values})
        return self.get(values["id"])

    def get(self, schedule_id: str) -> dict[str, Any] | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(
                select(*SCHEDULE_COLUMNS).where(ScheduleRow.id == schedule_id)
            ).mappings().first()
        return dict(row) if row else None

    def list(self, limit: int = 500) -> list[dict[str, Any]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(*SCHEDULE_COLUMNS)
                .order_by(ScheduleRow.created_at.desc(), ScheduleRow.id.desc()).limit(limit)
            ).mappings().all()
        return [dict(r) for r in rows]

    def update(self, schedule_id: str, **values: Any) -> bool:
        values["updated_at"] = utcnow()
        with self.db.engine.begin() as conn:
            return conn.execute(
                update(ScheduleRow).where(ScheduleRow.id == schedule_id).values(**values)
            ).rowcount == 1

    def delete(self, schedule_id: str) -> bool:
        with self.db.engine.begin() as conn:
            conn.execute(delete(ScheduleFireRow).where(ScheduleFireRow.schedule_id == schedule_id))
            return conn.execute(
                delete(ScheduleRow).where(ScheduleRow.id == schedule_id)
            ).rowcount == 1

    # -- the scheduler's queries -----------------------------------------------------------
    def next_due_time(self) -> datetime | None:
        with self.db.engine.connect() as conn:
            return conn.execute(
                select(func.min(ScheduleRow.next_fire_at))
                .where(ScheduleRow.active.is_(True), ScheduleRow.next_fire_at.is_not(None),
                       ScheduleRow.trigger_handle.is_(None))
            ).scalar_one_or_none()

    def due(self, now: datetime) -> list[dict[str, Any]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(*SCHEDULE_COLUMNS)
                .where(ScheduleRow.active.is_(True), ScheduleRow.next_fire_at <= now,
                       ScheduleRow.trigger_handle.is_(None))  # fired in the cloud
                .order_by(ScheduleRow.next_fire_at)
            ).mappings().all()
        return [dict(r) for r in rows]

    def claim(self, schedule_id: str, expected_next: datetime, new_next: datetime | None,
              fires: list[tuple[datetime, str]], claimed_by: str,
              skip_if_active: bool, decided_at: datetime | None = None
              ) -> list[tuple[datetime, str]] | None:
        """Claim fires and advance the schedule in one transaction; None if someone else did.

        With skip_if_active, each "run" fire becomes "skipped_overlap" while a run of this
        schedule is still queued or running (checked inside the same transaction).
        `decided_at`, recorded as claimed_at: the time the fires were judged on time or missed
        against (default: now), so a record says how late a fire was by the scheduler's rule."""
        now = decided_at or utcnow()
        try:
            with self.db.engine.begin() as conn:
                moved = conn.execute(
                    update(ScheduleRow)
                    .where(ScheduleRow.id == schedule_id,
                           ScheduleRow.next_fire_at == expected_next,
                           ScheduleRow.active.is_(True), ScheduleRow.trigger_handle.is_(None))
                    .values(next_fire_at=new_next)
                ).rowcount
                if moved != 1:
                    raise _Lost
                if skip_if_active and any(o == "run" for _, o in fires):
                    busy = conn.execute(
                        select(JobRow.id).where(JobRow.schedule_id == schedule_id,
                                                JobRow.status.in_(NOT_FINAL)).limit(1)
                    ).first() is not None
                    pending = conn.execute(
                        select(ScheduleFireRow.fire_time).where(
                            ScheduleFireRow.schedule_id == schedule_id,
                            ScheduleFireRow.outcome == "run",
                            ScheduleFireRow.job_id.is_(None)).limit(1)
                    ).first() is not None
                    if busy or pending:
                        fires = [(t, "skipped_overlap" if o == "run" else o) for t, o in fires]
                if fires:
                    conn.execute(insert(ScheduleFireRow), [
                        {"schedule_id": schedule_id, "fire_time": t, "outcome": o,
                         "claimed_by": claimed_by, "claimed_at": now} for t, o in fires])
        except (IntegrityError, _Lost):
            return None
        return fires

    def set_fire_job(self, schedule_id: str, fire_time: datetime, job_id: str | None,
                     outcome: str = "run") -> None:
        with self.db.engine.begin() as conn:
            conn.execute(
                update(ScheduleFireRow)
                .where(ScheduleFireRow.schedule_id == schedule_id,
                       ScheduleFireRow.fire_time == fire_time)
                .values(job_id=job_id, outcome=outcome)
            )

    def unfinished_fires(self, older_than: datetime) -> list[dict[str, Any]]:
        """Claimed runs whose job was never recorded (the claimer died in between)."""
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(*FIRE_COLUMNS).where(ScheduleFireRow.outcome == "run",
                                            ScheduleFireRow.job_id.is_(None),
                                            ScheduleFireRow.claimed_at < older_than)
            ).mappings().all()
        return [dict(r) for r in rows]

    def fires(self, schedule_id: str, limit: int = 10) -> list[dict[str, Any]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(*FIRE_COLUMNS).where(ScheduleFireRow.schedule_id == schedule_id)
                .order_by(ScheduleFireRow.fire_time.desc()).limit(limit)
            ).mappings().all()
        return [dict(r) for r in rows]

    def job_ids(self, schedule_id: str) -> list[str]:
        with self.db.engine.connect() as conn:
            return list(conn.execute(
                select(JobRow.id).where(JobRow.schedule_id == schedule_id)).scalars())


class SweepStore:
    def __init__(self, db: Database):
        self.db = db

    def insert(self, values: dict[str, Any]) -> dict[str, Any]:
        with self.db.engine.begin() as conn:
            conn.execute(insert(SweepRow), {"created_at": utcnow(), **values})
        return self.get(values["id"])

    def set_items(self, sweep_id: str, items: list[dict[str, Any]]) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(update(SweepRow).where(SweepRow.id == sweep_id).values(items=items))

    def get(self, sweep_id: str) -> dict[str, Any] | None:
        with self.db.engine.connect() as conn:
            row = conn.execute(
                select(*SWEEP_COLUMNS).where(SweepRow.id == sweep_id)).mappings().first()
        return dict(row) if row else None

    def list(self, limit: int = 200) -> list[dict[str, Any]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(*SWEEP_COLUMNS)
                .order_by(SweepRow.created_at.desc(), SweepRow.id.desc()).limit(limit)
            ).mappings().all()
        return [dict(r) for r in rows]

    def delete(self, sweep_id: str) -> bool:
        with self.db.engine.begin() as conn:
            return conn.execute(delete(SweepRow).where(SweepRow.id == sweep_id)).rowcount == 1

    def job_statuses(self, sweep_id: str) -> dict[str, str]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(JobRow.id, JobRow.status).where(JobRow.sweep_id == sweep_id)).all()
        return {job_id: status for job_id, status in rows}
