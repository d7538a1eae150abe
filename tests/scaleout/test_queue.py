"""The shared queue on the real PostgreSQL: leases, SKIP LOCKED claims, takeover, idempotent results,
and `designlens worker` processes sharing one job while one is SIGKILLed or the server drops them."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa

from designlens.store import database_url
from designlens.store.database import Store, current_revision, downgrade, migrate
from designlens.store.queue import WorkQueue
from tests.runtime.rt_helpers import make_screens
from tests.scaleout.so_helpers import log_lines, pg_admin, run, start, tokens_json, wait_for


def _queue_rows(store: Store, n: int, job: str = "job1") -> list[str]:
    with store.transaction() as conn:
        store.jobs.create(conn, job, "k", {"types": ["slow"]}, "test")
    ids = []
    for i in range(n):
        image = {"id": f"img{i:03d}", "source": f"s{i}.png", "size": 3, "data": b"abc"}
        row = {"id": f"{job}-{i:03d}", "job_id": job, "image_id": image["id"], "source": image["source"],
               "token_type": "slow", "extractor": "slow@1.0", "config_hash": "c"}
        WorkQueue(store).enqueue(row, image)
        ids.append(row["id"])
    return ids


def test_concurrent_claims_on_postgresql_never_hand_one_instance_to_two_workers(pg: tuple[str, str]) -> None:
    store = Store(pg[0])
    ids = _queue_rows(store, 60)
    taken: dict[str, list[str]] = {}

    def claimer(name: str) -> None:
        queue = WorkQueue(Store(pg[0]), lease=60)
        while claims := queue.claim(name, limit=2):
            taken.setdefault(name, []).extend(c.id for c in claims)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    every = [i for ids_ in taken.values() for i in ids_]
    assert sorted(every) == ids  # each claimed exactly once, none left
    assert len(taken) > 1  # the claims really were shared
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The queue also works on the embedded SQLite store (one machine, several worker processes)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.sqlite'}"
    url: str = request.getfixturevalue("pg")[0]
    return url


def test_an_expired_lease_is_taken_over_and_the_late_owner_cannot_finish(any_store: str) -> None:
    store = Store(any_store)
    (iid,) = _queue_rows(store, 1)
    queue = WorkQueue(store, lease=0.5)
    (first,) = queue.claim("dead")
    assert queue.claim("other") == []  # the lease is live
    time.sleep(0.7)
    (second,) = queue.claim("other")
    assert second.id == iid and second.attempts == 2
    token = {"name": "slow.x", "type": "number", "value": 1}
    assert not queue.complete("dead", first, "complete", None, 0.1, 1.0, (1, 1), [token])
    assert queue.complete("other", second, "complete", None, 0.1, 1.0, (1, 1), [token])
    assert queue.complete("other", second, "complete", None, 0.1, 1.0, (1, 1), [token]) is False
    (done,) = queue.finished([iid])
    assert done.status == "complete" and len(done.tokens) == 1
    store.close()


def test_an_instance_that_kills_every_worker_fails_after_three_leases(pg: tuple[str, str]) -> None:
    store = Store(pg[0])
    (iid,) = _queue_rows(store, 1)
    queue = WorkQueue(store, lease=0.2)
    for _ in range(3):
        assert queue.claim("doomed")
        time.sleep(0.3)
    assert queue.claim("next") == []
    (done,) = queue.finished([iid])
    assert done.status == "failed" and "3 times" in (done.error or "")
    store.close()


def test_migrations_go_up_and_down_on_postgresql(pg: tuple[str, str]) -> None:
    store = Store(pg[0])
    assert current_revision(store.engine) == "0003"
    assert "warnings" in {c["name"] for c in sa.inspect(store.engine).get_columns("instances")}
    downgrade(store.engine, "0002")
    assert "warnings" not in {c["name"] for c in sa.inspect(store.engine).get_columns("instances")}
    assert "data" in {c["name"] for c in sa.inspect(store.engine).get_columns("images")}
    downgrade(store.engine, "0001")
    assert current_revision(store.engine) == "0001"
    assert "data" not in {c["name"] for c in sa.inspect(store.engine).get_columns("images")}
    downgrade(store.engine, "base")
    assert current_revision(store.engine) is None
    migrate(store.engine)
    assert current_revision(store.engine) == "0003"
    store.close()


def test_asyncpg_urls_open_the_same_postgresql_store() -> None:
    url = database_url("postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    assert url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _instances(url: str) -> list[dict[str, object]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT i.id, i.source, i.status, i.attempts, "
            "(SELECT count(*) FROM tokens t WHERE t.instance_id = i.id) AS raw FROM instances i"
        )).mappings().all()
    engine.dispose()
    return [dict(r) for r in rows]


def _child_pids(proc: subprocess.Popen[str]) -> set[int]:
    try:
        return {c.pid for c in psutil.Process(proc.pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


@pytest.mark.timeout(300)
def test_two_workers_share_a_job_and_a_sigkilled_one_loses_nothing(
    pg: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = pg
    names = [f"s{i:02d}.png" for i in range(9)] + ["m-slowest.png"]
    make_screens(tmp_path / "imgs", names)
    local = run(["extract", "imgs", "-o", "out_local", "--types", "slow", "--formats", "dtcg", "--no-cache",
                 "--db", str(tmp_path / "local.sqlite")], tmp_path)
    assert local.returncode == 0, local.stderr
    runs = tmp_path / "runs.log"
    extra = {"SLOWPLUG_LOG": str(runs), "SLOWPLUG_SECONDS": "0.3", "SLOWPLUG_SLOWEST": "4"}
    job = start(["extract", "imgs", "-o", "out", "--types", "slow", "--formats", "dtcg", "--no-cache",
                 "--db", url, "--backend", "queue"], tmp_path, "job.log", **extra)
    workers = [start(["worker", "--db", url, "--lease", "2"], tmp_path, f"w{i}.log", **extra)
               for i in range(2)]
    try:
        line = wait_for(lambda: next((x for x in runs.read_text().splitlines() if "slowest" in x), None)
                        if runs.exists() else None, 120, "the slow instance to start")
        pid = int(line.split()[1])
        victim = next(w for w in workers if pid in _child_pids(w))
        victim.send_signal(signal.SIGKILL)  # mid-instance: it sleeps 4 s after logging
        assert job.wait(180) == 0, (tmp_path / "job.log").read_text()
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(60)
        if job.poll() is None:
            job.kill()
    survivor = next(w for w in workers if w is not victim)
    assert survivor.returncode == 0
    rows = _instances(url)
    assert len(rows) == len(names)
    assert all(r["status"] == "complete" and r["raw"] == 1 for r in rows), rows  # done once, one token each
    slowest = next(r for r in rows if "slowest" in str(r["source"]))
    assert slowest["attempts"] == 2  # the killed worker's claim was taken over after its lease expired
    assert log_lines(runs).count("m-slowest.png") == 2
    assert tokens_json(tmp_path / "out") == tokens_json(tmp_path / "out_local")


@pytest.mark.timeout(300)
def test_a_job_finishes_after_postgresql_drops_every_connection_mid_job(
    pg: tuple[str, str], tmp_path: Path
) -> None:
    url, app = pg
    make_screens(tmp_path / "imgs", [f"s{i:02d}.png" for i in range(12)])
    runs = tmp_path / "runs.log"
    extra = {"SLOWPLUG_LOG": str(runs), "SLOWPLUG_SECONDS": "0.3"}
    job = start(["extract", "imgs", "-o", "out", "--types", "slow", "--formats", "dtcg", "--no-cache",
                 "--db", url, "--backend", "queue"], tmp_path, "job.log", **extra)
    worker = start(["worker", "--db", url, "--lease", "5"], tmp_path, "w.log", **extra)
    admin = pg_admin()
    try:
        wait_for(lambda: len(log_lines(runs)) >= 6, 120, "a third of the batch")
        with admin.begin() as conn:
            killed = conn.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :app"
            ), {"app": app}).scalar_one()
        assert killed >= 2  # the coordinator's and the worker's connections
        assert job.wait(180) == 0, (tmp_path / "job.log").read_text()
    finally:
        admin.dispose()
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
        if job.poll() is None:
            job.kill()
    rows = _instances(url)
    assert len(rows) == 12 and all(r["status"] == "complete" and r["raw"] == 1 for r in rows)
    assert len(log_lines(runs)) // 2 >= 12  # each image ran (lines are `name pid`)


@pytest.mark.timeout(180)
def test_extractor_warnings_travel_through_the_queue_to_the_cli(pg: tuple[str, str], tmp_path: Path) -> None:
    """A queue worker's `InstanceOutput.warnings` reach the coordinator's stderr and --json."""
    import json

    from PIL import Image

    url, _ = pg
    Image.new("RGB", (640, 400), "#ffffff").save(tmp_path / "blank.png")  # typography finds no text
    worker = start(["worker", "--db", url, "--idle-exit", "20"], tmp_path, "w.log")
    try:
        res = run(["extract", "blank.png", "-o", "out", "--types", "typography,color", "--formats", "dtcg",
                   "--no-cache", "--db", url, "--backend", "queue", "--json"], tmp_path)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(60)
    assert res.returncode == 0, res.stderr
    said = json.loads(res.stdout)["images"][0]["warnings"]
    assert any(w.startswith("typography: ") and "no text lines" in w for w in said), said
    assert any(line.startswith("warning: ") and "blank.png" in line and "no text lines" in line
               for line in res.stderr.splitlines()), res.stderr
    stored = [r for r in _instances(url) if r["status"] == "complete"]
    assert len(stored) == 2
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        query = sa.text("SELECT warnings FROM instances WHERE token_type = 'typography'")
        kept = conn.execute(query).scalar()
    engine.dispose()
    assert kept and "no text lines" in kept[0]


def test_workers_skip_a_cancelled_jobs_queued_instances_and_a_resumed_job_queues_them_again(
    any_store: str,
) -> None:
    store = Store(any_store)
    ids = _queue_rows(store, 5)
    queue = WorkQueue(store, lease=60)
    (running,) = queue.claim("w1")
    with store.transaction() as conn:
        assert store.jobs.request_cancel(conn, "job1")  # what DELETE /jobs/{id} and the CLI's cancel do
    assert queue.claim("w2", limit=10) == []  # a cancelling job's instances are not handed out
    assert queue.withdraw("job1") == 4  # and its coordinator (or the service) takes them off the queue
    with store.transaction() as conn:
        states = {r["id"]: r["status"] for r in store.instances.of_job(conn, "job1")}
        store.jobs.set_status(conn, "job1", "cancelled")
    assert states == {i: "running" if i == running.id else "cancelled" for i in ids}
    assert queue.claim("w2", limit=10) == []
    token = {"name": "slow.x", "type": "number", "value": 1}
    assert queue.complete("w1", running, "complete", None, 0.1, 1.0, (1, 1), [token])  # kept
    with store.transaction() as conn:  # resumed: running again, its withdrawn instances queued anew
        store.jobs.set_status(conn, "job1", "running")
    rows = {r["id"]: r for r in _rows(store, "job1")}
    for i in ids:
        image = {"id": rows[i]["image_id"], "source": rows[i]["source"], "size": 3, "data": b"abc"}
        row = {k: rows[i][k] for k in ("id", "job_id", "image_id", "source", "token_type", "extractor",
                                         "config_hash")}
        queue.enqueue(row, image)
    assert sorted(c.id for c in queue.claim("w2", limit=10)) == sorted(set(ids) - {running.id})
    store.close()


def _rows(store: Store, job: str) -> list[dict[str, object]]:
    with store.transaction() as conn:
        return [dict(r) for r in store.instances.of_job(conn, job)]


@pytest.mark.timeout(180)
def test_a_cancelled_queue_job_withdraws_its_queued_instances_so_no_worker_runs_them(
    pg: tuple[str, str], tmp_path: Path
) -> None:
    url, _ = pg
    make_screens(tmp_path / "imgs", [f"s{i:02d}.png" for i in range(6)])
    runs = tmp_path / "runs.log"
    job = start(["extract", "imgs", "-o", "out", "--types", "slow", "--formats", "dtcg", "--no-cache",
                 "--db", url, "--backend", "queue"], tmp_path, "job.log", SLOWPLUG_LOG=str(runs))
    engine = sa.create_engine(url)
    try:
        def queued() -> int:
            try:
                with engine.connect() as conn:
                    query = sa.text("SELECT count(*) FROM instances WHERE status = 'queued'")
                    return int(conn.execute(query).scalar_one())
            except sa.exc.ProgrammingError:  # the coordinator has not created the tables yet
                return 0

        wait_for(lambda: queued() == 6, 120, "the coordinator to queue every instance (no worker runs)")
        with engine.begin() as conn:  # the cancel lever the service's DELETE pulls
            conn.execute(sa.text("UPDATE jobs SET status = 'cancelling'"))
        assert job.wait(120) != 0, (tmp_path / "job.log").read_text()
        with engine.connect() as conn:
            states = [r[0] for r in conn.execute(sa.text("SELECT status FROM instances"))]
            status = conn.execute(sa.text("SELECT status FROM jobs")).scalar_one()
        assert status == "cancelled" and states == ["cancelled"] * 6
        worker = run(["worker", "--db", url, "--idle-exit", "1"], tmp_path, SLOWPLUG_LOG=str(runs))
        assert worker.returncode == 0, worker.stderr
        assert log_lines(runs) == []  # nothing ran
    finally:
        engine.dispose()
        if job.poll() is None:
            job.kill()
