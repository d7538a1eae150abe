"""Executors of instances behind one interface: `local` (supervised worker processes, the
default), `queue` (worker processes claiming from the shared store) and `ray`."""

from __future__ import annotations

from typing import Any, Protocol

from designlens.runtime.instance import Instance, Outcome


class Backend(Protocol):
    @property
    def concurrency(self) -> int:
        """How many instances it runs at once (the scheduler keeps that many in flight)."""

    @property
    def keeps_images(self) -> bool:
        """True when an executor keeps the image it last worked on (local workers do): the
        scheduler then hands it all of an image's instances in a row, decoded once."""

    async def run(self, instance: Instance) -> Outcome:
        """Run one instance; a failure is an Outcome with an error, never an exception."""

    def stats(self) -> dict[str, Any]: ...

    async def close(self) -> None: ...


__all__ = ["Backend"]
