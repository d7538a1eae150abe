"""The guards of a public service: tokens, loopback-only without them, input limits, rate limit,
and URL inputs that cannot reach the server's own network."""

from __future__ import annotations

import io
import ipaddress
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from designlens.api.app import create_app
from designlens.api.fetch import blocked_reason
from designlens.api.guards import RateLimiter
from designlens.api.server import check_bind
from designlens.api.settings import Limits, ServiceSettings
from designlens.cli import app as cli_app
from designlens.errors import UsageError
from tests.api.conftest import ImageHost, make_settings, png_bytes

pytestmark = pytest.mark.timeout(60)

PNG = png_bytes(64, 48)


def client_for(tmp_path: Path, **overrides: Any) -> TestClient:
    return TestClient(create_app(make_settings(tmp_path, **overrides)))


def post_files(client: TestClient, *files: tuple[str, bytes], **headers: str) -> Any:
    return client.post(
        "/api/v1/jobs", files=[("files", (n, d, "application/octet-stream")) for n, d in files],
        data={"types": "color"}, headers=headers,
    )


def zip_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


# --- authentication -----------------------------------------------------------------------

@pytest.fixture()
def authed(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path, tokens=frozenset({"s3cret", "other"})) as c:
        yield c


def test_with_tokens_set_every_api_call_needs_a_bearer_token(authed: TestClient) -> None:
    for method, path in (("GET", "/api/v1/jobs"), ("GET", "/api/v1/plugins"), ("GET", "/api/v1/jobs/x"),
                         ("DELETE", "/api/v1/jobs/x"), ("POST", "/api/v1/jobs")):
        res = authed.request(method, path)
        assert res.status_code == 401, (method, path)
        assert res.headers["www-authenticate"].startswith("Bearer")
        assert res.headers["content-type"] == "application/problem+json"
        assert "Authorization: Bearer" in res.json()["detail"]
    assert authed.get("/api/v1/jobs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert authed.get("/api/v1/jobs", headers={"Authorization": "Basic s3cret"}).status_code == 401
    assert authed.get("/api/v1/jobs", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert authed.get("/api/v1/jobs", headers={"Authorization": "Bearer other"}).status_code == 200


def test_health_metrics_and_the_page_stay_open_for_probes(authed: TestClient) -> None:
    assert authed.get("/metrics").status_code == 200
    assert authed.get("/").status_code == 200


def test_without_tokens_the_server_refuses_to_bind_beyond_loopback() -> None:
    open_settings = ServiceSettings(db="sqlite://", data_dir=Path("/nonexistent"))
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.5"):
        check_bind(host, open_settings)
    for host in ("0.0.0.0", "192.168.1.10", "::"):
        with pytest.raises(UsageError, match="no API tokens are set"):
            check_bind(host, open_settings)
    check_bind("0.0.0.0", ServiceSettings(db="sqlite://", data_dir=Path("/x"), tokens=frozenset({"t"})))


def test_serve_command_says_why_it_will_not_listen_on_all_interfaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DESIGNLENS_API_TOKENS", raising=False)
    result = CliRunner().invoke(
        cli_app, ["serve", "--host", "0.0.0.0", "--db", str(tmp_path / "s.sqlite")]
    )
    assert result.exit_code == 2
    assert "refusing to listen on 0.0.0.0" in result.output and "DESIGNLENS_API_TOKENS" in result.output


# --- limits -----------------------------------------------------------------------------------

def test_request_body_over_the_limit_is_refused_with_413(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(max_body_bytes=20_000)) as c:
        res = post_files(c, ("big.png", b"\0" * 50_000))
        assert res.status_code == 413
        assert res.json()["detail"] == "request body is over the limit of 20,000 bytes"


def test_more_images_than_the_limit_is_refused_with_413(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(max_images=2)) as c:
        res = post_files(c, ("a.png", PNG), ("b.png", PNG + b"1"), ("c.png", PNG + b"2"))
        assert res.status_code == 413 and "more than 2" in res.json()["detail"]
        res = post_files(c, ("a.zip", zip_of({f"{i}.png": PNG for i in range(3)})))
        assert res.status_code == 413 and "more than 2 images" in res.json()["detail"]


def test_decompression_bomb_is_refused_by_its_header_naming_the_file(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(max_pixels=1000)) as c:
        res = post_files(c, ("huge.png", PNG))
        assert res.status_code == 413
        assert "huge.png" in res.json()["detail"] and "decompression bomb" in res.json()["detail"]


def test_zip_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(max_zip_entries=2)) as c:
        res = post_files(c, ("many.zip", zip_of({f"{i}.png": PNG for i in range(3)})))
        assert res.status_code == 413 and "3 entries, over the limit of 2" in res.json()["detail"]


def test_zip_bomb_is_refused_by_unzipped_size(tmp_path: Path) -> None:
    bomb = zip_of({"a.png": b"\0" * 3_000_000, "b.png": b"\0" * 3_000_000})
    assert len(bomb) < 50_000
    with client_for(tmp_path, limits=Limits(max_unzipped_bytes=4_000_000)) as c:
        res = post_files(c, ("bomb.zip", bomb))
        assert res.status_code == 413 and "zip bomb" in res.json()["detail"]


def test_zip_whose_headers_understate_the_size_is_stopped_while_reading(tmp_path: Path) -> None:
    data = bytearray(zip_of({"a.png": b"\0" * 3_000_000}))
    # Rewrite the declared uncompressed size (local header and central directory) to 10 bytes.
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = (10).to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with client_for(tmp_path, limits=Limits(max_unzipped_bytes=1_000_000)) as c:
        res = post_files(c, ("liar.zip", bytes(data)))
        assert res.status_code in (413, 422)
        assert "liar.zip" in res.json()["detail"]


@pytest.mark.parametrize("name", ["../evil.png", "/etc/evil.png", "a/../../evil.png", "C:/evil.png",
                                  "..\\evil.png"])
def test_path_traversal_in_zip_names_is_refused_with_422(tmp_path: Path, name: str) -> None:
    with client_for(tmp_path) as c:
        res = post_files(c, ("pack.zip", zip_of({"ok.png": PNG, name: PNG})))
        assert res.status_code == 422
        assert "path traversal" in res.json()["detail"] and name in res.json()["detail"]
    assert not (tmp_path / "evil.png").exists()


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(rate=0.5, burst=2)) as c:
        codes = [c.get("/api/v1/jobs").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        res = c.get("/api/v1/jobs")
        assert res.status_code == 429 and int(res.headers["retry-after"]) >= 1
        assert "rate limit" in res.json()["detail"]


def test_rate_limit_is_per_token(tmp_path: Path) -> None:
    with client_for(tmp_path, tokens=frozenset({"a", "b"}), limits=Limits(rate=0.5, burst=1)) as c:
        assert c.get("/api/v1/jobs", headers={"Authorization": "Bearer a"}).status_code == 200
        assert c.get("/api/v1/jobs", headers={"Authorization": "Bearer a"}).status_code == 429
        assert c.get("/api/v1/jobs", headers={"Authorization": "Bearer b"}).status_code == 200


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=1, clock=lambda: now[0])
    assert limiter.take("k") == 0.0
    assert limiter.take("k") == pytest.approx(0.5)
    now[0] = 0.5
    assert limiter.take("k") == 0.0


