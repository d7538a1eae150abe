"""Extractor warnings per instance (a queue worker's reach the coordinator through the store),
and `cancelled` instances: withdrawn from the queue, which workers never claim.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("warnings", sa.JSON, nullable=True))


def downgrade() -> None:
    op.execute("UPDATE instances SET status = 'pending' WHERE status = 'cancelled'")
    with op.batch_alter_table("instances") as batch:
        batch.drop_column("warnings")
