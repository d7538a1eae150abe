"""The SQL store: jobs, images, instances, tokens, relationships and the event log.

SQLite file by default, any SQLAlchemy URL otherwise. Importing this package is cheap;
SQLAlchemy and Alembic load when a store is opened.
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_ENV = "DESIGNLENS_DATABASE_URL"


def default_home() -> Path:
    """Where designlens keeps its store and cache: $XDG_CACHE_HOME/designlens (~/.cache/designlens)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "designlens"


def database_url(db: str | None = None) -> str:
    """`db` (a URL or a file path), else $DESIGNLENS_DATABASE_URL, else the SQLite file in default_home()."""
    value = db or os.environ.get(DATABASE_ENV)
    if not value:
        return f"sqlite:///{default_home() / 'designlens.sqlite'}"
    if "://" not in value:
        return f"sqlite:///{Path(value).resolve()}"
    if value.startswith("postgresql+asyncpg://"):  # the store is sync Core: same server, psycopg 3 driver
        return "postgresql+psycopg://" + value.removeprefix("postgresql+asyncpg://")
    return value


__all__ = ["DATABASE_ENV", "database_url", "default_home"]
