"""Helpers for the scale-out tests: the real PostgreSQL and Redis on this machine, the slow
plugin, and designlens processes started with the right environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379"
SLOWPLUG = Path(__file__).parent / "slowplug"
DESIGNLENS = str(Path(sys.executable).parent / "designlens")
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]


def pg_url(schema: str, app: str) -> str:
    """A URL whose connections live in `schema` and are named `app` (so a test can terminate them)."""
    return f"{PG_ADMIN}?application_name={app}&options=-csearch_path%3D{schema}"


def pg_admin() -> sa.Engine:
    return sa.create_engine(PG_ADMIN)


def env(tmp: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DESIGNLENS_")}
    return {**base, "PYTHONPATH": str(SLOWPLUG), "XDG_CACHE_HOME": str(tmp / "xdg"), **extra}


def start(args: Sequence[str], tmp: Path, log: str, **extra: str) -> subprocess.Popen[str]:
    out = open(tmp / log, "w")  # noqa: SIM115 - the process owns it until it exits
    return subprocess.Popen(
        [DESIGNLENS, *args], env=env(tmp, **extra), stdout=out, stderr=subprocess.STDOUT, text=True, cwd=tmp
    )


def run(
    args: Sequence[str], tmp: Path, timeout: float = 180, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DESIGNLENS, *args], env=env(tmp, **extra), capture_output=True, text=True, timeout=timeout, cwd=tmp
    )


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def log_lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def tokens_json(out: Path) -> bytes:
    data = (out / "tokens.json").read_bytes()
    json.loads(data)
    return data


def restart_redis() -> None:
    """Stop the real server (no save: it forgets everything) and start it with the CI command line."""
    import redis

    subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"], timeout=30)
    subprocess.run(REDIS_START, check=True, timeout=30)
    client = redis.Redis.from_url(REDIS)
    wait_for(lambda: _pings(client), 30, "redis to come back", every=0.1)
    client.close()


def _pings(client: Any) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
