"""Job log and resume: a run killed with SIGKILL, or stopped with SIGTERM, finishes on the next
run without redoing a completed instance and without losing or duplicating a token."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from designlens.pipeline import extract
from designlens.runtime.options import RuntimeOptions
from designlens.store.database import Store
from tests.runtime.rt_helpers import DESIGNLENS, env, make_screens, run_cli

N = 40  # full-size screens: a run lasts long enough to be stopped mid-way, however fast extraction gets


def _args(tmp: Path, db: Path, out: Path) -> list[str]:
    return ["extract", "shots", "--types", "color", "--formats", "dtcg", "-o", str(out), "--db", str(db),
            "--no-cache", "--workers", "1"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """The screenshots, and tokens.json from one uninterrupted run: what a resumed run must equal."""
    tmp = tmp_path_factory.mktemp("resume")
    make_screens(tmp / "shots", [f"screen-{i:02d}.png" for i in range(N)], size=(1280, 800))
    proc = run_cli(_args(tmp, tmp / "fresh.sqlite", tmp / "fresh"), tmp)
    assert proc.returncode == 0, proc.stderr
    return tmp, (tmp / "fresh" / "tokens.json").read_bytes()


def _complete(db: Path) -> set[str]:
    try:
        with sqlite3.connect(db) as conn:
            return {r[0] for r in conn.execute("SELECT id FROM instances WHERE status = 'complete'")}
    except sqlite3.OperationalError:  # not created yet
        return set()


def _start(tmp: Path, db: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([DESIGNLENS, *_args(tmp, db, out)], env=env(tmp), cwd=tmp, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_progress(proc: subprocess.Popen[str], db: Path, at_least: int) -> None:
    deadline = time.monotonic() + 120
    while len(_complete(db)) < at_least:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_run_killed_with_sigkill_resumes_without_redoing_or_losing_work(
    batch: tuple[Path, bytes], tmp_path: Path
) -> None:
    tmp, fresh = batch
    db, out = tmp_path / "killed.sqlite", tmp_path / "out"
    proc = _start(tmp, db, out)
    _wait_for_progress(proc, db, 5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = _complete(db)
    assert 5 <= len(done_before) < N
    with sqlite3.connect(db) as conn:
        (last_seq,) = conn.execute("SELECT max(seq) FROM events").fetchone()
        (job_id,) = conn.execute("SELECT id FROM jobs").fetchone()

    again = run_cli(_args(tmp, db, out), tmp)  # the same command again
    assert again.returncode == 0, again.stderr

    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM jobs").fetchone() == (1,)  # resumed, not a new job
        started_again = {
            json.loads(data)["instance"]
            for (data,) in conn.execute(
                "SELECT data FROM events WHERE seq > ? AND name = 'instance.started'", (last_seq,)
            )
        }
        assert started_again and not started_again & done_before  # no completed instance redone
        assert conn.execute("SELECT count(*) FROM instances WHERE status = 'complete'").fetchone() == (N,)
        assert conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone() == ("completed",)
        dupes = conn.execute(
            "SELECT count(*) FROM (SELECT instance_id, ordinal FROM tokens WHERE stage = 'raw' "
            "GROUP BY instance_id, ordinal HAVING count(*) > 1)"
        ).fetchone()
        assert dupes == (0,)
    assert (out / "tokens.json").read_bytes() == fresh  # nothing lost, nothing doubled


def test_sigterm_stops_dispatch_records_pending_and_resume_by_id_finishes(
    batch: tuple[Path, bytes], tmp_path: Path
) -> None:
    tmp, fresh = batch
    db, out = tmp_path / "stopped.sqlite", tmp_path / "out"
    proc = _start(tmp, db, out)
    _wait_for_progress(proc, db, 3)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    with sqlite3.connect(db) as conn:
        (job_id, status) = conn.execute("SELECT id, status FROM jobs").fetchone()
        pending = conn.execute("SELECT count(*) FROM instances WHERE status = 'pending'").fetchone()[0]
    assert status == "interrupted" and pending > 0
    assert f"resume with: designlens extract --resume {job_id}" in stderr
    assert not out.exists()  # nothing exported from a partial job

    resumed = run_cli(["extract", "--resume", job_id, "--db", str(db), "--no-cache", "--formats", "dtcg",
                       "-o", str(out)], tmp)
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "tokens.json").read_bytes() == fresh


def test_job_log_holds_the_jobs_events_in_order_and_serves_them_after_a_sequence(tmp_path: Path) -> None:
    shots = [str(p) for p in make_screens(tmp_path / "shots", ["a.png", "b.png"])]
    db = f"sqlite:///{tmp_path / 'log.sqlite'}"
    result = extract(shots, db=db)
    store = Store(db)
    with store.transaction() as conn:
        events = store.events.after(conn, result.job_id)
        names = [e.name for e in events]
        assert names[0] == "job.created" and names[-1] == "job.completed"
        assert names.count("instance.started") == 2 and names.count("instance.completed") == 2
        assert [e.version for e in events] == list(range(1, len(events) + 1))
        assert [e.seq for e in events] == sorted(e.seq for e in events)
        later = store.events.after(conn, result.job_id, events[2].seq)
        assert [e.seq for e in later] == [e.seq for e in events[3:]]
        assert store.jobs.status(conn, result.job_id) == "completed"
        assert len(store.tokens.merged(conn, result.job_id)) == len(result.tokens)
    store.close()


def test_cancel_requested_through_the_store_stops_the_job(batch: tuple[Path, bytes], tmp_path: Path) -> None:
    import threading

    from designlens.errors import Interrupted

    tmp, _ = batch
    db = tmp_path / "cancel.sqlite"
    url = f"sqlite:///{db}"
    outcome: list[BaseException | None] = []

    def job() -> None:
        try:
            extract([str(tmp / "shots")], db=url, runtime=RuntimeOptions(workers=1))
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=job)
    thread.start()
    deadline = time.monotonic() + 120
    while len(_complete(db)) < 2:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.05)
    store = Store(url)
    with store.transaction() as conn:
        (job_id,) = conn.execute(sa.text("SELECT id FROM jobs")).one()
        assert store.jobs.request_cancel(conn, job_id)
    thread.join(timeout=120)
    [error] = outcome
    assert isinstance(error, Interrupted) and error.job_id == job_id and error.pending > 0
    with store.transaction() as conn:
        assert store.jobs.status(conn, job_id) == "cancelled"
    store.close()
