"""What a service instance is configured with: store, data directory, limits and guards.

Every field has a safe default and an environment variable, so `designlens serve` runs with
zero configuration on a laptop and grows by configuration on a shared host.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from designlens.errors import UsageError

TOKENS_ENV = "DESIGNLENS_API_TOKENS"
DATA_ENV = "DESIGNLENS_DATA_DIR"
URL_ALLOW_ENV = "DESIGNLENS_URL_ALLOW"
KEEPALIVE_ENV = "DESIGNLENS_SSE_KEEPALIVE"
BUS_PREFIX_ENV = "DESIGNLENS_BUS_PREFIX"
BUS_ENV = "DESIGNLENS_BUS_URL"  # redis://...: SSE from Redis Streams, many API processes serve a job
RATE_ENV = "DESIGNLENS_RATE_LIMIT"  # "RATE[,BURST]" requests per second per token; 0 turns it off

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Limits:
    """Refusal thresholds for untrusted input (413/422 above them)."""

    max_body_bytes: int = 64 << 20
    max_images: int = 50  # images per job, counting zip entries and URLs
    max_pixels: int = 40_000_000  # per image (decompression bombs)
    max_zip_entries: int = 200
    max_unzipped_bytes: int = 256 << 20  # zip bombs
    max_url_bytes: int = 20 << 20  # one fetched image
    url_timeout: float = 10.0
    max_redirects: int = 5
    rate: float = 20.0  # requests per second per token (or client address without tokens)
    burst: int = 60


@dataclass(frozen=True)
class ServiceSettings:
    """Everything `create_app` needs; `from_env` fills what the caller left out."""

    db: str  # a SQLAlchemy URL
    data_dir: Path  # uploaded images (content-addressed) and rendered exports
    cache_dir: Path | None = None  # the result cache; None: no cache
    tokens: frozenset[str] = frozenset()  # API bearer tokens; empty: no authentication (loopback only)
    url_allow: tuple[Network, ...] = ()  # networks URL inputs may reach despite the private-range guard
    limits: Limits = field(default_factory=Limits)
    workers: int | None = None  # worker processes per running job; None: one per core
    max_running_jobs: int = 1  # jobs extracting at once; the others wait queued
    keepalive: float = 15.0  # seconds of silence before an SSE keep-alive comment
    poll_interval: float = 0.1  # how often a watched (or, with a bus, a running) job's log is read
    bus: str | None = None  # Redis Streams URL; None: SSE reads the store (one process, or a shared store)
    bus_prefix: str = "designlens"  # Redis key prefix of the bus's streams
    grace: float = 2.0  # seconds running instances get to finish after a cancel
    call_timeout: float = 120.0  # seconds per instance before its worker is killed

    @classmethod
    def from_env(
        cls, db: str | None = None, data_dir: str | os.PathLike[str] | None = None, **overrides: object
    ) -> ServiceSettings:
        """Settings from arguments, then environment variables, then defaults beside the store."""
        from designlens.store import database_url

        url = database_url(db)
        if data_dir is None:
            env = os.environ.get(DATA_ENV)
            data_dir = Path(env) if env else default_data_dir(url)
        tokens = frozenset(t.strip() for t in os.environ.get(TOKENS_ENV, "").split(",") if t.strip())
        allow = parse_networks(os.environ.get(URL_ALLOW_ENV, ""))
        values: dict[str, object] = {
            "db": url, "data_dir": Path(data_dir), "tokens": tokens, "url_allow": allow,
            "cache_dir": Path(data_dir) / "results", "bus": os.environ.get(BUS_ENV) or None,
            "bus_prefix": os.environ.get(BUS_PREFIX_ENV) or "designlens",
        }
        if os.environ.get(RATE_ENV):
            rate, _, burst = os.environ[RATE_ENV].partition(",")
            try:
                limits = Limits(rate=float(rate), burst=int(burst or Limits.burst))
            except ValueError:
                raise UsageError(f"{RATE_ENV} must be RATE[,BURST], got {os.environ[RATE_ENV]!r}") from None
            values["limits"] = limits
        if os.environ.get(KEEPALIVE_ENV):
            try:
                values["keepalive"] = float(os.environ[KEEPALIVE_ENV])
            except ValueError:
                raise UsageError(f"{KEEPALIVE_ENV} must be a number of seconds") from None
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def default_data_dir(url: str) -> Path:
    """`<store name>-data/` beside a SQLite store; the designlens home for any other store."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return path.with_name(f"{path.stem}-data")
    from designlens.store import default_home

    return default_home() / "service-data"


def parse_networks(text: str) -> tuple[Network, ...]:
    """`127.0.0.1/32, ::1` -> networks; UsageError names an entry that is not one."""
    out: list[Network] = []
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise UsageError(f"{URL_ALLOW_ENV}: {item!r} is not an IP address or network") from None
    return tuple(out)


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and loopback addresses: the only binds allowed without API tokens."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
