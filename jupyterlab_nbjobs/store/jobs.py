"""Queries on the jobs table. Rows travel as plain dicts; the service turns them into models."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from ..errors import InvalidRequest
from ..models import RUNNING_STATUSES, JobListQuery
from .engine import Database
from .tables import JobRow, JobTagRow, utcnow

COLUMNS = [c for c in JobRow.__table__.columns]
SORT_COLUMNS = {"created_at": JobRow.created_at, "name": JobRow.name, "status": JobRow.status}
RUNNING = sorted(s.value for s in RUNNING_STATUSES)  # a backend holds the run



def encode_cursor(sort_value: Any, job_id: str) -> str:
    if isinstance(sort_value, datetime):
        sort_value = sort_value.isoformat()
    raw = json.dumps([sort_value, job_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort_key: str) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, job_id = json.loads(raw)
        if sort_key == "created_at":
            value = datetime.fromisoformat(value)
        if not isinstance(job_id, str):
            raise ValueError
        return value, job_id
    except (ValueError, TypeError, json.JSONDecodeError):
        raise InvalidRequest("cursor is not valid", reason="invalid_cursor", field="cursor") from None


class JobStore:
    def __init__(self, db: Database):
        self.db = db

    # -- writes -------------------------------------------------------------------------
    def insert(self, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Insert a job; with a taken idempotency key return the first job and False."""
        now = utcnow()
        values = {"created_at": now, "updated_at": now, **values}
        try:
            with self.db.engine.begin() as conn:
                conn.execute(insert(JobRow), values)
                if values.get("tags"):
                    conn.execute(
                        insert(JobTagRow),
                        [{"job_id": values["id"], "tag": t} for t in set(values["tags"])],
                    )
        except IntegrityError:
            key = values.get("idempotency_key")
            existing = self.get_by_idempotency_key(key) if key else None
            if existing is None:
                raise
            return existing, False
        return self.get(values["id"]), True

    def update(self, job_id: str, *, only_if_status: tuple[str, ...] | None = None,
               **values: Any) -> bool:
        """Compare-and-set update: with only_if_status, nothing changes unless it matches."""
        values["updated_at"] = utcnow()
        stmt = update(JobRow).where(JobRow.id == job_id)
        if only_if_status is not None:
            stmt = stmt.where(JobRow.status.in_(only_if_status))
        with self.db.engine.begin() as conn:
            return conn.execute(stmt.values(**values)).rowcount == 1

    def delete(self, job_ids: list[str]) -> int:
        with self.db.engine.begin() as conn:
            conn.execute(delete(JobTagRow).where(JobTagRow.job_id.in_(job_ids)))
            return conn.execute(delete(JobRow).where(JobRow.id.in_(job_ids))).rowcount

    def claim_queued(self, backend: str, limit: int) -> list[dict[str, Any]]:
        """Move up to `limit` of the oldest queued jobs to running; safe across servers."""
        claimed = []
        if limit <= 0:
            return claimed
        with self.db.engine.connect() as conn:
            candidates = conn.execute(
                select(JobRow.id)
                .where(JobRow.status == "queued", JobRow.backend == backend)
                .order_by(JobRow.created_at, JobRow.id)
                .limit(limit * 2)
            ).scalars().all()
        for job_id in candidates:
            if len(claimed) >= limit:
                break
            now = utcnow()
            with self.db.engine.begin() as conn:
                won = conn.execute(
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == "queued")
                    .values(status="running", attempts=JobRow.attempts + 1, started_at=now,
                            updated_at=now, cells_done=0, error=None, handle=None)
                ).rowcount == 1
            if won:
                claimed.append(self.get(job_id))
        return claimed

    # -- reads --------------------------------------------------------------------------
    def get(self, job_id: str) -> dict[str, Any] | None:
        with self.db.engine.connect() as conn:
            found = conn.execute(select(*COLUMNS).where(JobRow.id == job_id)).mappings().first()
        return dict(found) if found else None

    def get_by_idempotency_key(self, key: str) -> dict[str, Any] | None:
        with self.db.engine.connect() as conn:
            found = conn.execute(
                select(*COLUMNS).where(JobRow.idempotency_key == key)
            ).mappings().first()
        return dict(found) if found else None

    def count_running(self, backend: str) -> int:
        with self.db.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(JobRow)
                .where(JobRow.backend == backend, JobRow.status.in_(RUNNING))
            ).scalar_one()

    def running(self) -> list[dict[str, Any]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(select(*COLUMNS).where(JobRow.status.in_(RUNNING))).mappings()
            return [dict(r) for r in rows]

    def list(self, q: JobListQuery) -> tuple[list[dict[str, Any]], str | None]:
        """One keyset page of the jobs that match, and the cursor of the next (None: last)."""
        descending, key = q.descending, q.sort_key
        col = SORT_COLUMNS[key]
        stmt = select(*COLUMNS)
        if q.tag:
            stmt = stmt.join(JobTagRow, JobTagRow.job_id == JobRow.id).where(JobTagRow.tag == q.tag)
        if q.statuses:
            stmt = stmt.where(JobRow.status.in_([s.value for s in q.statuses]))
        if q.name:
            escaped = q.name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(JobRow.name.ilike(f"%{escaped}%", escape="\\"))
        if q.schedule_id:
            stmt = stmt.where(JobRow.schedule_id == q.schedule_id)
        if q.sweep_id:
            stmt = stmt.where(JobRow.sweep_id == q.sweep_id)
        if q.updated_since:
            stmt = stmt.where(JobRow.updated_at > q.updated_since)
        if q.cursor:
            value, last_id = decode_cursor(q.cursor, key)
            pair = tuple_(col, JobRow.id)
            stmt = stmt.where(pair < tuple_(value, last_id) if descending
                              else pair > tuple_(value, last_id))
        order = (col.desc(), JobRow.id.desc()) if descending else (col.asc(), JobRow.id.asc())
        stmt = stmt.order_by(*order).limit(q.limit + 1)
        with self.db.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(stmt).mappings()]
        next_cursor = None
        if len(rows) > q.limit:
            rows = rows[: q.limit]
            next_cursor = encode_cursor(rows[-1][key], rows[-1]["id"])
        return rows, next_cursor
