"""The plain endpoints through Starlette's TestClient, around jobs run on the real runtime."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from designlens.api.app import create_app
from designlens.plugins import exporters
from designlens.tokens.dtcg import loads
from tests.api.conftest import make_settings, png_bytes, read_sse, wait_status

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(tmp_path_factory.mktemp("svc"), workers=2)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def done_job(client: TestClient, screens: list[Path]) -> dict[str, Any]:
    """Three screenshots and one corrupt file, color and layout: run to completion."""
    files = [("files", (p.name, p.read_bytes(), "image/png")) for p in screens[:3]]
    files.append(("files", ("broken.png", b"\x89PNG\r\n\x1a\nthis is not a png", "image/png")))
    created = client.post("/api/v1/jobs", files=files, data={"types": "color,layout"})
    assert created.status_code == 202, created.text
    body = created.json()
    final = wait_status(client.get, body["id"], ("completed", "failed"))
    return {"created": body, "final": final}


def test_upload_answers_202_with_id_status_and_events_url(done_job: dict[str, Any]) -> None:
    created = done_job["created"]
    assert created["status"] == "queued"
    assert created["events_url"] == f"/api/v1/jobs/{created['id']}/events"


def test_one_bad_image_fails_its_own_instances_and_the_job_completes_with_the_rest(
    done_job: dict[str, Any],
) -> None:
    job = done_job["final"]
    assert job["status"] == "completed"
    assert job["counts"] == {"complete": 6, "failed": 2, "pending": 0, "total": 8}
    failed = [i for i in job["images"] if i["status"] == "failed"]
    assert [i["name"] for i in failed] == ["broken.png"]
    assert {e["token_type"] for e in job["errors"]} == {"color", "layout"}
    assert all(e["image"] == "broken.png" and "not a supported image" in e["error"] for e in job["errors"])
    assert job["timings"]["extraction_seconds"] > 0
    assert job["timings"]["elapsed_seconds"] >= 0


def test_tokens_endpoint_serves_the_dtcg_document_and_matches_tokens_json(
    client: TestClient, done_job: dict[str, Any]
) -> None:
    job_id = done_job["created"]["id"]
    tokens = client.get(f"/api/v1/jobs/{job_id}/tokens")
    assert tokens.status_code == 200
    parsed = loads(tokens.text)
    assert sum(t.type == "color" for t in parsed) >= 3
    assert "color.background" in parsed  # semantic aliases from the graph are part of the document
    assert client.get(f"/api/v1/jobs/{job_id}/exports/tokens.json").content == tokens.content


def test_relationships_endpoint_serves_the_graph(client: TestClient, done_job: dict[str, Any]) -> None:
    graph = client.get(f"/api/v1/jobs/{done_job['created']['id']}/relationships").json()
    types = {r["type"] for r in graph["relationships"]}
    assert "contrast" in types and "aliases" in types


def test_every_export_downloads_and_exports_zip_holds_them_all(
    client: TestClient, done_job: dict[str, Any]
) -> None:
    job = done_job["final"]
    names = {e.file_name for e in exporters().values()}
    assert set(job["exports"]) == names | {"exports.zip"}
    for name in ("tokens.css", "tailwind.css", "report.html", "theme.ts"):
        res = client.get(job["exports"][name])
        assert res.status_code == 200 and res.content, name
    assert b"--color-" in client.get(job["exports"]["tokens.css"]).content
    archive = zipfile.ZipFile(io.BytesIO(client.get(job["exports"]["exports.zip"]).content))
    assert set(archive.namelist()) == names


def test_unknown_export_is_a_404_problem_naming_the_files_there_are(
    client: TestClient, done_job: dict[str, Any]
) -> None:
    res = client.get(f"/api/v1/jobs/{done_job['created']['id']}/exports/../../etc/passwd")
    assert res.status_code == 404
    res = client.get(f"/api/v1/jobs/{done_job['created']['id']}/exports/nope.txt")
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/problem+json"
    assert "nope.txt" in res.json()["detail"] and "tokens.css" in res.json()["detail"]


def test_events_of_a_finished_job_replay_in_order_and_last_event_id_gives_exactly_the_rest(
    client: TestClient, done_job: dict[str, Any]
) -> None:
    url = done_job["created"]["events_url"]
    with client.stream("GET", url) as res:
        assert res.headers["content-type"].startswith("text/event-stream")
        events = [e for e in read_sse(res.iter_lines()) if "event" in e]
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert events[0]["event"] == "job.created" and events[-1]["event"] == "job.completed"
    assert events[0]["data"]["resumed"] is False
    completed = [e for e in events if e["event"] == "instance.completed"]
    assert len(completed) == 6 and all(e["data"]["source"].startswith("screen-") for e in completed)
    middle = events[len(events) // 2]
    with client.stream("GET", url, headers={"Last-Event-ID": middle["id"]}) as res:
        rest = [e for e in read_sse(res.iter_lines()) if "event" in e]
    assert [e["id"] for e in rest] == [e["id"] for e in events if int(e["id"]) > int(middle["id"])]


def test_jobs_list_is_paginated_newest_first(client: TestClient, done_job: dict[str, Any]) -> None:
    page = client.get("/api/v1/jobs", params={"limit": 1}).json()
    assert page["limit"] == 1 and len(page["items"]) == 1 and page["total"] >= 1
    ids = [j["id"] for j in client.get("/api/v1/jobs", params={"limit": 200}).json()["items"]]
    assert done_job["created"]["id"] in ids
    assert client.get("/api/v1/jobs", params={"limit": 0}).status_code == 422


def test_every_answer_says_how_long_the_server_took(client: TestClient, done_job: dict[str, Any]) -> None:
    res = client.get(f"/api/v1/jobs/{done_job['created']['id']}")
    assert res.headers["server-timing"].startswith("app;dur=")
    assert float(res.headers["server-timing"].split("dur=")[1]) >= 0


def test_unknown_job_is_a_problem_json_404_naming_the_id(client: TestClient) -> None:
    res = client.get("/api/v1/jobs/doesnotexist")
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/problem+json"
    body = res.json()
    assert body["status"] == 404 and "doesnotexist" in body["detail"] and body["title"] == "Not Found"


def test_zip_of_images_becomes_one_image_per_entry(client: TestClient, screens: list[Path]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for p in screens[3:5]:
            z.writestr(f"shots/{p.name}", p.read_bytes())
        z.writestr("README.txt", "not an image")
    res = client.post("/api/v1/jobs", files={"files": ("shots.zip", buf.getvalue(), "application/zip")},
                      data={"types": "color", "formats": "dtcg,css"})
    assert res.status_code == 202, res.text
    assert res.json()["skipped"] == ["README.txt"]
    job = wait_status(client.get, res.json()["id"], ("completed", "failed"))
    assert job["counts"]["complete"] == 2
    assert sorted(job["inputs"]) == [f"shots.zip/shots/{p.name}" for p in screens[3:5]]
    assert set(job["exports"]) == {"tokens.json", "tokens.css", "exports.zip"}


def test_unknown_type_or_format_is_refused_with_the_name(client: TestClient) -> None:
    files = {"files": ("a.png", png_bytes(64, 64), "image/png")}
    res = client.post("/api/v1/jobs", files=files, data={"types": "colour"})
    assert res.status_code == 422 and "colour" in res.json()["detail"]
    res = client.post("/api/v1/jobs", files=files, data={"formats": "pdf"})
    assert res.status_code == 422 and "pdf" in res.json()["detail"]


def test_other_content_types_are_refused_with_415(client: TestClient) -> None:
    res = client.post("/api/v1/jobs", content=b"x", headers={"content-type": "text/plain"})
    assert res.status_code == 415 and "multipart/form-data" in res.json()["detail"]


def test_delete_cancels_a_running_job_and_a_queued_one(client: TestClient, screens: list[Path]) -> None:
    # Enough full-size work (16 screens x 3 types) that the job is still running when it is
    # cancelled after its first instance, however fast extraction gets.
    big = png_bytes(1280, 800)
    files = [("files", (f"{i}-big.png", big + bytes([i]), "image/png")) for i in range(16)]
    running = client.post("/api/v1/jobs", files=files, data={"types": "color,layout,typography"}).json()
    queued = client.post("/api/v1/jobs", files=files[:1], data={"types": "color"}).json()
    deadline = time.monotonic() + 60
    while client.get(f"/api/v1/jobs/{running['id']}").json()["counts"]["complete"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    res = client.delete(f"/api/v1/jobs/{queued['id']}")
    assert res.status_code == 202 and res.json()["status"] == "cancelled"
    res = client.delete(f"/api/v1/jobs/{running['id']}")
    assert res.status_code == 202 and res.json()["status"] == "cancelling"
    job = wait_status(client.get, running["id"], ("cancelled", "completed", "failed"))
    assert job["status"] == "cancelled" and job["counts"]["pending"] > 0
    with client.stream("GET", running["events_url"]) as stream:
        last = [e for e in read_sse(stream.iter_lines()) if "event" in e][-1]
    assert last["event"] == "job.failed" and last["data"]["status"] == "cancelled"
    assert client.get(f"/api/v1/jobs/{queued['id']}").json()["status"] == "cancelled"
    again = client.delete(f"/api/v1/jobs/{running['id']}")
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    assert client.get(f"/api/v1/jobs/{running['id']}/tokens").status_code == 409


def test_plugins_lists_the_built_in_extractors_and_exporters(client: TestClient) -> None:
    rows = client.get("/api/v1/plugins").json()
    names = {(r["kind"], r["name"]) for r in rows}
    assert ("extractors", "color") in names and ("exporters", "dtcg") in names


def test_healthz_reports_store_and_workers_ready(client: TestClient) -> None:
    res = client.get("/healthz")
    assert res.status_code == 200, res.text
    assert res.json()["checks"]["store"] == "ok" and res.json()["checks"]["workers"] == "ok"


def test_metrics_expose_jobs_instances_latency_restarts_and_queue(
    client: TestClient, done_job: dict[str, Any]
) -> None:
    text = client.get("/metrics").text
    assert 'designlens_jobs_finished_total{status="completed"}' in text
    assert 'designlens_instances_total{state="failed"}' in text
    for name in ("designlens_extraction_seconds_bucket", "designlens_worker_restarts_total",
                 "designlens_queue_depth", "designlens_jobs_running"):
        assert name in text
    count = [line for line in text.splitlines() if line.startswith("designlens_extraction_seconds_count")]
    assert float(count[0].split()[-1]) >= 6


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/jobs/{job_id}/events" in schema["paths"]
    docs = client.get("/docs")
    assert docs.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)""", docs.text)
    assert urls and all(u.startswith("/") for u in urls), urls  # packaged assets only: no CDN
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert json.dumps(schema)


