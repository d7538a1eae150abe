"""Shared pieces of the service tests: screenshots, settings, a live server, a local image host."""

from __future__ import annotations

import contextlib
import http.server
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from designlens.api.settings import Limits, ServiceSettings
from tests.synthetic import draw_ui

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def png_bytes(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    draw_ui(width, height).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def screens(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six small UI screenshots with distinct bytes."""
    folder = tmp_path_factory.mktemp("screens")
    out = []
    for i in range(6):
        path = folder / f"screen-{i}.png"
        path.write_bytes(png_bytes(480 + 16 * i, 320))
        out.append(path)
    return out


def make_settings(root: Path, **overrides: Any) -> ServiceSettings:
    limits = overrides.pop("limits", Limits(rate=1000, burst=1000))
    base = ServiceSettings(
        db=f"sqlite:///{root / 'store.sqlite'}", data_dir=root / "data", cache_dir=None, workers=1,
        keepalive=0.5, poll_interval=0.05, grace=1.0, limits=limits,
    )
    return replace(base, **overrides)


def wait_status(get: Callable[[str], Any], job_id: str, wanted: tuple[str, ...], timeout: float = 60) -> Any:
    """Poll GET /api/v1/jobs/{id} until its status is one of `wanted`."""
    deadline = time.monotonic() + timeout
    while True:
        body = get(f"/api/v1/jobs/{job_id}").json()
        if body["status"] in wanted:
            return body
        assert time.monotonic() < deadline, f"job {job_id} still {body['status']} after {timeout} s"
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`designlens serve` in a subprocess on 127.0.0.1, stopped (or killed) by the test."""

    def __init__(
        self, root: Path, port: int | None = None, env: dict[str, str] | None = None, db: str | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.root = root
        self.port = port or free_port()
        self.env = env or {}
        self.db = db or str(root / "store.sqlite")
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = root / f"server-{self.port}-{time.monotonic_ns()}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        exe = Path(sys.executable).parent / "designlens"
        env = {**os.environ, "DESIGNLENS_SSE_KEEPALIVE": "0.3", **self.env}
        env.pop("DESIGNLENS_API_TOKENS", None)
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [str(exe), "serve", "--port", str(self.port), "--db", self.db,
                 "--data-dir", str(self.root / "data"), "--workers", "1", *self.args],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"server exited:\n{self.log.read_text()}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return self
            time.sleep(0.05)
        raise AssertionError(f"server did not listen:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the server (its worker processes see their pipes close and exit)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture()
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def start(**kwargs: Any) -> LiveServer:
        server = LiveServer(tmp_path, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


class ImageHost:
    """A tiny HTTP server on 127.0.0.1 serving fixed routes: (status, headers, body, delay)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes, float]] = {}
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body, delay = routes.get(self.path, (404, {}, b"missing", 0.0))
                time.sleep(delay)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def image_host() -> Iterator[ImageHost]:
    host = ImageHost()
    yield host
    host.close()


def read_sse(
    lines: Iterator[str], stop: Callable[[dict[str, Any]], bool] | None = None
) -> Iterator[dict[str, Any]]:
    """Parse an SSE line stream into {event, id, data} dicts and {comment} dicts."""
    import json

    event: dict[str, Any] = {}
    for line in lines:
        if line == "":
            if event:
                if "data" in event:
                    event["data"] = json.loads(event["data"])
                yield event
                if stop is not None and stop(event):
                    return
            event = {}
            continue
        if line.startswith(":"):
            yield {"comment": line[1:].strip()}
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            event["data"] = event["data"] + "\n" + value if "data" in event else value
        elif field in ("event", "id"):
            event[field] = value
