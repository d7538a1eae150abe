"""Migrations: run on first use, up and down, on SQLite and PostgreSQL, and match the schema module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from designlens.store import database_url
from designlens.store.database import HEAD, Store, current_revision, downgrade, migrate
from designlens.store.schema import metadata

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TABLES = {"jobs", "images", "instances", "tokens", "relationships", "events"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    schema = f"dl_test_{uuid.uuid4().hex[:10]}"  # the `test` database is shared: keep to our own schema
    admin = sa.create_engine(PG)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield f"{PG}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_opening_a_new_store_runs_the_migrations(url: str) -> None:
    store = Store(url)
    assert current_revision(store.engine) == HEAD
    assert _tables(store.engine) == TABLES
    store.close()


def test_migrations_go_down_to_nothing_and_up_again(url: str) -> None:
    store = Store(url)
    downgrade(store.engine, "base")
    assert _tables(store.engine) == set() and current_revision(store.engine) is None
    migrate(store.engine)
    assert _tables(store.engine) == TABLES and current_revision(store.engine) == HEAD
    store.close()


def test_migrated_tables_match_the_schema_module(url: str) -> None:
    store = Store(url)
    inspector = sa.inspect(store.engine)
    for table in metadata.sorted_tables:
        migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        declared = {c.name: c.nullable for c in table.columns}
        assert migrated.keys() == declared.keys(), table.name
        for name, nullable in declared.items():
            if name not in {c.name for c in table.primary_key.columns}:
                assert migrated[name] == nullable, f"{table.name}.{name}"
        uniques = {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table.name)}
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                assert tuple(c.name for c in constraint.columns) in uniques
    store.close()


def test_database_url_takes_a_path_a_url_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DESIGNLENS_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert database_url(None) == f"sqlite:///{tmp_path / 'designlens' / 'designlens.sqlite'}"
    assert database_url("jobs.db").startswith("sqlite:////") and database_url("jobs.db").endswith("/jobs.db")
    monkeypatch.setenv("DESIGNLENS_DATABASE_URL", "postgresql+psycopg://u@h/d")
    assert database_url(None) == "postgresql+psycopg://u@h/d"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = f"from designlens.store.database import Store; Store('sqlite:///{tmp_path / 'race.sqlite'}')"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True) for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
