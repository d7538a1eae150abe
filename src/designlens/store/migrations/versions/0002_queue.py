"""The shared job queue: image bytes in the store (workers on other machines read them there)
and an index for claiming instances by status.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("images") as batch:
        batch.add_column(sa.Column("data", sa.LargeBinary, nullable=True))
    op.create_index("ix_instances_status", "instances", ["status"])


def downgrade() -> None:
    op.drop_index("ix_instances_status", table_name="instances")
    with op.batch_alter_table("images") as batch:
        batch.drop_column("data")
