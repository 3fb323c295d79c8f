"""Tables of projects and their notebook instances (migration 0005)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .tables import Base, UTCDateTime


class ProjectRow(Base):
    __tablename__ = "projects"

    name: Mapped[str] = mapped_column(String(24), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    stop_time: Mapped[str | None] = mapped_column(String(5), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    allow_owner_override: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProjectMemberRow(Base):
    """One row per (project, user): role `owner` or `member`."""

    __tablename__ = "project_members"

    project: Mapped[str] = mapped_column(String(24), primary_key=True)
    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))

    __table_args__ = (Index("ix_project_members_user", "username", "project"),)


class InstanceRow(Base):
    """Our record of an instance: who owns it, its project and settings, its next daily stop.
    AWS stays the truth for its status; `status` is the last one seen (for lists, sweeps)."""

    __tablename__ = "notebook_instances"

    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    project: Mapped[str] = mapped_column(String(24))
    owner: Mapped[str] = mapped_column(String(200))
    instance_type: Mapped[str] = mapped_column(String(64))
    volume_size_gb: Mapped[int] = mapped_column(Integer)
    lifecycle_config: Mapped[str | None] = mapped_column(String(63), nullable=True)
    emr_cluster_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    stop_time_override: Mapped[str | None] = mapped_column(String(5), nullable=True)
    next_stop_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    idle_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    own_lifecycle_config: Mapped[str | None] = mapped_column(String(63), nullable=True)
    arn: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_notebook_instances_project", "project", "name"),
        Index("ix_notebook_instances_owner", "owner", "name"),
        Index("ix_notebook_instances_next_stop", "next_stop_at"),
    )


class InstanceStopRow(Base):
    """One row per automatic stop claimed: its primary key refuses a second claim."""

    __tablename__ = "instance_stops"

    instance_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # daily | idle
    stop_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
