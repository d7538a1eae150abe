"""The local backend: instances run on supervised worker processes on this machine.

One pool for every token type, plus one pool per routed type (an external worker, in
any language, that speaks docs/PROTOCOL.md). Pools start on first use, so a run served
entirely from the cache spawns nothing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from designlens.errors import TokenFormatError
from designlens.pipeline import InstanceOutput
from designlens.runtime.codec import token_from_data
from designlens.runtime.instance import Instance, Outcome
from designlens.runtime.supervisor import (
    PoolFailed,
    PoolSpec,
    RemoteError,
    Supervisor,
    WorkerFault,
    WorkerLost,
)

MAX_ATTEMPTS = 3  # only for calls lost to a sibling's restart, which were not the instance's fault


class LocalBackend:
    def __init__(self, default: PoolSpec, routes: Mapping[str, PoolSpec] | None = None) -> None:
        self.default = default
        self.routes = dict(routes or {})
        self._pools: dict[str, Supervisor] = {}

    @property
    def concurrency(self) -> int:
        return self.default.size + sum(spec.size for spec in self.routes.values())

    @property
    def keeps_images(self) -> bool:
        return True

    def _pool(self, token_type: str) -> Supervisor:
        spec = self.routes.get(token_type, self.default)
        if spec.name not in self._pools:
            self._pools[spec.name] = Supervisor(spec)
        return self._pools[spec.name]

    async def run(self, instance: Instance) -> Outcome:
        pool = self._pool(instance.token_type)
        started = time.perf_counter()
        attempts = 0
        while True:
            attempts += 1
            try:
                result = await pool.call("extract", instance.wire_args(), affinity=instance.image_id)
                return Outcome(instance, _output(result), None, time.perf_counter() - started, attempts)
            except WorkerLost as exc:
                if attempts < MAX_ATTEMPTS:
                    continue
                error = f"worker failed: {exc}"
            except RemoteError as exc:
                error = exc.message if exc.kind == "InputError" else f"{exc.kind}: {exc.message}"
            except PoolFailed as exc:
                error = str(exc)
            except WorkerFault as exc:
                error = f"worker failed: {exc}"
            except TokenFormatError as exc:
                error = f"worker returned a malformed result: {exc}"
            return Outcome(instance, None, error, time.perf_counter() - started, attempts)

    def stats(self) -> dict[str, Any]:
        return {name: pool.stats.as_dict() for name, pool in self._pools.items()}

    async def close(self) -> None:
        for pool in self._pools.values():
            await pool.close()


def _output(result: Any) -> InstanceOutput:
    try:
        return InstanceOutput(
            image_id=str(result["image_id"]),
            width=int(result["width"]),
            height=int(result["height"]),
            scale=float(result["scale"]),
            tokens=tuple(token_from_data(t) for t in result["tokens"]),
            warnings=tuple(str(w) for w in result.get("warnings", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TokenFormatError(f"{type(exc).__name__}: {exc}") from None
