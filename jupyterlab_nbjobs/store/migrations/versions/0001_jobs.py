"""jobs and job_tags

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from jupyterlab_nbjobs.store.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("input_path", sa.Text, nullable=False),
        sa.Column("kernel_name", sa.String(200), nullable=False),
        sa.Column("backend", sa.String(40), nullable=False),
        sa.Column("backend_options", sa.JSON, nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("output_formats", sa.JSON, nullable=False),
        sa.Column("package_input_folder", sa.Boolean, nullable=False),
        sa.Column("env", sa.JSON, nullable=False),
        sa.Column("timeout_seconds", sa.Float, nullable=True),
        sa.Column("max_retries", sa.Integer, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True, unique=True),
        sa.Column("schedule_id", sa.String(32), nullable=True),
        sa.Column("sweep_id", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cells_done", sa.Integer, nullable=False),
        sa.Column("cells_total", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("handle", sa.JSON, nullable=True),
        sa.Column("job_dir", sa.Text, nullable=False),
        sa.Column("output_path", sa.Text, nullable=True),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=True),
        sa.Column("ended_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_jobs_created", "jobs", ["created_at", "id"])
    op.create_index("ix_jobs_status_created", "jobs", ["status", "created_at", "id"])
    op.create_index("ix_jobs_name", "jobs", ["name", "id"])
    op.create_index("ix_jobs_schedule_created", "jobs", ["schedule_id", "created_at"])
    op.create_index("ix_jobs_sweep", "jobs", ["sweep_id"])
    op.create_index("ix_jobs_updated", "jobs", ["updated_at"])
    op.create_index("ix_jobs_backend_status", "jobs", ["backend", "status"])
    op.create_table(
        "job_tags",
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("tag", sa.String(128), primary_key=True),
    )
    op.create_index("ix_job_tags_tag", "job_tags", ["tag", "job_id"])


def downgrade() -> None:
    op.drop_table("job_tags")
    op.drop_table("jobs")
