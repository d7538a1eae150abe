"""The Redis Streams bus and the Redis cache on the real server: consumer groups, ack, XAUTOCLAIM,
trimming, a server restart mid-job, and a cache server that goes away."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from designlens.bus.redis import RedisBus, StreamReader
from designlens.cache import cache_key
from designlens.cache_redis import RedisCache
from designlens.events import Event, EventBus
from designlens.pipeline import extract
from tests.runtime.rt_helpers import make_screens
from tests.scaleout.so_helpers import REDIS, SLOWPLUG, restart_redis, run, wait_for


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own, so parallel runs on the shared server never meet; removed after."""
    value = f"dltest:{uuid.uuid4().hex[:10]}"
    yield value
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"{value}:*"):
        client.delete(key)


def test_events_reach_a_consumer_group_in_order_and_acked_ones_are_not_redelivered(prefix: str) -> None:
    bus = RedisBus(REDIS, prefix=prefix)
    for i in range(5):
        bus.publish("instance.completed", "j1", {"i": i})
    reader = StreamReader(REDIS, "g", "c1", "j1", prefix=prefix)
    got = reader.read(count=3, block_ms=100)
    assert [d.event.data["i"] for d in got] == [0, 1, 2] and got[0].event.name == "instance.completed"
    reader.ack(got)
    rest = reader.read(block_ms=100)
    assert [d.event.data["i"] for d in rest] == [3, 4]
    assert reader.claim_stale(0) == rest  # not acked yet: still pending, so claimable
    reader.ack(rest)
    assert reader.read(block_ms=100) == [] and reader.claim_stale(0) == []
    everything = StreamReader(REDIS, "all", "c", None, prefix=prefix).read(block_ms=100)
    assert len(everything) == 5  # the global stream has every job's events


def test_a_dead_consumers_unacked_events_are_claimed_by_another_with_xautoclaim(prefix: str) -> None:
    bus = RedisBus(REDIS, prefix=prefix)
    for i in range(250):  # more than one XAUTOCLAIM page: the cursor is looped
        bus.publish("instance.started", "j2", {"i": i})
    dead = StreamReader(REDIS, "g", "dead", "j2", prefix=prefix)
    assert len(dead.read(count=250, block_ms=100)) == 250  # read, never acked, then "dies"
    alive = StreamReader(REDIS, "g", "alive", "j2", prefix=prefix)
    time.sleep(0.05)
    taken = alive.claim_stale(min_idle_ms=20, count=100)
    assert [d.event.data["i"] for d in taken] == list(range(250))
    alive.ack(taken)
    assert alive.claim_stale(min_idle_ms=0) == []


def test_streams_are_trimmed_to_about_maxlen(prefix: str) -> None:
    bus = RedisBus(REDIS, prefix=prefix, maxlen=100)
    for i in range(1000):
        bus.publish("token.extracted", "j3", {"i": i})
    length = redis.Redis.from_url(REDIS).xlen(f"{prefix}:job:j3")
    assert 100 <= length < 1000


def test_publishing_while_redis_is_unreachable_never_fails_and_delivers_on_return(
    prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    bus = RedisBus(REDIS, prefix=prefix)
    real = bus.client
    bus.client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)  # nothing listens there
    with caplog.at_level(logging.WARNING):
        bus.publish("job.created", "j4", {})
        bus.publish("instance.started", "j4", {})
    assert "unreachable" in caplog.text and len(bus._outbox) == 2
    bus.client = real
    assert bus.flush(5)
    got = StreamReader(REDIS, "g", "c", "j4", prefix=prefix).read(block_ms=100)
    assert [d.event.name for d in got] == ["job.created", "instance.started"]


