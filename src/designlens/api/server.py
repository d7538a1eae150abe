"""Running the service under uvicorn (`designlens serve`), with the bind guard."""

from __future__ import annotations

import os

from designlens.api.settings import TOKENS_ENV, ServiceSettings, is_loopback_host
from designlens.errors import UsageError


def check_bind(host: str, settings: ServiceSettings) -> None:
    """Refuse a non-loopback bind without API tokens: anyone reaching it could run jobs."""
    if not settings.tokens and not is_loopback_host(host):
        raise UsageError(
            f"refusing to listen on {host}: no API tokens are set, so anyone who can reach this address "
            f"could run jobs and read results. Set {TOKENS_ENV}=token1,token2 (clients then send "
            "`Authorization: Bearer <token>`), or listen on 127.0.0.1"
        )


def serve(
    host: str = "127.0.0.1", port: int = 8000, db: str | None = None, data_dir: str | None = None,
    workers: int | None = None, log_level: str = "info",
) -> None:
    """Serve until interrupted. Raises UsageError for an unsafe bind or bad settings."""
    settings = ServiceSettings.from_env(db, data_dir, workers=workers)
    check_bind(host, settings)
    import uvicorn

    from designlens.api.app import create_app

    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
