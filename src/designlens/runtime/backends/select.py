"""Picking the backend a run asked for; the distributed ones import their libraries only here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from designlens.errors import UsageError
from designlens.runtime.backends import Backend

if TYPE_CHECKING:
    from designlens.runtime.options import RuntimeOptions
    from designlens.store.database import Store

BACKENDS = ("local", "queue", "ray")


def open_backend(runtime: RuntimeOptions, store: Store | None, bus: object = None) -> Backend:
    """The backend named by `runtime.backend`; UsageError for an unknown one or a missing store.
    A bus that can `announce_work` (Redis) wakes idle queue workers."""
    if runtime.backend == "local":
        from designlens.runtime.backends.local import LocalBackend

        return LocalBackend(*runtime.pools())
    if runtime.backend == "queue":
        if store is None:
            raise UsageError("--backend queue needs a shared store (--db URL)")
        from designlens.runtime.backends.queue import QueueBackend

        return QueueBackend(store, lease=runtime.lease, announce=getattr(bus, "announce_work", None))
    if runtime.backend == "ray":
        from designlens.runtime.backends.ray import RayBackend

        return RayBackend(runtime)
    raise UsageError(f"--backend must be one of {', '.join(BACKENDS)}, got {runtime.backend!r}")
