"""The tables, as SQLAlchemy Core metadata. Alembic migrations (store/migrations) create them;
this module is what the repositories query with. Keep both in step: a test compares them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("key", String(64), nullable=False, index=True),  # hash of what was asked: finds "the same command"
    Column("status", String(16), nullable=False),  # running | interrupted | cancelling | completed | failed
    Column("spec", JSON, nullable=False),
    Column("owner", String(128), nullable=False, default=""),  # host:pid of the process running it
    Column("error", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

images = Table(
    "images",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the bytes
    Column("source", Text, nullable=False),  # where it was first seen
    Column("size", Integer, nullable=False),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("data", LargeBinary, nullable=True),  # the bytes, kept only for jobs on the shared queue
)

instances = Table(
    "instances",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("job_id", String(32), ForeignKey("jobs.id"), nullable=False, index=True),
    Column("image_id", String(64), ForeignKey("images.id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("token_type", String(32), nullable=False),
    Column("extractor", String(128), nullable=False),  # name@version
    Column("config_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # pending|queued|running|complete|failed|cancelled
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("seconds", Float, nullable=True),
    Column("scale", Float, nullable=True),  # device scale the extractor used (given or detected)
    Column("finished_at", Float, nullable=True),
    Column("lease_owner", String(128), nullable=True),  # for workers claiming from a shared store
    Column("lease_expires", Float, nullable=True),
    Column("warnings", JSON, nullable=True),  # why the extractor gave up on part of the image
    UniqueConstraint("job_id", "image_id", "token_type", name="uq_instances_job_image_type"),
    Index("ix_instances_status", "status"),  # workers claim queued instances by status
)

tokens = Table(
    "tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(32), ForeignKey("jobs.id"), nullable=False, index=True),
    Column("instance_id", String(64), ForeignKey("instances.id"), nullable=True),  # NULL: merged token
    Column("stage", String(8), nullable=False),  # raw (one instance's) | merged (the job's token set)
    Column("ordinal", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    UniqueConstraint("instance_id", "ordinal", name="uq_tokens_instance_ordinal"),
)

relationships = Table(
    "relationships",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(32), ForeignKey("jobs.id"), nullable=False, index=True),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("type", String(64), nullable=False),
    Column("weight", Float, nullable=False),
    Column("attributes", JSON, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # global order; the SSE id
    Column("job_id", String(32), ForeignKey("jobs.id"), nullable=False),
    Column("version", Integer, nullable=False),  # order within the job
    Column("name", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("at", Float, nullable=False),
    UniqueConstraint("job_id", "version", name="uq_events_job_version"),
)
