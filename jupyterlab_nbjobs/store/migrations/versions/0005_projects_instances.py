"""projects, project_members, notebook_instances, instance_stops

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from jupyterlab_nbjobs.store.tables import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("name", sa.String(24), primary_key=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("suspended", sa.Boolean, nullable=False),
        sa.Column("stop_time", sa.String(5), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("allow_owner_override", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "project_members",
        sa.Column("project", sa.String(24), primary_key=True),
        sa.Column("username", sa.String(200), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),
    )
    op.create_index("ix_project_members_user", "project_members", ["username", "project"])
    op.create_table(
        "notebook_instances",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("project", sa.String(24), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("instance_type", sa.String(64), nullable=False),
        sa.Column("volume_size_gb", sa.Integer, nullable=False),
        sa.Column("lifecycle_config", sa.String(63), nullable=True),
        sa.Column("emr_cluster_id", sa.String(64), nullable=True),
        sa.Column("stop_time_override", sa.String(5), nullable=True),
        sa.Column("next_stop_at", UTCDateTime, nullable=True),
        sa.Column("idle_claimed_at", UTCDateTime, nullable=True),
        sa.Column("own_lifecycle_config", sa.String(63), nullable=True),
        sa.Column("arn", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("failure_reason", sa.Text, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_notebook_instances_project", "notebook_instances", ["project", "name"])
    op.create_index("ix_notebook_instances_owner", "notebook_instances", ["owner", "name"])
    op.create_index("ix_notebook_instances_next_stop", "notebook_instances", ["next_stop_at"])
    op.create_table(
        "instance_stops",
        sa.Column("instance_name", sa.String(63), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("stop_at", UTCDateTime, primary_key=True),
        sa.Column("claimed_by", sa.String(200), nullable=False),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("instance_stops")
    op.drop_index("ix_notebook_instances_next_stop", "notebook_instances")
    op.drop_index("ix_notebook_instances_owner", "notebook_instances")
    op.drop_index("ix_notebook_instances_project", "notebook_instances")
    op.drop_table("notebook_instances")
    op.drop_index("ix_project_members_user", "project_members")
    op.drop_table("project_members")
    op.drop_table("projects")