# --- URL inputs -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.0.1", "169.254.169.254", "100.100.100.200", "224.0.0.1",
     "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "ff02::1"],
)
def test_private_loopback_link_local_multicast_and_metadata_addresses_are_refused(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address), ()) is not None


def test_public_addresses_and_allow_listed_ones_pass() -> None:
    assert blocked_reason(ipaddress.ip_address("93.184.216.34"), ()) is None
    allow = (ipaddress.ip_network("127.0.0.1/32"),)
    assert blocked_reason(ipaddress.ip_address("127.0.0.1"), allow) is None
    assert blocked_reason(ipaddress.ip_address("127.0.0.2"), allow) is not None


def post_urls(client: TestClient, *urls: str) -> Any:
    return client.post("/api/v1/jobs", json={"urls": list(urls), "types": ["color"]})


@pytest.fixture()
def open_client(tmp_path: Path) -> Iterator[TestClient]:
    with client_for(tmp_path) as c:
        yield c


@pytest.mark.parametrize("url", ["ftp://example.com/a.png", "file:///etc/passwd", "gopher://x/", "a.png"])
def test_only_http_and_https_urls_are_fetched(open_client: TestClient, url: str) -> None:
    res = post_urls(open_client, url)
    assert res.status_code == 422 and "only http and https" in res.json()["detail"]


def test_urls_resolving_to_loopback_are_refused_without_an_allow_list(
    open_client: TestClient, image_host: ImageHost
) -> None:
    image_host.routes["/a.png"] = (200, {"Content-Type": "image/png"}, PNG, 0.0)
    for host in ("127.0.0.1", "localhost"):
        res = post_urls(open_client, image_host.url("/a.png", host))
        assert res.status_code == 422, host
        assert "loopback" in res.json()["detail"] and "allow-list" in res.json()["detail"]
    res = post_urls(open_client, "http://169.254.169.254/latest/meta-data/")
    assert res.status_code == 422 and "link-local" in res.json()["detail"]


@pytest.fixture()
def local_client(tmp_path: Path) -> Iterator[TestClient]:
    allow = (ipaddress.ip_network("127.0.0.1/32"),)
    limits = Limits(rate=1000, burst=1000, url_timeout=1.0, max_url_bytes=100_000)
    with client_for(tmp_path, url_allow=allow, limits=limits) as c:
        yield c


def test_allow_listed_local_server_is_fetched_and_the_job_runs(
    local_client: TestClient, image_host: ImageHost
) -> None:
    image_host.routes["/shots/home.png"] = (200, {"Content-Type": "image/png"}, PNG, 0.0)
    image_host.routes["/go"] = (302, {"Location": "/shots/home.png"}, b"", 0.0)
    res = post_urls(local_client, image_host.url("/go"))
    assert res.status_code == 202, res.text
    job = local_client.get(f"/api/v1/jobs/{res.json()['id']}").json()
    assert job["inputs"] == ["home.png"]


