"""Supervised worker processes, with OTP's restart strategies and restart budget.

- one_for_one: a failed worker is restarted alone (default);
- one_for_all: every worker is restarted, in start order;
- rest_for_one: the failed worker and those started after it are restarted.
More than `max_restarts` restarts within `within` seconds and the pool gives up: every
waiting and later call raises PoolFailed with the reason. A call that overruns its timeout
kills its worker; a worker's address space is capped with RLIMIT_AS.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import itertools
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from designlens.errors import RuntimeFailure
from designlens.runtime import protocol

Strategy = Literal["one_for_one", "one_for_all", "rest_for_one"]
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
PIPE_SIZE = 1 << 20
PR_SET_PDEATHSIG = 1
STRATEGIES: tuple[Strategy, ...] = ("one_for_one", "one_for_all", "rest_for_one")


@dataclass(frozen=True)
class PoolSpec:
    """How to run and supervise one pool of identical workers."""

    argv: tuple[str, ...]
    size: int = 1
    strategy: Strategy = "one_for_one"
    max_restarts: int = 10  # more than this many restarts ...
    within: float = 60.0  # ... in this many seconds: the pool gives up
    call_timeout: float = 120.0  # a call longer than this kills and restarts its worker
    start_timeout: float = 30.0  # spawn until the first pong
    memory_limit: int | None = 4 << 30  # bytes of address space per worker (RLIMIT_AS); None: no cap
    ping_interval: float = 10.0  # health ping of idle workers; 0 disables
    env: Mapping[str, str] | None = None
    name: str = "default"

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {self.strategy!r} (have: {', '.join(STRATEGIES)})")
        if self.size < 1:
            raise ValueError("a pool needs at least one worker")


class WorkerFault(RuntimeFailure):
    """A worker failed a call: it crashed, hung or broke the protocol. It gets restarted."""


class WorkerStartError(WorkerFault):
    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent  # retrying cannot help (no such binary)


class WorkerLost(WorkerFault):
    """The supervisor killed this worker to restart it with a failed sibling: not this call's fault."""


class PoolFailed(RuntimeFailure):
    """The pool spent its restart budget (or cannot start a worker at all) and gave up."""


