"""The Ray backend on a real local Ray cluster (one per test session): same tokens as the local
backend, and a Ray worker killed mid-task is retried without duplicating its tokens."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.runtime.rt_helpers import make_screens
from tests.scaleout.so_helpers import REDIS, SLOWPLUG, log_lines, run, start, tokens_json, wait_for

RAY_ENV = {"SLOWPLUG_SECONDS": "0.1", "SLOWPLUG_SLOWEST": "4"}


@pytest.fixture(scope="session")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(address, slow plugin's run log) of a local Ray cluster (2 CPUs, no dashboard) whose
    workers see the slow test plugin; Ray workers take their environment from the cluster."""
    import ray

    runs = tmp_path_factory.mktemp("ray") / "runs.log"
    env = {"PYTHONPATH": os.pathsep.join(p for p in (str(SLOWPLUG), os.environ.get("PYTHONPATH")) if p),
           "SLOWPLUG_LOG": str(runs), **RAY_ENV}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:  # the raylet copies the environment when it starts: the rest of the session never sees it
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        yield str(ray.get_runtime_context().gcs_address), runs
    finally:
        ray.shutdown()


def _raw_counts(url: str) -> list[tuple[str, int]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT i.status, (SELECT count(*) FROM tokens t WHERE t.instance_id = i.id) FROM instances i"
        )).all()
    engine.dispose()
    return [(str(s), int(n)) for s, n in rows]


@pytest.mark.timeout(300)
def test_ray_with_postgresql_and_redis_gives_the_same_tokens_json_as_local_with_sqlite(
    ray_cluster: tuple[str, Path], pg: tuple[str, str], tmp_path: Path
) -> None:
    ray_address = ray_cluster[0]
    make_screens(tmp_path / "imgs", [f"s{i:02d}.png" for i in range(8)])
    args = ["extract", "imgs", "--types", "color,layout", "--formats", "dtcg", "--no-cache"]
    local = run([*args, "-o", "out_local", "--db", str(tmp_path / "l.sqlite")], tmp_path)
    assert local.returncode == 0, local.stderr
    on_ray = run([*args, "-o", "out_ray", "--db", pg[0], "--bus", REDIS, "--backend", "ray",
                  "--ray-address", ray_address, "--stats", "--json"], tmp_path)
    assert on_ray.returncode == 0, on_ray.stderr
    assert '"ray"' in on_ray.stdout  # the instances really ran as Ray tasks
    assert tokens_json(tmp_path / "out_ray") == tokens_json(tmp_path / "out_local")
    assert _raw_counts(pg[0]) and all(s == "complete" for s, _ in _raw_counts(pg[0]))


@pytest.mark.timeout(300)
def test_a_ray_worker_killed_mid_task_is_retried_and_its_tokens_are_not_duplicated(
    ray_cluster: tuple[str, Path], tmp_path: Path
) -> None:
    ray_address, runs = ray_cluster
    make_screens(tmp_path / "imgs", [f"s{i:02d}.png" for i in range(5)] + ["m-slowest.png"])
    args = ["extract", "imgs", "--types", "slow", "--formats", "dtcg", "--no-cache"]
    local = run([*args, "-o", "out_local", "--db", str(tmp_path / "l.sqlite")], tmp_path, **RAY_ENV)
    assert local.returncode == 0, local.stderr
    runs.unlink(missing_ok=True)
    db = f"sqlite:///{tmp_path / 'ray.sqlite'}"
    job = start([*args, "-o", "out_ray", "--db", db, "--backend", "ray", "--ray-address", ray_address],
                tmp_path, "job.log")
    try:
        line = wait_for(lambda: next((x for x in runs.read_text().splitlines() if "slowest" in x), None)
                        if runs.exists() else None, 120, "the slow task to start")
        os.kill(int(line.split()[1]), signal.SIGKILL)  # the Ray worker process running it
        assert job.wait(180) == 0, (tmp_path / "job.log").read_text()
    finally:
        if job.poll() is None:
            job.kill()
    assert log_lines(runs).count("m-slowest.png") == 2  # killed once, retried by Ray once
    counts = _raw_counts(db)
    assert len(counts) == 6 and all(c == ("complete", 1) for c in counts)
    assert tokens_json(tmp_path / "out_ray") == tokens_json(tmp_path / "out_local")
