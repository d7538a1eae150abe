"""How a run executes: worker count, supervision, timeouts, memory cap, external workers."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from designlens.runtime.supervisor import STRATEGIES, PoolSpec, Strategy


def default_worker_argv() -> tuple[str, ...]:
    """The built-in Python worker; `-m` skips the CLI's imports for a faster spawn."""
    return (sys.executable, "-m", "designlens.runtime.worker")


@dataclass(frozen=True)
class RuntimeOptions:
    workers: int | None = None  # None: one per core
    strategy: Strategy = "one_for_one"
    max_restarts: int = 10
    within: float = 60.0
    call_timeout: float = 120.0
    memory_limit: int | None = 4 << 30  # bytes of address space per worker; None: uncapped
    ping_interval: float = 10.0
    worker_argv: Sequence[str] | None = None  # None: the built-in Python worker
    routes: Mapping[str, Sequence[str]] = field(default_factory=dict)  # token type -> external worker argv
    grace: float = 10.0  # seconds running instances get to finish after SIGINT/SIGTERM
    env: Mapping[str, str] | None = None
    # local | queue (designlens worker processes on the store) | ray; $DESIGNLENS_BACKEND for the service
    backend: str = field(default_factory=lambda: os.environ.get("DESIGNLENS_BACKEND") or "local")
    # None: start a local Ray; "auto", "ray://HOST:PORT"; $DESIGNLENS_RAY_ADDRESS
    ray_address: str | None = field(default_factory=lambda: os.environ.get("DESIGNLENS_RAY_ADDRESS") or None)
    lease: float = 30.0  # queue backend: seconds a worker's claim lives without renewal

    @property
    def size(self) -> int:
        return max(1, self.workers or os.cpu_count() or 1)

    def pool(
        self, name: str, argv: Sequence[str], size: int, env: Mapping[str, str] | None = None
    ) -> PoolSpec:
        return PoolSpec(
            argv=tuple(argv), size=size, strategy=self.strategy, max_restarts=self.max_restarts,
            within=self.within, call_timeout=self.call_timeout, memory_limit=self.memory_limit,
            ping_interval=self.ping_interval, env={**(env or {}), **(self.env or {})}, name=name,
        )

    def pools(self) -> tuple[PoolSpec, dict[str, PoolSpec]]:
        """The default pool and one pool per routed token type."""
        env = thread_budget(self.size + len(self.routes))
        default = self.pool("default", self.worker_argv or default_worker_argv(), self.size, env)
        routes = {t: self.pool(t, argv, 1, env) for t, argv in self.routes.items()}
        return default, routes


# Thread pools inside a worker (OpenCV, BLAS, OpenMP, numba): one process per core is the
# unit of parallelism, so N workers on C cores get C // N threads each, not C each.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENCV_FOR_THREADS_NUM",
               "NUMBA_NUM_THREADS")


def thread_budget(workers: int) -> dict[str, str]:
    """Environment capping each worker's library threads; variables the user set are kept."""
    threads = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
    return {var: threads for var in THREAD_VARS if var not in os.environ}


def default_cache_dir() -> Path:
    """$DESIGNLENS_CACHE_DIR, else `results/` beside the default store."""
    from designlens.store import default_home

    return Path(os.environ.get("DESIGNLENS_CACHE_DIR") or default_home() / "results")


def cli_runtime(
    workers: int, timeout: float, memory_mb: int, strategy: str, worker_cmds: Sequence[str]
) -> RuntimeOptions:
    """RuntimeOptions from the CLI's flags; ValueError names the bad flag."""
    if strategy not in STRATEGIES:
        raise ValueError(f"--strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    routes: dict[str, tuple[str, ...]] = {}
    for item in worker_cmds:
        token_type, sep, command = item.partition("=")
        argv = tuple(shlex.split(command))
        if not sep or not token_type or not argv:
            raise ValueError(f"--worker-cmd takes TYPE=COMMAND, got {item!r}")
        routes[token_type.strip()] = argv
    return RuntimeOptions(
        workers=workers or None, strategy=strategy, call_timeout=timeout,
        memory_limit=memory_mb << 20 if memory_mb else None, routes=routes,
    )
