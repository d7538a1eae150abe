"""Two real API processes (`designlens serve`, uvicorn) on one PostgreSQL and one Redis: a job
submitted to one, its SSE stream read from the other through the Redis log stream, complete
and in order; Last-Event-ID resumes across them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
import redis

from designlens.pipeline import extract
from tests.api.conftest import LiveServer, png_bytes, read_sse, wait_status
from tests.scaleout.so_helpers import REDIS, SLOWPLUG, restart_redis

pytestmark = pytest.mark.timeout(180)
BUS = f"{REDIS}/0"


@pytest.fixture
def prefix() -> Iterator[str]:
    tag = f"dltest-sse-{uuid.uuid4().hex[:8]}"
    yield tag
    client = redis.Redis.from_url(BUS)
    keys = list(client.scan_iter(f"{tag}:*"))
    if keys:
        client.delete(*keys)
    client.close()


def events(url: str, last_id: str | None = None) -> list[dict[str, Any]]:
    """The whole SSE stream (until the server ends it), keep-alive comments left out."""
    headers = {"Last-Event-ID": last_id} if last_id else {}
    with httpx2.stream("GET", url, headers=headers, timeout=httpx2.Timeout(30, read=30)) as res:
        assert res.status_code == 200, res.read()
        return [e for e in read_sse(res.iter_lines()) if "comment" not in e]


def metric(server: LiveServer, name: str) -> float:
    text = httpx2.get(f"{server.url}/metrics", timeout=10).text
    line = next(x for x in text.splitlines() if x.startswith(name))
    return float(line.rsplit(" ", 1)[1])


def test_an_api_process_streams_a_job_another_runs_through_the_redis_bus(
    pg: tuple[str, str], prefix: str, tmp_path: Path
) -> None:
    db, _ = pg
    env = {"DESIGNLENS_BUS_PREFIX": prefix, "DESIGNLENS_RATE_LIMIT": "0"}
    args = ("--bus", BUS)
    runner = LiveServer(tmp_path, db=db, env=env, args=args).start()
    reader = LiveServer(tmp_path, db=db, env=env, args=args).start()
    try:
        files = [("files", (f"s{i}.png", png_bytes(640 + 32 * i, 400), "image/png")) for i in range(4)]
        created = httpx2.post(f"{runner.url}/api/v1/jobs", files=files, data={"types": "color,layout"},
                              timeout=30)
        assert created.status_code == 202, created.text
        job_id, path = created.json()["id"], created.json()["events_url"]

        got = events(reader.url + path)  # the other process, from the start, while the job runs
        names = [e["event"] for e in got]
        assert names[0] == "job.created" and names[-1] == "job.completed", names
        assert names.count("instance.completed") == 8
        ids = [int(e["id"]) for e in got]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)

        # The same events, same ids, as the process that ran the job (and so as its job log) has.
        theirs = events(runner.url + path)
        assert [(e["id"], e["event"], e["data"]) for e in theirs] == [
            (e["id"], e["event"], e["data"]) for e in got
        ]
        # ... and Redis's log stream holds them with the store's ids: the reader read it, not only the store.
        client = redis.Redis.from_url(BUS)
        entries = client.xrange(f"{prefix}:log:{job_id}")
        client.close()
        assert [int(i.decode().split("-")[0]) for i, _ in entries] == ids
        assert metric(reader, 'designlens_sse_reads{source="bus"}') >= 1

        # Last-Event-ID resumes across processes: exactly the events after it, none repeated.
        cut = got[len(got) // 2]["id"]
        assert events(runner.url + path, cut) == [e for e in got if int(e["id"]) > int(cut)]
        cut = got[3]["id"]
        assert events(reader.url + path, cut) == [e for e in got if int(e["id"]) > int(cut)]

        status = wait_status(lambda p: httpx2.get(reader.url + p, timeout=10), job_id, ("completed",))
        assert status["counts"]["complete"] == 8
    finally:
        runner.stop()
        reader.stop()


def test_a_feed_falls_back_to_the_store_for_what_the_stream_lacks(
    pg: tuple[str, str], prefix: str, tmp_path: Path
) -> None:
    """A job whose log never reached Redis (run before the bus was configured): the stream is
    served whole from the store, not lost; and a stream whose head was trimmed is filled in."""
    import asyncio

    from designlens.api.sse import Feeds
    from designlens.bus.redis import LogRelay, LogSource
    from designlens.store.database import Store

    image = tmp_path / "a.png"
    image.write_bytes(png_bytes(320, 200))
    result = extract([str(image)], types=("color",), db=db_url(pg))
    store = Store(db_url(pg))

    def read(job_id: str, after: int) -> list[Any]:
        with store.transaction() as conn:
            return store.events.after(conn, job_id, after)

    logged = read(result.job_id, 0)

    async def follow(after: int) -> list[int]:
        feeds = Feeds(LogSource(BUS, read, prefix=prefix, block=0.2, fallback=0.5))
        try:
            stream = feeds.stream(result.job_id, after, 5.0, lambda e: e.name)
            return [item.seq async for batch in stream if batch for item in batch]
        finally:
            await feeds.close()

    assert asyncio.run(follow(0)) == [e.seq for e in logged]  # nothing on Redis at all
    relay = LogRelay(BUS, read, prefix=prefix)
    relay.publish(result.job_id, logged[2:])  # the head is missing (trimmed)
    assert asyncio.run(follow(0)) == [e.seq for e in logged]
    assert asyncio.run(follow(logged[1].seq)) == [e.seq for e in logged[2:]]
    assert relay.relay(result.job_id) == 0  # what Redis holds is not sent again
    relay.close()
    store.close()


def db_url(pg: tuple[str, str]) -> str:
    return pg[0]


@pytest.mark.timeout(300)
def test_the_sse_stream_through_the_redis_bus_survives_a_redis_restart_mid_job(
    pg: tuple[str, str], prefix: str, tmp_path: Path
) -> None:
    """Redis restarted (forgetting every stream) while a job runs and another API process
    streams it: the stream still ends with job.completed, every event once, in order, the same
    as the job log the running process serves."""
    db, _ = pg
    env = {"DESIGNLENS_BUS_PREFIX": prefix, "DESIGNLENS_RATE_LIMIT": "0", "PYTHONPATH": str(SLOWPLUG),
           "SLOWPLUG_SECONDS": "0.3"}
    runner = LiveServer(tmp_path, db=db, env=env, args=("--bus", BUS)).start()
    reader = LiveServer(tmp_path, db=db, env=env, args=("--bus", BUS)).start()
    try:
        files = [("files", (f"s{i}.png", png_bytes(320 + 16 * i, 200), "image/png")) for i in range(12)]
        created = httpx2.post(f"{runner.url}/api/v1/jobs", files=files, data={"types": "slow"}, timeout=30)
        assert created.status_code == 202, created.text
        job_id, path = created.json()["id"], created.json()["events_url"]
        got: list[dict[str, Any]] = []
        restarted = False
        with httpx2.stream("GET", reader.url + path, timeout=httpx2.Timeout(60, read=60)) as res:
            assert res.status_code == 200
            for event in read_sse(res.iter_lines()):
                if "comment" in event:
                    continue
                got.append(event)
                done = sum(e["event"] == "instance.completed" for e in got)
                if not restarted and done == 3:
                    restart_redis()  # mid-job: the server forgets the job's log stream
                    restarted = True
        assert restarted, [e["event"] for e in got]
        names = [e["event"] for e in got]
        assert names[0] == "job.created" and names[-1] == "job.completed", names
        assert names.count("instance.completed") == 12
        ids = [int(e["id"]) for e in got]
        assert ids == sorted(set(ids))  # in order, none twice
        theirs = events(runner.url + path)  # the running process's own log, after the fact
        assert [(e["id"], e["event"], e["data"]) for e in theirs] == [
            (e["id"], e["event"], e["data"]) for e in got
        ]
        assert wait_status(lambda p: httpx2.get(reader.url + p, timeout=10), job_id, ("completed",))
    finally:
        runner.stop()
        reader.stop()
