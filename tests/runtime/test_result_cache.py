"""The result cache: a re-run does no pixel work; a new version or config misses exactly its entries."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from designlens.cache import DiskCache, cache_key, config_hash
from designlens.pipeline import extract
from designlens.runtime.options import RuntimeOptions
from designlens.tokens.dtcg import dumps
from tests.runtime.rt_helpers import make_screens

TYPES = ("color", "faults")


@pytest.fixture
def shots(tmp_path: Path) -> list[str]:
    return [str(p) for p in make_screens(tmp_path / "shots", [f"s{i}.png" for i in range(4)])]


def test_second_run_over_the_same_images_calls_no_extractor(
    faultplug: None, shots: list[str], tmp_path: Path
) -> None:
    first = extract(shots, types=TYPES, cache=tmp_path / "cache", runtime=RuntimeOptions(workers=1))
    assert first.stats["instances"]["run"] == 8
    # A worker that cannot even start: any extractor call would fail the run.
    no_workers = RuntimeOptions(workers=1, worker_argv=("/nonexistent/worker",))
    second = extract(shots, types=TYPES, cache=tmp_path / "cache", runtime=no_workers)
    assert second.failures == []
    assert second.stats["pools"] == {}  # no worker pool was ever started
    assert second.stats["instances"]["cached"] == 8
    assert dumps(second.tokens) == dumps(first.tokens)


def test_changed_config_invalidates_only_that_extractors_entries(
    faultplug: None, shots: list[str], tmp_path: Path
) -> None:
    extract(shots, types=TYPES, cache=tmp_path / "cache", runtime=RuntimeOptions(workers=1))
    again = extract(shots, types=TYPES, config={"faults": {"add": 1}}, cache=tmp_path / "cache",
                    runtime=RuntimeOptions(workers=1))
    assert again.stats["instances"]["cached"] == 4 and again.stats["instances"]["run"] == 4
    assert all(t.value == 241 for t in again.tokens if t.name.startswith("faults."))


def test_new_extractor_version_invalidates_only_its_entries(
    faultplug: None, shots: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extract(shots, types=TYPES, cache=tmp_path / "cache", runtime=RuntimeOptions(workers=1))
    monkeypatch.setenv("FAULTPLUG_VERSION", "2.0")
    again = extract(shots, types=TYPES, cache=tmp_path / "cache", runtime=RuntimeOptions(workers=1))
    assert again.stats["instances"]["cached"] == 4 and again.stats["instances"]["run"] == 4


def test_cache_key_depends_on_image_extractor_and_config() -> None:
    base = cache_key("a" * 64, "color@1", config_hash({"x": 1}, scale="auto"))
    assert base == cache_key("a" * 64, "color@1", config_hash({"x": 1}, scale="auto"))
    assert base != cache_key("b" * 64, "color@1", config_hash({"x": 1}, scale="auto"))
    assert base != cache_key("a" * 64, "color@2", config_hash({"x": 1}, scale="auto"))
    assert base != cache_key("a" * 64, "color@1", config_hash({"x": 2}, scale="auto"))
    assert base != cache_key("a" * 64, "color@1", config_hash({"x": 1}, scale=2.0))


def test_torn_cache_entry_is_a_miss_not_an_error(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path)
    cache.put("ab" * 32, {"tokens": []})
    assert cache.get("ab" * 32) == {"tokens": []}
    path = next(tmp_path.rglob("*.msgpack"))
    path.write_bytes(path.read_bytes()[:3])
    assert cache.get("ab" * 32) is None
    path.write_bytes(msgspec.msgpack.encode(["not", "a", "result"]))  # whole, but not an entry
    assert cache.get("ab" * 32) is None
    assert cache.get("cd" * 32) is None  # never written
    assert (cache.hits, cache.misses) == (1, 3)
