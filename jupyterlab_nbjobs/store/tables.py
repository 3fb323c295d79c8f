"""ORM tables. Times are stored as naive UTC and handed out timezone-aware."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    input_path: Mapped[str] = mapped_column(Text)
    kernel_name: Mapped[str] = mapped_column(String(200))
    backend: Mapped[str] = mapped_column(String(40))
    backend_options: Mapped[dict] = mapped_column(JSON, default=dict)
    parameters: Mapped[dict] = mapped_column(JSON, default=dict)
    output_formats: Mapped[list] = mapped_column(JSON, default=list)
    package_input_folder: Mapped[bool] = mapped_column(Boolean, default=False)
    env: Mapped[dict] = mapped_column(JSON, default=dict)
    timeout_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    max_retries: Mapped[int] = mapped_column(Integer, default=0)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    schedule_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sweep_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    cells_done: Mapped[int] = mapped_column(Integer, default=0)
    cells_total: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    handle: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    job_dir: Mapped[str] = mapped_column(Text)
    output_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        # Every list query is "filter, then order by (key, id)": one index per common shape.
        Index("ix_jobs_created", "created_at", "id"),
        Index("ix_jobs_status_created", "status", "created_at", "id"),
        Index("ix_jobs_name", "name", "id"),
        Index("ix_jobs_schedule_created", "schedule_id", "created_at"),
        Index("ix_jobs_sweep", "sweep_id"),
        Index("ix_jobs_updated", "updated_at"),
        Index("ix_jobs_backend_status", "backend", "status"),
    )


class JobTagRow(Base):
    """One row per (job, tag) so that the tag filter uses an index."""

    __tablename__ = "job_tags"

    job_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(128), primary_key=True)

    __table_args__ = (Index("ix_job_tags_tag", "tag", "job_id"),)


class ScheduleRow(Base):
    """A job definition on a cron. `settings` holds the JobSettings of its runs."""

    __tablename__ = "schedules"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(JSON)
    cron: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    overlap_policy: Mapped[str] = mapped_column(String(16))
    catchup_policy: Mapped[str] = mapped_column(String(16))
    catchup_limit: Mapped[int] = mapped_column(Integer)
    # The next fire nobody has claimed yet; NULL when paused or past its end.
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    snapshot_dir: Mapped[str] = mapped_column(Text)
    snapshot_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Handle of the backend's cloud trigger that fires this schedule (SageMaker: pipeline and
    # EventBridge schedule); NULL: the scheduler loop fires it.
    trigger_handle: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)

    __table_args__ = (
        Index("ix_schedules_due", "active", "next_fire_at"),
        Index("ix_schedules_created", "created_at", "id"),
    )


class ScheduleFireRow(Base):
    """One row per claimed fire: the primary key is what makes a fire run at most once."""

    __tablename__ = "schedule_fires"

    schedule_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    fire_time: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(24))  # run, skipped_overlap, skipped_missed
    job_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_schedule_fires_pending", "outcome", "job_id"),)


class SweepRow(Base):
    """A parameter sweep: `items` is the ordered list of {parameters, job_id}."""

    __tablename__ = "sweeps"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    input_path: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict] = mapped_column(JSON)
    grid: Mapped[dict] = mapped_column(JSON)
    items: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_sweeps_created", "created_at", "id"),)