def test_a_server_shut_down_mid_job_leaves_it_resumable_and_the_next_one_finishes_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, workers=1)
    # Enough work (16 full-size screens x 3 types on one worker) that the job is still running
    # when the first server stops after its first instance, however fast extraction gets.
    files = [("files", (f"big-{i}.png", png_bytes(1280 + 8 * i, 800), "image/png")) for i in range(16)]
    with TestClient(create_app(settings)) as first:
        job = first.post("/api/v1/jobs", files=files, data={"types": "color,layout,typography"}).json()
        deadline = time.monotonic() + 60
        while first.get(f"/api/v1/jobs/{job['id']}").json()["counts"]["complete"] < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    # shutdown (the lifespan's end) interrupts, it does not cancel
    with TestClient(create_app(settings)) as second:
        final = wait_status(second.get, job["id"], ("completed", "failed", "cancelled"))
        assert final["status"] == "completed"
        assert final["counts"] == {"complete": 48, "failed": 0, "pending": 0, "total": 48}
        with second.stream("GET", job["events_url"]) as res:
            events = [e for e in read_sse(res.iter_lines()) if "event" in e]
    assert [e["data"]["resumed"] for e in events if e["event"] == "job.created"] == [False, True]
    fresh = [e["data"]["instance"] for e in events
             if e["event"] == "instance.completed" and not e["data"]["resumed"]]
    assert sorted(fresh) == sorted(set(fresh)) and len(fresh) == 48


def test_a_malformed_multipart_body_is_a_400_problem(client: TestClient) -> None:
    res = client.post(
        "/api/v1/jobs", content=b"--b\r\ngarbage--b--\r\n",
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert res.status_code == 400 and res.json()["detail"].startswith("malformed multipart body")


def test_a_job_shows_why_an_extractor_gave_up_per_image(client: TestClient) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 400), "#ffffff").save(buf, format="PNG")  # no text for typography
    created = client.post("/api/v1/jobs", files=[("files", ("blank.png", buf.getvalue(), "image/png"))],
                          data={"types": "typography"})
    assert created.status_code == 202, created.text
    job = wait_status(client.get, created.json()["id"], ("completed", "failed"))
    (image,) = job["images"]
    assert image["name"] == "blank.png"
    assert any(w.startswith("typography: ") and "no text lines" in w for w in image["warnings"]), image
