"""In-process event bus: every step publishes, progress bars and logs subscribe.

Event names follow DESIGN.md: job.created, instance.started, instance.completed,
instance.failed, token.extracted, relationship.discovered, export.completed, job.completed.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)

EVENT_NAMES = (
    "job.created",
    "instance.started",
    "instance.completed",
    "instance.failed",
    "token.extracted",
    "relationship.discovered",
    "export.completed",
    "job.completed",
    "job.failed",
)


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    job_id: str
    data: Mapping[str, Any] = field(default_factory=dict)
    seq: int = 0
    at: float = 0.0


Subscriber = Callable[[Event], None]


class Bus(Protocol):
    """What every bus offers: in-process today; a Redis Streams bus later fits the same two calls."""

    def publish(self, name: str, job_id: str, data: Mapping[str, Any] | None = None) -> Event: ...

    def subscribe(self, callback: Subscriber, name: str | None = None) -> Callable[[], None]: ...


class EventBus:
    """Synchronous publish/subscribe; a failing subscriber is logged, never fatal to the job."""

    def __init__(self) -> None:
        self._subscribers: list[tuple[str | None, Subscriber]] = []
        self._seq = itertools.count(1)

    def subscribe(self, callback: Subscriber, name: str | None = None) -> Callable[[], None]:
        """Call `callback` for every event (or only those named `name`); returns an unsubscribe."""
        entry = (name, callback)
        self._subscribers.append(entry)
        return lambda: self._subscribers.remove(entry)

    def publish(self, name: str, job_id: str, data: Mapping[str, Any] | None = None) -> Event:
        if name not in EVENT_NAMES:
            raise ValueError(f"unknown event name {name!r}")
        event = Event(name, job_id, dict(data or {}), next(self._seq), time.time())
        for wanted, callback in list(self._subscribers):
            if wanted is None or wanted == name:
                try:
                    callback(event)
                except Exception:
                    log.exception("event subscriber failed on %s", name)
        return event
