"""The first tables: jobs, images, instances, tokens, relationships, events.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_jobs_key", "jobs", ["key"])
    op.create_table(
        "images",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("width", sa.Integer, nullable=True),
        sa.Column("height", sa.Integer, nullable=True),
    )
    op.create_table(
        "instances",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("image_id", sa.String(64), sa.ForeignKey("images.id"), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("token_type", sa.String(32), nullable=False),
        sa.Column("extractor", sa.String(128), nullable=False),
        sa.Column("config_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("scale", sa.Float, nullable=True),
        sa.Column("finished_at", sa.Float, nullable=True),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("lease_expires", sa.Float, nullable=True),
        sa.UniqueConstraint("job_id", "image_id", "token_type", name="uq_instances_job_image_type"),
    )
    op.create_index("ix_instances_job_id", "instances", ["job_id"])
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("instance_id", sa.String(64), sa.ForeignKey("instances.id"), nullable=True),
        sa.Column("stage", sa.String(8), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.UniqueConstraint("instance_id", "ordinal", name="uq_tokens_instance_ordinal"),
    )
    op.create_index("ix_tokens_job_id", "tokens", ["job_id"])
    op.create_table(
        "relationships",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("attributes", sa.JSON, nullable=False),
    )
    op.create_index("ix_relationships_job_id", "relationships", ["job_id"])
    op.create_table(
        "events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(32), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.UniqueConstraint("job_id", "version", name="uq_events_job_version"),
    )


def downgrade() -> None:
    op.drop_table("events")
    op.drop_index("ix_relationships_job_id", table_name="relationships")
    op.drop_table("relationships")
    op.drop_index("ix_tokens_job_id", table_name="tokens")
    op.drop_table("tokens")
    op.drop_index("ix_instances_job_id", table_name="instances")
    op.drop_table("instances")
    op.drop_table("images")
    op.drop_index("ix_jobs_key", table_name="jobs")
    op.drop_table("jobs")
