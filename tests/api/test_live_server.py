"""A real `designlens serve` on 127.0.0.1 with a streaming client: live order, Last-Event-ID
resume, and a server SIGKILLed mid-job that, restarted, finishes the job losing nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import psutil
import pytest

from designlens.pipeline import extract, render_exports
from designlens.store.database import Store
from tests.api.conftest import LiveServer, png_bytes, read_sse, wait_status

pytestmark = pytest.mark.timeout(150)
TYPES = "color,layout,typography"
SCREENS = 10
INSTANCES = SCREENS * 3  # ten screens, three token types


@pytest.fixture(scope="module")
def busy_screens(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Ten full-size screens: enough work that the job is still running after its first
    instances (the job log flushes every 0.25 s; a job of tiny images can finish in one)."""
    folder = tmp_path_factory.mktemp("busy")
    out = []
    for i in range(SCREENS):
        path = folder / f"screen-{i}.png"
        path.write_bytes(png_bytes(1280 - 16 * i, 800))
        out.append(path)
    return out


def stream_events(
    url: str, last_id: str | None, stop: Callable[[dict[str, Any]], bool] | None = None
) -> list[dict[str, Any]]:
    """Read the SSE stream until it ends (or `stop` says so, or the server dies)."""
    headers = {"Last-Event-ID": last_id} if last_id else {}
    out: list[dict[str, Any]] = []
    try:
        with httpx2.stream("GET", url, headers=headers, timeout=httpx2.Timeout(30, read=30)) as res:
            assert res.status_code == 200
            for item in read_sse(res.iter_lines(), stop):
                out.append(item)
    except (httpx2.RemoteProtocolError, httpx2.ReadError):
        pass  # the server was killed under us
    return out


def test_sse_streams_live_in_order_survives_sigkill_and_resumes_with_last_event_id(
    live_server: Callable[..., LiveServer], busy_screens: list[Path], tmp_path: Path
) -> None:
    server = live_server()
    files = [("files", (p.name, p.read_bytes(), "image/png")) for p in busy_screens]
    created = httpx2.post(f"{server.url}/api/v1/jobs", files=files, data={"types": TYPES}, timeout=30)
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    events_url = server.url + created.json()["events_url"]
    status_seen: list[str] = []
    completed = [0]
    descendants: list[psutil.Process] = []  # the job's process and its workers

    def kill_after_three(item: dict[str, Any]) -> bool:
        if item.get("event") != "instance.completed":
            return False
        if not status_seen:
            # the first completion arrives while the job is still running: it is live, not replayed
            status_seen.append(httpx2.get(f"{server.url}/api/v1/jobs/{job_id}", timeout=10).json()["status"])
        completed[0] += 1
        if completed[0] >= 3:
            assert server.proc is not None
            descendants.extend(psutil.Process(server.proc.pid).children(recursive=True))
            server.kill()
            return True
        return False

    first = stream_events(events_url, None, stop=kill_after_three)
    assert status_seen == ["running"]
    assert any("comment" in e for e in first), "no keep-alive comment while the workers were busy"
    got1 = [e for e in first if "event" in e]
    assert got1[0]["event"] == "job.created"
    assert sum(e["event"] == "instance.completed" for e in got1) == 3
    assert not any(e["event"] == "job.completed" for e in got1)

    # The job's process and its workers die with the server (its lifeline closes): they are
    # gone and left the job unfinished, for the restarted server to resume.
    assert descendants
    _, alive = psutil.wait_procs(descendants, timeout=60)
    assert not alive, alive
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with store.transaction() as conn:
        assert store.jobs.status(conn, job_id) == "running"
    store.close()

    restarted = live_server(port=server.port)
    got2 = [e for e in stream_events(events_url, got1[-1]["id"]) if "event" in e]
    assert got2[-1]["event"] == "job.completed"
    final = wait_status(lambda p: httpx2.get(restarted.url + p, timeout=10), job_id, ("completed",), 30)
    assert final["counts"] == {"complete": INSTANCES, "failed": 0, "pending": 0, "total": INSTANCES}

    # Nothing lost, nothing repeated: the two connections together are exactly the job log.
    everything = [e for e in stream_events(events_url, None) if "event" in e]
    ids = [int(e["id"]) for e in got1 + got2]
    assert ids == sorted(set(ids))
    assert ids == [int(e["id"]) for e in everything]
    # Every instance completed exactly once for real; a resumed run only replays what was done.
    fresh: dict[str, int] = {}
    for e in everything:
        if e["event"] == "instance.completed" and not e["data"]["resumed"]:
            fresh[e["data"]["instance"]] = fresh.get(e["data"]["instance"], 0) + 1
    assert len(fresh) == INSTANCES and set(fresh.values()) == {1}

    # And the tokens are exactly those of an uninterrupted run over the same images.
    stored = sorted((tmp_path / "data" / "images").rglob("*.png"))
    assert len(stored) == SCREENS
    reference = extract([str(p) for p in stored], types=TYPES.split(","), workers=2)
    tokens = httpx2.get(f"{restarted.url}/api/v1/jobs/{job_id}/tokens", timeout=10).content
    assert tokens == render_exports(reference.tokens, reference.graph, ["dtcg"])["tokens.json"]
