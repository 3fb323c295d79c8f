"""schedules.remote -> schedules.trigger_handle: the handle of the backend's cloud trigger

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    # SQLite: batch mode copies the table with the column renamed; PostgreSQL: RENAME COLUMN.
    with op.batch_alter_table("schedules") as batch:
        batch.alter_column(old, new_column_name=new,
                           existing_type=sa.JSON(none_as_null=True), existing_nullable=True)


def upgrade() -> None:
    _rename("remote", "trigger_handle")


def downgrade() -> None:
    _rename("trigger_handle", "remote")