def test_redirects_are_checked_again(local_client: TestClient, image_host: ImageHost) -> None:
    image_host.routes["/hop"] = (302, {"Location": f"http://127.0.0.2:{image_host.port}/a.png"}, b"", 0.0)
    res = post_urls(local_client, image_host.url("/hop"))
    assert res.status_code == 422 and "127.0.0.2" in res.json()["detail"]


def test_redirect_loops_stop(local_client: TestClient, image_host: ImageHost) -> None:
    image_host.routes["/loop"] = (302, {"Location": "/loop"}, b"", 0.0)
    res = post_urls(local_client, image_host.url("/loop"))
    assert res.status_code == 422 and "redirects" in res.json()["detail"]


def test_slow_url_times_out(local_client: TestClient, image_host: ImageHost) -> None:
    image_host.routes["/slow.png"] = (200, {"Content-Type": "image/png"}, PNG, 2.0)
    res = post_urls(local_client, image_host.url("/slow.png"))
    assert res.status_code == 422 and "timed out" in res.json()["detail"]


def test_oversized_url_is_refused_with_413(local_client: TestClient, image_host: ImageHost) -> None:
    image_host.routes["/big.png"] = (200, {"Content-Type": "image/png"}, b"\0" * 200_000, 0.0)
    res = post_urls(local_client, image_host.url("/big.png"))
    assert res.status_code == 413 and "100,000" in res.json()["detail"]


def test_non_image_content_type_is_refused(local_client: TestClient, image_host: ImageHost) -> None:
    image_host.routes["/page"] = (200, {"Content-Type": "text/html"}, b"<html></html>", 0.0)
    image_host.routes["/gone.png"] = (404, {"Content-Type": "text/plain"}, b"no", 0.0)
    res = post_urls(local_client, image_host.url("/page"))
    assert res.status_code == 422 and "not an image" in res.json()["detail"]
    res = post_urls(local_client, image_host.url("/gone.png"))
    assert res.status_code == 422 and "404" in res.json()["detail"]


def test_an_unexpected_error_is_still_a_problem_document(tmp_path: Path) -> None:
    with client_for(tmp_path) as c:
        def broken(job_id: str) -> bytes:
            raise RuntimeError("boom")

        c.app.state.jobs.status = broken  # type: ignore[attr-defined]
        c.app.state.jobs.cached_status = lambda job_id: None  # type: ignore[attr-defined]
        res = TestClient(c.app, raise_server_exceptions=False).get("/api/v1/jobs/x")
        assert res.status_code == 500
        assert res.headers["content-type"] == "application/problem+json"
        assert res.json()["detail"] == "internal error (RuntimeError); see the server log"


def test_many_more_files_than_allowed_still_get_a_413_naming_the_limit(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(max_images=2)) as c:
        res = post_files(c, *[(f"{i}.png", PNG + bytes([i])) for i in range(12)])
        assert res.status_code == 413 and "more than 2" in res.json()["detail"]


def test_a_cached_job_status_is_still_behind_the_token_and_the_rate_limit(tmp_path: Path) -> None:
    """The status fast path (answers from the cache, without the framework) runs the same guard."""
    with client_for(tmp_path, tokens=frozenset({"s3cret"}), limits=Limits(rate=0.001, burst=3)) as c:
        ok = {"Authorization": "Bearer s3cret"}
        job_id = post_files(c, ("a.png", PNG), **ok).json()["id"]
        planted = b'{"from": "the cache"}'  # what only the fast path can answer
        c.app.state.jobs._status_cache[job_id] = (float("inf"), planted)  # type: ignore[attr-defined]
        for headers in ({}, {"Authorization": "Bearer nope"}):
            res = c.get(f"/api/v1/jobs/{job_id}", headers=headers)
            assert res.status_code == 401, res.text
            assert res.headers["content-type"] == "application/problem+json"
        res = c.get(f"/api/v1/jobs/{job_id}", headers=ok)
        assert res.status_code == 200 and res.content == planted
        assert res.headers["server-timing"].startswith("app;dur=")
        assert c.get(f"/api/v1/jobs/{job_id}", headers=ok).content == planted  # the burst's last
        res = c.get(f"/api/v1/jobs/{job_id}", headers=ok)
        assert res.status_code == 429 and int(res.headers["retry-after"]) >= 1


def test_a_cached_job_status_is_the_same_document_as_the_frameworks(tmp_path: Path) -> None:
    with client_for(tmp_path) as c:
        job_id = post_files(c, ("a.png", PNG)).json()["id"]
        deadline = time.monotonic() + 60
        while (miss := c.get(f"/api/v1/jobs/{job_id}")).json()["status"] != "completed":
            assert time.monotonic() < deadline
        hit = c.get(f"/api/v1/jobs/{job_id}")  # a completed job's status is cached for good
        assert hit.content == miss.content and hit.headers["content-type"] == "application/json"
        assert hit.headers["server-timing"].startswith("app;dur=")
