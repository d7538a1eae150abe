"""Repositories: idempotent instance results, the event log, job status and cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from designlens.store.database import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'repo.sqlite'}")
    with s.transaction() as conn:
        s.jobs.create(conn, "job1", "key1", {"paths": []}, "host:1")
        s.images.add(conn, [{"id": "i1", "source": "a.png", "size": 10}])
        s.instances.add(conn, [{"id": "n1", "job_id": "job1", "image_id": "i1", "source": "a.png",
                                "token_type": "color", "extractor": "color@1", "config_hash": "h"}])
    return s


def _token(name: str) -> dict[str, object]:
    return {"name": name, "type": "color", "value": {"hex": "#000000"}}


def test_writing_an_instances_tokens_twice_keeps_one_copy(store: Store) -> None:
    with store.transaction() as conn:
        store.tokens.replace_raw(conn, "job1", "n1", [_token("color.a"), _token("color.b")])
        store.tokens.replace_raw(conn, "job1", "n1", [_token("color.a"), _token("color.b")])
        assert store.tokens.count(conn, "job1", "raw") == 2
        raw = store.tokens.raw_of_instances(conn, ["n1"])["n1"]
        assert [t["name"] for t in raw] == ["color.a", "color.b"]


def test_adding_an_instance_again_keeps_its_state(store: Store) -> None:
    with store.transaction() as conn:
        store.instances.finish(conn, "n1", "complete", None, 0.5, 1)
        store.instances.add(conn, [{"id": "n1", "job_id": "job1", "image_id": "i1", "source": "a.png",
                                    "token_type": "color", "extractor": "color@1", "config_hash": "h"}])
        assert store.instances.counts(conn, "job1") == {"complete": 1}


def test_event_versions_are_unique_per_job(store: Store) -> None:
    row = {"job_id": "job1", "version": 1, "name": "job.created", "data": {}, "at": 0.0}
    with store.transaction() as conn:
        store.events.append(conn, [row])
    with pytest.raises(IntegrityError), store.transaction() as conn:
        store.events.append(conn, [row])


def test_events_after_a_sequence_resume_a_stream(store: Store) -> None:
    with store.transaction() as conn:
        store.jobs.create(conn, "job2", "key2", {}, "host:1")
        rows = [{"job_id": j, "version": v, "name": "instance.started", "data": {"v": v}, "at": 0.0}
                for v in (1, 2, 3) for j in ("job1", "job2")]
        store.events.append(conn, rows)
        mine = store.events.after(conn, "job1")
        assert [e.data["v"] for e in mine] == [1, 2, 3]
        assert [e.data["v"] for e in store.events.after(conn, "job1", mine[0].seq)] == [2, 3]
        assert store.events.last_version(conn, "job2") == 3


def test_cancel_is_asked_of_a_running_job_only(store: Store) -> None:
    with store.transaction() as conn:
        assert store.jobs.request_cancel(conn, "job1") is True
        assert store.jobs.status(conn, "job1") == "cancelling"
        store.jobs.set_status(conn, "job1", "completed")
        assert store.jobs.request_cancel(conn, "job1") is False


def test_latest_unfinished_job_is_found_by_key(store: Store) -> None:
    with store.transaction() as conn:
        assert store.jobs.latest_unfinished(conn, "key1") is not None
        store.jobs.set_status(conn, "job1", "completed")
        assert store.jobs.latest_unfinished(conn, "key1") is None