class RemoteError(RuntimeFailure):
    """The worker answered with an error reply; it is still healthy."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


@dataclass
class PoolStats:
    calls: int = 0
    errors: int = 0
    restarts: int = 0
    timeouts: int = 0
    crashes: int = 0
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=20_000))

    def as_dict(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def pct(q: float) -> float:
            if not ordered:
                return 0.0
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 3)

        return {
            "calls": self.calls, "errors": self.errors, "restarts": self.restarts,
            "timeouts": self.timeouts, "crashes": self.crashes,
            "latency_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
        }


def _child_setup(limit: int | None) -> Callable[[], None]:
    """Runs in the child between fork and exec: the memory cap, and death with the parent."""

    def apply() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        # A worker busy in a long call does not read stdin, so it would not notice a SIGKILLed
        # parent: ask Linux to kill it when the parent goes.
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    return apply


def _widen_pipes(proc: asyncio.subprocess.Process) -> None:
    """1 MB pipe buffers: a screenshot crosses in one write instead of sixteen 64 KB hops (Linux)."""
    transports = [
        proc.stdin.transport if proc.stdin is not None else None,
        getattr(proc.stdout, "_transport", None),  # StreamReader has no public accessor
    ]
    for transport in transports:
        with contextlib.suppress(OSError, AttributeError, ValueError):
            fcntl.fcntl(transport.get_extra_info("pipe").fileno(), F_SETPIPE_SZ, PIPE_SIZE)  # type: ignore[union-attr]


class Child:
    """One worker process and its pipes; one call at a time."""

    def __init__(self, spec: PoolSpec, index: int) -> None:
        self.spec = spec
        self.index = index
        self.proc: asyncio.subprocess.Process | None = None
        self.busy = False
        self.ready = False
        self.lost = False  # killed on purpose by the supervisor
        self.affinity: str | None = None  # key of the last call (an image): what it has in memory
        self.last_used = 0
        self._ids = itertools.count(1)
        self._stderr: deque[bytes] = deque(maxlen=32)
        self._stderr_task: asyncio.Task[None] | None = None

    @property
    def available(self) -> bool:
        return self.ready and not self.busy

    async def start(self) -> None:
        await self.kill()
        self.lost = False
        env = {**os.environ, **(self.spec.env or {})}
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.spec.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, env=env, start_new_session=True,
                preexec_fn=_child_setup(self.spec.memory_limit),
            )
        except (FileNotFoundError, PermissionError) as exc:
            raise WorkerStartError(
                f"cannot start worker {' '.join(self.spec.argv)!r}: {exc.strerror or exc}", permanent=True
            ) from None
        except OSError as exc:
            raise WorkerStartError(f"cannot start worker {self.spec.argv[0]!r}: {exc}") from None
        self.proc = proc
        _widen_pipes(proc)
        self._stderr.clear()
        self._stderr_task = asyncio.create_task(self._drain_stderr(proc))
        try:
            await self._call(proc, "ping", {}, self.spec.start_timeout)
        except (WorkerFault, RemoteError) as exc:
            await self.kill()
            raise WorkerStartError(f"worker {' '.join(self.spec.argv)!r} did not start: {exc}") from None
        self.ready = True

    async def _drain_stderr(self, proc: asyncio.subprocess.Process) -> None:
        """Keep the last lines a worker wrote to stderr, for the crash message."""
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            self._stderr.append(line)

    def stderr_tail(self) -> str:
        text = b"".join(self._stderr).decode("utf-8", "replace").strip()
        return text[-600:]

    async def call(self, command: str, args: Any, timeout: float) -> Any:
        if self.proc is None:
            raise WorkerFault("worker is not running")
        return await self._call(self.proc, command, args, timeout)

    async def _call(self, proc: asyncio.subprocess.Process, command: str, args: Any, timeout: float) -> Any:
        assert proc.stdin is not None and proc.stdout is not None
        call_id = next(self._ids)
        try:
            async with asyncio.timeout(timeout):
                proc.stdin.write(protocol.encode(protocol.request(call_id, command, args)))
                await proc.stdin.drain()
                reply = await protocol.read_frame_async(proc.stdout)
        except TimeoutError:
            await self.kill()
            raise WorkerFault(f"call `{command}` timed out after {timeout:g} s; worker killed") from None
        except protocol.ProtocolError as exc:
            await self.kill()
            raise WorkerFault(f"worker broke the protocol ({exc})") from None
        except (EOFError, ConnectionError, BrokenPipeError):
            raise await self._death() from None
        if not isinstance(reply, dict) or reply.get("id") != call_id or not isinstance(reply.get("ok"), bool):
            await self.kill()
            raise WorkerFault(f"worker broke the protocol (reply {str(reply)[:80]!r} to call {call_id})")
        if not reply["ok"]:
            err = reply.get("error") or {}
            raise RemoteError(str(err.get("type", "Error")), str(err.get("message", "")))
        return reply.get("result")

    async def _death(self) -> WorkerFault:
        if self.lost:
            return WorkerLost("worker was restarted together with a failed sibling")
        code = await self._wait_exit()
        if code is not None and code < 0:
            how = f"killed by {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        tail = self.stderr_tail()
        return WorkerFault(f"worker {how}" + (f"; its last words: {tail}" if tail else ""))

    async def _wait_exit(self) -> int | None:
        if self.proc is None:
            return None
        try:
            return await asyncio.wait_for(self.proc.wait(), 5)
        except TimeoutError:
            return None

    async def kill(self) -> None:
        self.ready = False
        self.affinity = None  # a new process holds no image
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), 5)
        if self._stderr_task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._stderr_task, 1)
        self.proc = proc  # kept for the exit code until the next start
        self.ready = False

    async def stop(self, timeout: float = 2.0) -> None:
        """Ask politely (shutdown), then kill."""
        if self.proc is not None and self.proc.returncode is None and self.ready and not self.busy:
            with contextlib.suppress(Exception):
                await self._call(self.proc, "shutdown", {}, timeout)
        await self.kill()


class Supervisor:
    """A pool of workers started in order, restarted by strategy within a restart budget."""

    def __init__(self, spec: PoolSpec) -> None:
        self.spec = spec
        self.children = [Child(spec, i) for i in range(spec.size)]
        self.stats = PoolStats()
        self.failed: str | None = None
        self._restarts: deque[float] = deque()
        self._cond = asyncio.Condition()
        self._restart_lock = asyncio.Lock()
        self._health: asyncio.Task[None] | None = None
        self._started = False
        self._uses = itertools.count(1)

    async def start(self) -> None:
        """Start every worker in order; raises PoolFailed if one cannot start within budget."""
        if self._started:
            return
        self._started = True
        for child in self.children:
            await self._start_child(child)
            async with self._cond:
                self._cond.notify_all()
            if self.failed:
                await self._fail()
                raise PoolFailed(self.failed)
        if self.spec.ping_interval > 0:
            self._health = asyncio.create_task(self._health_loop())

    async def call(self, command: str, args: Any = None, affinity: str | None = None) -> Any:
        """Run one call on a free worker, preferring the one whose last call had the same
        `affinity` key (it still holds that image decoded). Raises RemoteError (worker
        answered an error), WorkerFault (the worker failed; it is being restarted) or PoolFailed."""
        await self.start()
        child = await self._acquire(affinity)
        started = time.perf_counter()
        self.stats.calls += 1
        try:
            result = await child.call(command, args, self.spec.call_timeout)
        except RemoteError as exc:
            self.stats.errors += 1
            if exc.kind == "MemoryError":  # the worker exits after this reply: replace it
                await self._on_failure(child, exc)
            raise
        except WorkerLost:
            self.stats.errors += 1
            raise
        except WorkerFault as exc:
            self.stats.errors += 1
            if "timed out" in str(exc):
                self.stats.timeouts += 1
            else:
                self.stats.crashes += 1
            await self._on_failure(child, exc)
            raise
        finally:
            self.stats.latencies.append(time.perf_counter() - started)
            await self._release(child)
        return result

    async def _acquire(self, affinity: str | None = None) -> Child:
        async with self._cond:
            await self._cond.wait_for(
                lambda: self.failed is not None or any(c.available for c in self.children)
            )
            if self.failed is not None:
                raise PoolFailed(self.failed)
            # the worker that has this image, else the one idle longest (its image is oldest)
            free = [c for c in self.children if c.available]
            child = min(free, key=lambda c: (affinity is None or c.affinity != affinity, c.last_used))
            child.busy = True
            if affinity is not None:  # a ping leaves the worker's image where it was
                child.affinity = affinity
            child.last_used = next(self._uses)
            return child

    async def _release(self, child: Child) -> None:
        async with self._cond:
            child.busy = False
            self._cond.notify_all()

    def _spend_restart(self, reason: str) -> bool:
        """Record one restart; False (and the pool failed) when the budget is spent."""
        now = time.monotonic()
        while self._restarts and now - self._restarts[0] > self.spec.within:
            self._restarts.popleft()
        if len(self._restarts) >= self.spec.max_restarts:
            self.failed = (
                f"worker pool {self.spec.name!r} gave up: more than {self.spec.max_restarts} restarts "
                f"in {self.spec.within:g} s (last failure: {reason})"
            )
            return False
        self._restarts.append(now)
        self.stats.restarts += 1
        return True

    async def _on_failure(self, child: Child, exc: Exception) -> None:
        async with self._restart_lock:
            if self.failed is not None:
                return
            if child.ready and child.proc is not None and child.proc.returncode is None and not isinstance(
                exc, RemoteError
            ):
                return  # already restarted by a sibling's failure
            if not self._spend_restart(str(exc)):
                await self._fail()
                return
            if self.spec.strategy == "one_for_one":
                targets = [child]
            elif self.spec.strategy == "one_for_all":
                targets = list(self.children)
            else:
                targets = self.children[child.index :]
            for other in targets:
                if other is not child:
                    other.lost = True
                await other.kill()
            for other in targets:  # restart in start order
                await self._start_child(other, spend=False)
                if self.failed:
                    break
        if self.failed:
            await self._fail()
        async with self._cond:
            self._cond.notify_all()

    async def _start_child(self, child: Child, spend: bool = False) -> None:
        while True:
            try:
                await child.start()
                return
            except WorkerStartError as exc:
                if exc.permanent:
                    self.failed = f"worker pool {self.spec.name!r} failed: {exc}"
                    return
                if not self._spend_restart(str(exc)):
                    return

    async def _fail(self) -> None:
        for child in self.children:
            await child.kill()
        async with self._cond:
            self._cond.notify_all()

    async def _health_loop(self) -> None:
        while self.failed is None:
            await asyncio.sleep(self.spec.ping_interval)
            for child in self.children:
                if not child.available:
                    continue
                child.busy = True
                try:
                    await child.call("ping", {}, min(5.0, self.spec.call_timeout))
                except (WorkerFault, RemoteError) as exc:
                    self.stats.crashes += 1
                    await self._on_failure(child, exc)
                finally:
                    await self._release(child)

    async def worker_stats(self) -> list[Any]:
        """Each live worker's own `stats` reply (calls, errors, uptime, max RSS)."""
        out: list[Any] = []
        for child in self.children:
            if child.available:
                child.busy = True
                try:
                    out.append(await child.call("stats", {}, 5.0))
                except (WorkerFault, RemoteError) as exc:
                    out.append({"error": str(exc)})
                finally:
                    await self._release(child)
        return out

    def pids(self) -> Sequence[int]:
        return [c.proc.pid for c in self.children if c.proc is not None and c.proc.returncode is None]

    async def close(self) -> None:
        if self._health is not None:
            self._health.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._health
        for child in self.children:
            await child.stop()
