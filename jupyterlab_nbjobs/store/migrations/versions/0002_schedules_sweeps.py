"""schedules, schedule_fires, sweeps

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from jupyterlab_nbjobs.store.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("cron", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("start_at", UTCDateTime, nullable=True),
        sa.Column("end_at", UTCDateTime, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("overlap_policy", sa.String(16), nullable=False),
        sa.Column("catchup_policy", sa.String(16), nullable=False),
        sa.Column("catchup_limit", sa.Integer, nullable=False),
        sa.Column("next_fire_at", UTCDateTime, nullable=True),
        sa.Column("snapshot_dir", sa.Text, nullable=False),
        sa.Column("snapshot_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_schedules_due", "schedules", ["active", "next_fire_at"])
    op.create_index("ix_schedules_created", "schedules", ["created_at", "id"])
    op.create_table(
        "schedule_fires",
        sa.Column("schedule_id", sa.String(32), primary_key=True),
        sa.Column("fire_time", UTCDateTime, primary_key=True),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=True),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_schedule_fires_pending", "schedule_fires", ["outcome", "job_id"])
    op.create_table(
        "sweeps",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("input_path", sa.Text, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("grid", sa.JSON, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_sweeps_created", "sweeps", ["created_at", "id"])


def downgrade() -> None:
    op.drop_table("sweeps")
    op.drop_table("schedule_fires")
    op.drop_table("schedules")
