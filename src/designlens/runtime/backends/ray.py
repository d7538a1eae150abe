"""The Ray backend: each instance is a Ray task on a Ray cluster (`--backend ray`).

The task runs the same worker host as a local worker process (same commands, same error
kinds), so a bad image or a plugin's exception fails its instance alone. A Ray worker that
dies mid-task is retried by Ray (`max_retries`): delivery is at-least-once, and the job log
keys results by instance id, so a retried instance never duplicates tokens. Ray is an
optional extra (`pip install designlens[ray]`), imported only when this backend is chosen.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from designlens.errors import TokenFormatError, UsageError
from designlens.runtime.backends.local import _output
from designlens.runtime.instance import Instance, Outcome
from designlens.runtime.options import RuntimeOptions

MAX_RETRIES = 3  # Ray re-runs a task whose worker process died this many times
_HOST: Any = None  # one worker host per Ray worker process, built on its first task


def extract_task(args: dict[str, Any]) -> dict[str, Any]:
    """Runs inside a Ray worker: one `extract` request, answered as a framed worker would."""
    global _HOST
    if _HOST is None:
        from designlens.runtime.worker import WorkerHost

        _HOST = WorkerHost([], installed=True)
    return dict(_HOST.handle({"id": 0, "command": "extract", "args": args}))


class RayBackend:
    def __init__(self, runtime: RuntimeOptions) -> None:
        try:
            import ray
        except ImportError:
            raise UsageError("--backend ray needs Ray: pip install 'designlens[ray]'") from None
        self._ray = ray
        if not ray.is_initialized():
            # A Ray started here runs its workers at our priority (Ray's default is nice 15, which
            # starves them next to anything else on a shared machine); a cluster keeps its own setting.
            system = {"worker_niceness": 0} if runtime.ray_address is None else None
            ray.init(
                address=runtime.ray_address, include_dashboard=False, log_to_driver=False,
                logging_level=logging.WARNING, configure_logging=False, _system_config=system,
            )
        self._task = ray.remote(max_retries=MAX_RETRIES, retry_exceptions=False)(extract_task)
        cpus = int(ray.cluster_resources().get("CPU", 1))  # type: ignore[no-untyped-call]
        self._concurrency = runtime.workers or max(1, cpus)
        self.timeout = runtime.call_timeout
        self.calls = 0
        self.errors = 0

    @property
    def concurrency(self) -> int:
        return self._concurrency

    @property
    def keeps_images(self) -> bool:
        return False  # instances land on any node's worker

    async def run(self, instance: Instance) -> Outcome:
        ray = self._ray
        started = time.perf_counter()
        self.calls += 1
        ref = self._task.remote(instance.wire_args())
        try:
            reply = await asyncio.wait_for(ref, self.timeout)
        except TimeoutError:
            ray.cancel(ref, force=True)
            return self._failed(instance, f"timed out after {self.timeout:g} s", started)
        except ray.exceptions.RayError as exc:  # the worker died MAX_RETRIES + 1 times, or Ray failed
            return self._failed(instance, f"worker failed: {type(exc).__name__}: {exc}", started)
        seconds = time.perf_counter() - started
        if not reply.get("ok"):
            err = reply.get("error") or {}
            kind, message = str(err.get("kind", "Error")), str(err.get("message", ""))
            return self._failed(instance, message if kind == "InputError" else f"{kind}: {message}", started)
        try:
            return Outcome(instance, _output(reply["result"]), None, seconds)
        except TokenFormatError as exc:
            return self._failed(instance, f"worker returned a malformed result: {exc}", started)

    def _failed(self, instance: Instance, error: str, started: float) -> Outcome:
        self.errors += 1
        return Outcome(instance, None, error, time.perf_counter() - started)

    def stats(self) -> dict[str, Any]:
        return {"ray": {"calls": self.calls, "errors": self.errors, "concurrency": self._concurrency}}

    async def close(self) -> None:
        """Stays connected: a service runs many jobs, and Ray's own exit hook disconnects (and
        stops a cluster this process started) when the process ends."""
