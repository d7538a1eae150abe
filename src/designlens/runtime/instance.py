"""An instance: one image x one token type, the atomic unit of work, and what became of it."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from designlens.pipeline import InstanceOutput

Status = Literal["complete", "failed"]


def instance_id(job_id: str, image_id: str, token_type: str) -> str:
    """Instances are keyed by (job, image, type): a retried or resumed one keeps its id."""
    return hashlib.sha256(f"{job_id}\0{image_id}\0{token_type}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Instance:
    id: str
    job_id: str
    image_id: str
    source: str
    token_type: str
    extractor: str  # name@version, as the parent's plugin registry reports it
    config: Mapping[str, Any]
    config_hash: str
    max_pixels: int
    scale: float | Literal["auto"]
    data: bytes = field(repr=False, default=b"")

    def wire_args(self) -> dict[str, Any]:
        """The `extract` request's args (docs/PROTOCOL.md)."""
        return {
            "token_type": self.token_type,
            "data": self.data,
            "source": self.source,
            "config": dict(self.config),
            "max_pixels": self.max_pixels,
            "scale": self.scale,
        }


@dataclass(frozen=True)
class Outcome:
    """A finished instance: its output, or the error that stopped it."""

    instance: Instance
    output: InstanceOutput | None
    error: str | None = None
    seconds: float = 0.0
    attempts: int = 1
    cached: bool = False
    resumed: bool = False  # taken from the job log of an earlier, interrupted run

    @property
    def status(self) -> Status:
        return "complete" if self.error is None else "failed"
