"""Choosing a backend: by flag or environment, clear errors, and queue workers woken by the bus."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from designlens.errors import UsageError
from designlens.pipeline import extract
from designlens.runtime.options import RuntimeOptions
from tests.runtime.rt_helpers import make_screens
from tests.scaleout.so_helpers import REDIS, run, start, tokens_json


def test_the_service_picks_its_backend_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DESIGNLENS_BACKEND", "ray")
    monkeypatch.setenv("DESIGNLENS_RAY_ADDRESS", "ray://head:10001")
    options = RuntimeOptions(workers=2)
    assert options.backend == "ray" and options.ray_address == "ray://head:10001"
    monkeypatch.delenv("DESIGNLENS_BACKEND")
    assert RuntimeOptions().backend == "local"


def test_an_unknown_backend_or_a_queue_without_a_store_is_a_usage_error(tmp_path: Path) -> None:
    make_screens(tmp_path / "imgs", ["a.png"])
    with pytest.raises(UsageError, match="--backend must be one of"):
        extract([str(tmp_path / "imgs")], runtime=RuntimeOptions(backend="spark"))
    with pytest.raises(UsageError, match="needs a shared store"):
        extract([str(tmp_path / "imgs")], runtime=RuntimeOptions(backend="queue"))
    cli = run(["extract", "imgs", "--backend", "spark", "-o", "out"], tmp_path)
    assert cli.returncode == 2 and "--backend must be one of" in cli.stderr


@pytest.mark.timeout(240)
def test_an_idle_worker_is_woken_by_the_bus_instead_of_its_next_poll(
    pg: tuple[str, str], tmp_path: Path
) -> None:
    make_screens(tmp_path / "imgs", [f"s{i}.png" for i in range(4)])
    # polls the store once at start, then only every 10 minutes: only the bus can wake it in time
    worker = start(["worker", "--db", pg[0], "--bus", REDIS, "--poll", "600"], tmp_path, "w.log")
    try:
        time.sleep(3)
        job = run(["extract", "imgs", "-o", "out", "--types", "slow", "--formats", "dtcg", "--no-cache",
                   "--db", pg[0], "--backend", "queue", "--bus", REDIS], tmp_path, timeout=150)
        assert job.returncode == 0, job.stderr
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(60) == 0  # SIGTERM ends an idle worker promptly, not after its poll
    local = run(["extract", "imgs", "-o", "out_local", "--types", "slow", "--formats", "dtcg", "--no-cache",
                 "--db", str(tmp_path / "l.sqlite")], tmp_path)
    assert local.returncode == 0, local.stderr
    assert tokens_json(tmp_path / "out") == tokens_json(tmp_path / "out_local")
