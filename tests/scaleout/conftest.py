from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.scaleout.so_helpers import pg_admin, pg_url


@pytest.fixture
def pg() -> Iterator[tuple[str, str]]:
    """(URL, application name) of a fresh PostgreSQL schema in the shared `test` database, dropped after."""
    tag = uuid.uuid4().hex[:10]
    schema, app = f"dl_so_{tag}", f"dlso_{tag}"
    admin = pg_admin()
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield pg_url(schema, app), app
    with admin.begin() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :app"
        ), {"app": app})
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