@pytest.mark.timeout(240)
def test_redis_restarted_mid_job_loses_no_event_and_the_reader_resumes(
    prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(SLOWPLUG))
    monkeypatch.syspath_prepend(str(SLOWPLUG))
    monkeypatch.setenv("SLOWPLUG_SECONDS", "0.15")
    make_screens(tmp_path / "imgs", [f"s{i:02d}.png" for i in range(16)])
    local = EventBus()
    published: list[Event] = []
    local.subscribe(published.append)
    bus = RedisBus(REDIS, prefix=prefix, local=local)
    job_id: list[str] = []
    local.subscribe(lambda e: job_id.append(e.job_id), "job.created")
    outcome: list[object] = []

    def job() -> None:
        try:
            outcome.append(extract([str(tmp_path / "imgs")], types=["slow"], bus=bus,  # type: ignore[arg-type]
                                   db=str(tmp_path / "j.sqlite"), workers=1))
            bus.flush(30)
        except BaseException as exc:
            outcome.append(exc)

    runner = threading.Thread(target=job)
    runner.start()
    wait_for(lambda: job_id, 60, "the job to start")
    reader = StreamReader(REDIS, "sse", "c1", job_id[0], prefix=prefix)
    received: list[Event] = []
    before = redis.Redis.from_url(REDIS).info("server")["run_id"]
    for event in reader.follow(lambda e: e.name == "job.completed"):
        received.append(event)
        if event.name == "instance.completed" and sum(e.name == "instance.completed" for e in received) == 5:
            restart_redis()  # mid-job: the server forgets its streams
    assert redis.Redis.from_url(REDIS).info("server")["run_id"] != before
    runner.join(120)
    assert outcome and not isinstance(outcome[0], BaseException), outcome
    assert bus.restarts_seen >= 1
    assert [(e.seq, e.name) for e in received] == [(e.seq, e.name) for e in published]  # all, once, in order


def test_redis_cache_round_trips_and_evicts_the_least_recently_used_over_its_cap(prefix: str) -> None:
    cache = RedisCache(REDIS, prefix=prefix, max_bytes=3000)
    value = {"image_id": "x", "tokens": ["t" * 900]}
    keys = [cache_key(f"img{i}", "color@1", "c") for i in range(5)]
    cache.put(keys[0], value)
    assert cache.get(keys[0]) == value and cache.hits == 1
    for k in keys[1:]:
        time.sleep(0.01)
        cache.put(k, value)
    assert cache.size() <= 3000
    assert cache.get(keys[0]) is None and cache.get(keys[1]) is None  # the oldest went first
    assert cache.get(keys[4]) == value


def test_redis_cache_entries_expire_after_their_ttl(prefix: str) -> None:
    cache = RedisCache(REDIS, prefix=prefix, ttl=1)
    cache.put("k", {"a": 1})
    assert cache.get("k") == {"a": 1}
    time.sleep(1.3)
    assert cache.get("k") is None


def test_a_cache_server_that_goes_away_degrades_to_no_cache_and_the_job_succeeds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_screens(tmp_path / "imgs", ["a.png", "b.png"])
    cache = RedisCache("redis://127.0.0.1:1/0")  # a port nothing listens on
    with caplog.at_level(logging.WARNING):
        result = extract([str(tmp_path / "imgs")], types=["color"], cache=cache, workers=1)
    assert not result.failures and len(result.tokens) > 0
    assert "running without a cache" in caplog.text and cache.degraded >= 1 and cache.hits == 0


def test_a_second_run_with_the_redis_cache_does_no_pixel_work(prefix: str, tmp_path: Path) -> None:
    make_screens(tmp_path / "imgs", ["a.png", "b.png", "c.png"])
    imgs = [str(tmp_path / "imgs")]
    first = extract(imgs, types=["color"], cache=RedisCache(REDIS, prefix=prefix), workers=1)
    second = extract(imgs, types=["color"], cache=RedisCache(REDIS, prefix=prefix), workers=1)
    assert first.stats["instances"]["run"] == 3 and second.stats["instances"]["cached"] == 3
    assert second.stats["instances"]["run"] == 0
    assert [t.name for t in first.tokens] == [t.name for t in second.tokens]


def test_the_cli_takes_a_redis_cache_url_and_an_unreachable_one_only_warns(tmp_path: Path) -> None:
    make_screens(tmp_path / "imgs", ["a.png", "b.png"])
    cli = run(["extract", "imgs", "-o", "out", "--types", "color", "--formats", "dtcg",
               "--cache", "redis://127.0.0.1:1/0", "--db", str(tmp_path / "j.sqlite")], tmp_path)
    assert cli.returncode == 0, cli.stderr
    assert "running without a cache" in cli.stderr and (tmp_path / "out" / "tokens.json").exists()
