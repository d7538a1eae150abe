"""The wire protocol: frames of a 4-byte big-endian length followed by one msgpack message.

Requests are ``{id, command, args}``; replies ``{id, ok: true, result}`` or
``{id, ok: false, error: {type, message}}``. docs/PROTOCOL.md is the reference for
workers written in other languages. The framing is the same as Erlang ports' ``{packet, 4}``.
"""

from __future__ import annotations

import asyncio
import struct
from typing import IO, Any

import msgspec

from designlens.errors import DesignlensError

PROTOCOL_VERSION = 1
HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024  # a frame this large is a broken peer, not a screenshot

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


class ProtocolError(DesignlensError):
    """A frame or message that breaks the protocol; `kind` is the error type sent on the wire."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def encode(message: Any) -> bytes:
    """One message as a complete frame (header + msgpack body)."""
    body = _encoder.encode(message)
    return HEADER.pack(len(body)) + body


def decode_body(body: bytes) -> Any:
    try:
        return _decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise ProtocolError("MalformedFrame", f"frame is not valid msgpack ({exc})") from None


def request(call_id: int, command: str, args: Any = None) -> dict[str, Any]:
    return {"id": call_id, "command": command, "args": {} if args is None else args}


def ok(call_id: Any, result: Any) -> dict[str, Any]:
    return {"id": call_id, "ok": True, "result": result}


def error(call_id: Any, kind: str, message: str) -> dict[str, Any]:
    return {"id": call_id, "ok": False, "error": {"type": kind, "message": message}}


def check_length(length: int, limit: int = MAX_FRAME) -> None:
    if length > limit:
        raise ProtocolError("FrameTooLarge", f"frame of {length:,} bytes is over the limit of {limit:,}")


def read_frame(stream: IO[bytes], limit: int = MAX_FRAME) -> bytes | None:
    """Blocking read of one frame body; None at a clean end of stream.

    An oversized frame is drained (so the stream stays in step) and then rejected.
    """
    header = _read_exact(stream, HEADER.size)
    if header is None:
        return None
    (length,) = HEADER.unpack(header)
    if length > limit:
        remaining = length
        while remaining:
            chunk = stream.read(min(remaining, 1 << 20))
            if not chunk:
                break
            remaining -= len(chunk)
        check_length(length, limit)
    body = _read_exact(stream, length)
    if body is None:
        raise ProtocolError("MalformedFrame", f"stream ended inside a frame of {length} bytes")
    return body


def _read_exact(stream: IO[bytes], n: int) -> bytes | None:
    parts: list[bytes] = []
    got = 0
    while got < n:
        chunk = stream.read(n - got)
        if not chunk:
            if got == 0:
                return None
            raise ProtocolError("MalformedFrame", f"stream ended after {got} of {n} bytes")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


async def read_frame_async(reader: asyncio.StreamReader, limit: int = MAX_FRAME) -> Any:
    """Read and decode one message from a peer; a broken frame raises ProtocolError.

    The caller side does not try to resynchronise: a peer that sends a bad frame is
    restarted, since its stream can no longer be trusted.
    """
    try:
        header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise EOFError("worker closed its output") from None
        raise ProtocolError("MalformedFrame", "stream ended inside a frame header") from None
    (length,) = HEADER.unpack(header)
    if length > limit:
        raise ProtocolError(
            "FrameTooLarge",
            f"worker sent a frame header announcing {length:,} bytes (over {limit:,}): "
            f"garbage on its stdout? first bytes {header!r}",
        )
    try:
        body = await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise ProtocolError("MalformedFrame", f"stream ended inside a frame of {length} bytes") from None
    return decode_body(body)
