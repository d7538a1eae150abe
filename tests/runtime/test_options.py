"""Workers share the cores: each gets its share of library threads, not all of them."""

from __future__ import annotations

import pytest

from designlens.runtime import options
from designlens.runtime.options import THREAD_VARS, RuntimeOptions


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(options.os, "cpu_count", lambda: 8)


def test_each_worker_gets_its_share_of_the_cores_for_library_threads() -> None:
    for workers, threads in ((1, "8"), (2, "4"), (3, "2"), (8, "1"), (16, "1")):
        default, _ = RuntimeOptions(workers=workers).pools()
        assert default.env is not None
        assert {default.env[v] for v in THREAD_VARS} == {threads}, workers


def test_routed_workers_count_towards_the_share() -> None:
    default, routes = RuntimeOptions(workers=2, routes={"color": ("node", "w.js")}).pools()
    assert default.env is not None and routes["color"].env is not None
    assert default.env["OMP_NUM_THREADS"] == routes["color"].env["OMP_NUM_THREADS"] == "2"


def test_thread_counts_the_user_set_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    default, _ = RuntimeOptions(workers=2, env={"OPENCV_FOR_THREADS_NUM": "5"}).pools()
    assert default.env is not None
    assert "OMP_NUM_THREADS" not in default.env  # the worker inherits the user's 3
    assert default.env["OPENCV_FOR_THREADS_NUM"] == "5"
    assert default.env["OPENBLAS_NUM_THREADS"] == "4"
