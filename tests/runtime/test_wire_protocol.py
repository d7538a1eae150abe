"""The wire protocol, spoken to real workers: the Python one and a JavaScript one."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designlens.runtime import protocol
from tests.runtime.rt_helpers import FAULTPLUG, JS_WORKER, make_screens

PYTHON_WORKER = [sys.executable, "-m", "designlens.runtime.worker"]
WORKERS = {"python": PYTHON_WORKER, "javascript": ["node", str(JS_WORKER)]}


class Peer:
    """A worker process driven frame by frame."""

    def __init__(self, argv: list[str]) -> None:
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={"PYTHONPATH": str(FAULTPLUG),
                                                                      "PATH": "/usr/bin:/bin"},
        )

    def send_raw(self, data: bytes) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        body = protocol.read_frame(self.proc.stdout)
        assert body is not None
        reply = protocol.decode_body(body)
        assert isinstance(reply, dict)
        return reply

    def call(self, call_id: int, command: str, args: Any = None) -> dict[str, Any]:
        return self.send_raw(protocol.encode(protocol.request(call_id, command, args)))

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.wait()


@pytest.fixture(params=sorted(WORKERS))
def peer(request: pytest.FixtureRequest) -> Iterator[Peer]:
    p = Peer(WORKERS[request.param])
    yield p
    p.close()


def test_frame_is_big_endian_length_then_msgpack() -> None:
    frame = protocol.encode({"id": 1, "command": "ping", "args": {}})
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4
    assert protocol.decode_body(frame[4:]) == {"id": 1, "command": "ping", "args": {}}


def test_read_frame_drains_an_oversized_frame_and_stays_in_step() -> None:
    stream = io.BytesIO(struct.pack(">I", 10) + b"x" * 10 + protocol.encode("next"))
    with pytest.raises(protocol.ProtocolError) as err:
        protocol.read_frame(stream, limit=5)
    assert err.value.kind == "FrameTooLarge"
    body = protocol.read_frame(stream, limit=5 + 100)
    assert body is not None and protocol.decode_body(body) == "next"


def test_ping_info_and_stats_answer_with_the_call_id(peer: Peer) -> None:
    assert peer.call(7, "ping") == {"id": 7, "ok": True, "result": "pong"}
    info = peer.call(8, "info")
    assert info["ok"] and info["id"] == 8
    assert info["result"]["protocol"] == protocol.PROTOCOL_VERSION
    assert {"ping", "info", "stats", "extract", "shutdown"} <= set(info["result"]["commands"])
    stats = peer.call(9, "stats")["result"]
    assert stats["calls"] >= 2


def test_unknown_command_gets_an_error_reply_and_the_worker_stays_usable(peer: Peer) -> None:
    reply = peer.call(1, "paint")
    assert reply["id"] == 1 and reply["ok"] is False
    assert reply["error"]["type"] == "UnknownCommand"
    assert peer.call(2, "ping")["result"] == "pong"


def test_unknown_namespace_gets_an_error_reply(peer: Peer) -> None:
    reply = peer.call(1, "nosuchplugin:extract", {})
    assert reply["ok"] is False and reply["error"]["type"] == "UnknownNamespace"
    assert peer.call(2, "ping")["ok"] is True


def test_malformed_frame_is_rejected_and_the_worker_stays_usable(peer: Peer) -> None:
    reply = peer.send_raw(struct.pack(">I", 3) + b"\xc1\xc1\xc1")
    assert reply["ok"] is False and reply["error"]["type"] == "MalformedFrame"
    assert peer.call(2, "ping")["result"] == "pong"


def test_oversized_frame_is_rejected_and_the_worker_stays_usable(peer: Peer) -> None:
    size = protocol.MAX_FRAME + 1
    assert peer.proc.stdin is not None
    header = struct.pack(">I", size)
    reply = None
    # Stream the oversized body in chunks; the worker drops it and answers with an error.
    peer.proc.stdin.write(header)
    chunk = b"\0" * (1 << 22)
    sent = 0
    while sent < size:
        n = min(len(chunk), size - sent)
        peer.proc.stdin.write(chunk[:n])
        sent += n
    peer.proc.stdin.flush()
    assert peer.proc.stdout is not None
    body = protocol.read_frame(peer.proc.stdout)
    assert body is not None
    reply = protocol.decode_body(body)
    assert reply["ok"] is False and reply["error"]["type"] == "FrameTooLarge"
    assert peer.call(3, "ping")["result"] == "pong"


def test_request_that_is_not_a_map_is_a_bad_request(peer: Peer) -> None:
    reply = peer.send_raw(protocol.encode([1, "ping"]))
    assert reply["ok"] is False and reply["error"]["type"] == "BadRequest"


def test_namespaced_extract_routes_to_one_plugin(peer: Peer, tmp_path: Path) -> None:
    [png] = make_screens(tmp_path, ["a.png"])
    reply = peer.call(4, "faults:extract", {"data": png.read_bytes(), "source": str(png)})
    assert reply["ok"], reply
    [token] = reply["result"]["tokens"]
    assert token["name"].startswith("faults.") and token["type"] == "number"
    assert token["provenance"][0]["image"] == reply["result"]["image_id"]


def test_shutdown_answers_then_exits_zero(peer: Peer) -> None:
    assert peer.call(5, "shutdown")["ok"] is True
    assert peer.proc.wait(timeout=10) == 0


def test_python_worker_extracts_colors_and_reports_a_bad_image_as_input_error(tmp_path: Path) -> None:
    p = Peer(PYTHON_WORKER)
    try:
        [png] = make_screens(tmp_path, ["a.png"])
        reply = p.call(1, "extract", {"token_type": "color", "data": png.read_bytes(), "source": "a.png"})
        assert reply["ok"], reply
        assert "#2563eb" in {t["value"]["hex"] for t in reply["result"]["tokens"]}
        bad = p.call(2, "color:extract", {"data": b"not an image", "source": "bad.png"})
        assert bad["ok"] is False and bad["error"]["type"] == "InputError"
        assert "not a supported image" in bad["error"]["message"]
    finally:
        p.close()


def test_worker_exits_when_its_stdin_closes() -> None:
    p = Peer(PYTHON_WORKER)
    assert p.proc.stdin is not None
    p.proc.stdin.close()
    assert p.proc.wait(timeout=30) == 0


def test_designlens_worker_command_speaks_the_protocol() -> None:
    from tests.runtime.rt_helpers import DESIGNLENS

    p = Peer([DESIGNLENS, "worker", "--plugin", "faultplug:FaultExtractor"])
    try:
        assert p.call(1, "ping")["result"] == "pong"
        names = {plugin["name"] for plugin in p.call(2, "info")["result"]["plugins"]}
        assert {"color", "faults"} <= names
    finally:
        p.close()
