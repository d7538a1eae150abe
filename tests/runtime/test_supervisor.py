"""Supervision: restart strategies, restart budget, timeouts, memory cap, health pings."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from designlens.runtime.supervisor import (
    PoolFailed,
    PoolSpec,
    RemoteError,
    Strategy,
    Supervisor,
    WorkerFault,
)
from tests.runtime.rt_helpers import FAULTPLUG, JS_WORKER, make_screens

T = TypeVar("T")
PY = (sys.executable, "-m", "designlens.runtime.worker")


def spec(**kw: Any) -> PoolSpec:
    base: dict[str, Any] = {"argv": PY, "env": {"PYTHONPATH": str(FAULTPLUG)}, "ping_interval": 0,
                            "call_timeout": 60.0}
    return PoolSpec(**{**base, **kw})


def run(body: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(body())


@pytest.fixture
def png(tmp_path: Path) -> bytes:
    return make_screens(tmp_path, ["x.png"])[0].read_bytes()


def fault(png: bytes, kind: str) -> dict[str, Any]:
    return {"data": png, "source": f"{kind}.png"}


@pytest.mark.parametrize(
    ("strategy", "crash_on", "restarted"),
    [("one_for_one", 1, {1}), ("one_for_all", 1, {0, 1, 2}), ("rest_for_one", 1, {1, 2})],
)
def test_strategy_restarts_the_right_workers(
    png: bytes, strategy: Strategy, crash_on: int, restarted: set[int]
) -> None:
    async def body() -> None:
        sup = Supervisor(spec(size=3, strategy=strategy))
        await sup.start()
        before = [c.proc.pid for c in sup.children if c.proc]
        for c in sup.children[:crash_on]:
            c.busy = True  # so the crashing call lands on child `crash_on`
        with pytest.raises(WorkerFault, match="SIGABRT"):
            await sup.call("faults:extract", fault(png, "abort"))
        for c in sup.children:
            c.busy = False
        after = [c.proc.pid for c in sup.children if c.proc]
        assert {i for i in range(3) if before[i] != after[i]} == restarted
        assert sup.stats.restarts == 1
        assert await sup.call("ping") == "pong"
        await sup.close()

    run(body)


def test_restart_budget_spent_fails_the_pool_with_a_clear_error(png: bytes) -> None:
    async def body() -> None:
        sup = Supervisor(spec(max_restarts=2, within=60))
        for _ in range(2):
            with pytest.raises(WorkerFault):
                await sup.call("faults:extract", fault(png, "abort"))
        with pytest.raises(WorkerFault):
            await sup.call("faults:extract", fault(png, "abort"))
        assert sup.failed is not None and "more than 2 restarts in 60 s" in sup.failed
        with pytest.raises(PoolFailed, match="gave up"):
            await sup.call("ping")
        assert sup.stats.restarts == 2
        await sup.close()

    run(body)


def test_hung_call_is_killed_at_its_timeout_and_the_worker_restarted(png: bytes) -> None:
    async def body() -> None:
        sup = Supervisor(spec(call_timeout=3))
        await sup.start()
        first = sup.pids()
        with pytest.raises(WorkerFault, match="timed out after 3 s"):
            await sup.call("faults:extract", fault(png, "hang"))
        assert sup.stats.timeouts == 1 and sup.stats.restarts == 1
        assert sup.pids() != first
        assert await sup.call("ping") == "pong"
        await sup.close()

    run(body)


def test_memory_cap_stops_a_runaway_allocation_and_the_worker_is_replaced(png: bytes) -> None:
    async def body() -> None:
        sup = Supervisor(spec(memory_limit=1536 << 20))
        await sup.start()
        with pytest.raises(RemoteError) as err:
            await sup.call("faults:extract", fault(png, "hog"))
        assert err.value.kind == "MemoryError"
        assert sup.stats.restarts == 1
        assert await sup.call("ping") == "pong"
        await sup.close()

    run(body)


def test_garbage_on_stdout_is_a_protocol_breach_and_the_worker_is_restarted(png: bytes) -> None:
    async def body() -> None:
        sup = Supervisor(spec())
        with pytest.raises(WorkerFault, match="protocol"):
            await sup.call("faults:extract", fault(png, "garbage"))
        assert sup.stats.restarts == 1
        assert await sup.call("ping") == "pong"
        await sup.close()

    run(body)


def test_error_reply_leaves_the_worker_running(png: bytes) -> None:
    async def body() -> None:
        sup = Supervisor(spec())
        await sup.start()
        pid = sup.pids()
        with pytest.raises(RemoteError, match="ValueError: boom"):
            await sup.call("faults:extract", fault(png, "raise"))
        assert sup.pids() == pid and sup.stats.restarts == 0
        await sup.close()

    run(body)


def test_health_ping_replaces_a_worker_that_died_while_idle() -> None:
    async def body() -> None:
        sup = Supervisor(spec(ping_interval=0.2))
        await sup.start()
        [pid] = sup.pids()
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):
            await asyncio.sleep(0.05)
            if sup.stats.restarts and sup.pids() and sup.pids() != [pid]:
                break
        assert sup.stats.restarts == 1 and sup.pids() != [pid]
        assert await sup.call("ping") == "pong"
        await sup.close()

    run(body)


def test_missing_worker_binary_fails_the_pool_at_once_with_its_name() -> None:
    async def body() -> None:
        sup = Supervisor(spec(argv=("/nonexistent/designlens-worker",)))
        with pytest.raises(PoolFailed, match=r"/nonexistent/designlens-worker.*No such file"):
            await sup.call("ping")

    run(body)


def test_javascript_worker_is_supervised_like_a_python_one(png: bytes) -> None:
    async def body() -> None:
        sup = Supervisor(spec(argv=("node", str(JS_WORKER)), size=2))
        info = await sup.call("info")
        assert info["language"] == "javascript"
        result = await sup.call("extract", {"token_type": "faults", "data": png, "source": "x.png"})
        assert result["tokens"][0]["value"] == len(png)
        with pytest.raises(RemoteError) as err:
            await sup.call("nope")
        assert err.value.kind == "UnknownCommand"
        [pid, _] = sup.pids()
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(0.2)
        sup.children[1].busy = True  # the next call must go to the dead child
        with pytest.raises(WorkerFault, match="SIGKILL"):
            await sup.call("ping")
        sup.children[1].busy = False
        assert sup.stats.restarts == 1
        assert await sup.call("ping") == "pong"
        await sup.close()

    run(body)


def test_a_call_goes_to_the_worker_that_had_the_same_image_else_the_longest_idle() -> None:
    """The worker that served an image keeps it decoded: its next instance goes there."""

    async def body() -> None:
        sup = Supervisor(spec(size=3))
        await sup.start()

        async def pid(key: str | None) -> int:
            return int((await sup.call("info", affinity=key))["pid"])

        a, b, c = await pid("a"), await pid("b"), await pid("c")
        assert len({a, b, c}) == 3  # new images spread over idle workers, oldest first
        assert [await pid("b"), await pid("a"), await pid("c"), await pid("a")] == [b, a, c, a]
        assert await pid("d") == b  # a new image displaces the longest idle one
        await sup.close()

    run(body)


def test_a_restarted_worker_is_no_longer_preferred_for_its_old_image(png: bytes) -> None:
    async def body() -> None:
        sup = Supervisor(spec(size=2))
        await sup.start()
        first = int((await sup.call("info", affinity="img"))["pid"])
        await sup.call("info", affinity="other")  # the second worker
        with pytest.raises(WorkerFault):
            await sup.call("faults:extract", fault(png, "abort"), affinity="img")  # on the first: it dies
        assert first not in sup.pids()
        assert all(c.affinity != "img" for c in sup.children)
        await sup.close()

    run(body)
