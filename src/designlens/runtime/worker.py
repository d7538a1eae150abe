"""A worker process: hosts the extractor plugins and answers framed requests on stdin/stdout.

Run as `designlens worker` or `python -m designlens.runtime.worker`. The worker ignores
SIGINT (the supervisor decides when it stops), exits when its stdin closes (its parent is
gone) and on `shutdown`. Python-level `print` goes to stderr so it cannot corrupt frames.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import resource
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, Any

from designlens import __version__, plugins
from designlens.errors import DesignlensError, InputError, PluginError
from designlens.runtime.codec import token_to_data
from designlens.runtime.protocol import (
    PROTOCOL_VERSION,
    ProtocolError,
    decode_body,
    encode,
    error,
    ok,
    read_frame,
)

COMMANDS = ("ping", "info", "stats", "extract", "shutdown")
PLUGIN_COMMANDS = ("extract", "info")


class Shutdown(Exception):
    """Raised by the `shutdown` command; the worker answers, then exits."""


class WorkerHost:
    """Dispatches one decoded request to a command or, for `ns:command`, to one plugin."""

    def __init__(self, extractors: Sequence[plugins.Extractor], installed: bool = False) -> None:
        """`extractors` are hosted as given; with `installed`, the installed plugins too, each
        loaded on first use, so a worker starts fast and imports only what its calls need."""
        self.explicit_types = {ex.token_type: ex for ex in extractors}
        self.explicit_names = {ex.name: ex for ex in extractors}
        group = plugins.GROUPS["extractors"]
        self._pending = sorted(entry_points(group=group), key=lambda e: e.name) if installed else []
        self._loaded: list[plugins.Extractor] = []
        self.calls = 0
        self.errors = 0
        self.started = time.monotonic()
        self.exit_code: int | None = None  # set when the worker must stop after this reply

    def handle(self, message: Any) -> dict[str, Any]:
        """The reply to one message; never raises. Sets `exit_code` when the worker must stop."""
        call_id = message.get("id") if isinstance(message, dict) else None
        self.calls += 1
        try:
            if not isinstance(message, dict) or not isinstance(message.get("command"), str):
                raise ProtocolError("BadRequest", "a request is a map with id, command and args")
            args = message.get("args") or {}
            if not isinstance(args, dict):
                raise ProtocolError("BadRequest", "args must be a map")
            return ok(call_id, self._dispatch(message["command"], args))
        except Shutdown:
            self.exit_code = 0
            return ok(call_id, "bye")
        except MemoryError:
            # The heap may be in a bad state: answer, then let the supervisor start a fresh process.
            self.errors += 1
            self.exit_code = 3
            return error(call_id, "MemoryError", "worker ran out of memory (over its memory cap?)")
        except ProtocolError as exc:
            self.errors += 1
            return error(call_id, exc.kind, str(exc))
        except InputError as exc:
            self.errors += 1
            return error(call_id, "InputError", exc.reason)
        except DesignlensError as exc:
            self.errors += 1
            return error(call_id, type(exc).__name__, str(exc))
        except Exception as exc:  # a plugin's bug fails this call only
            self.errors += 1
            return error(call_id, "PluginError", f"{type(exc).__name__}: {exc}")

    def _load_until(self, wanted: str | None) -> None:
        """Load installed plugins (the entry named `wanted` first) until one answers to `wanted`."""
        order = sorted(self._pending, key=lambda e: e.name != wanted)
        for ep in order:
            self._pending.remove(ep)
            try:
                obj = ep.load()
                plugin = obj() if inspect.isclass(obj) else obj
            except Exception:  # a broken third-party plugin: `designlens plugins` reports it
                continue
            if isinstance(plugin, plugins.Extractor):
                self._loaded.append(plugin)
                if wanted is not None and wanted in (plugin.name, plugin.token_type):
                    return

    def find(self, key: str) -> plugins.Extractor | None:
        """The hosted extractor whose name or token type is `key`."""
        found = self.explicit_names.get(key) or self.explicit_types.get(key)
        if found is None:
            found = next((p for p in self._loaded if key in (p.name, p.token_type)), None)
        if found is None and self._pending:
            self._load_until(key)
            found = next((p for p in self._loaded if key in (p.name, p.token_type)), None)
        return found

    def hosted(self) -> list[plugins.Extractor]:
        self._load_until(None)
        out = {p.name: p for p in self._loaded}
        out.update(self.explicit_names)
        return list(out.values())

    def _dispatch(self, command: str, args: Mapping[str, Any]) -> Any:
        if ":" in command:
            namespace, _, sub = command.partition(":")
            extractor = self.find(namespace)
            if extractor is None:
                raise ProtocolError(
                    "UnknownNamespace",
                    f"no plugin {namespace!r} here "
                    f"(have: {', '.join(sorted(p.name for p in self.hosted()))})",
                )
            if sub == "extract":
                return self._extract(extractor, args)
            if sub == "info":
                return _plugin_info(extractor)
            raise ProtocolError("UnknownCommand", f"plugin {namespace!r} has no command {sub!r}")
        if command == "ping":
            return "pong"
        if command == "info":
            return self.info()
        if command == "stats":
            return self.stats()
        if command == "extract":
            token_type = args.get("token_type")
            extractor = self.find(str(token_type))
            if extractor is None:
                raise ProtocolError("UnknownNamespace", f"no extractor for token type {token_type!r} here")
            return self._extract(extractor, args)
        if command == "shutdown":
            raise Shutdown
        raise ProtocolError("UnknownCommand", f"unknown command {command!r} (have: {', '.join(COMMANDS)})")

    def _extract(self, extractor: plugins.Extractor, args: Mapping[str, Any]) -> dict[str, Any]:
        from designlens.images import DEFAULT_MAX_PIXELS
        from designlens.pipeline import extract_instance

        source = str(args.get("source") or args.get("path") or "<bytes>")
        data = args.get("data")
        if data is None:
            if "path" not in args:
                raise ProtocolError("BadRequest", "extract needs `data` (bytes) or `path`")
            try:
                data = Path(str(args["path"])).read_bytes()
            except OSError as exc:
                raise InputError(source, f"cannot read ({exc.strerror or exc})") from None
        if not isinstance(data, bytes):
            raise ProtocolError("BadRequest", "`data` must be bytes (msgpack bin)")
        scale = args.get("scale", "auto")
        start = time.perf_counter()
        out = extract_instance(
            data, source, extractor, dict(args.get("config") or {}),
            int(args.get("max_pixels") or DEFAULT_MAX_PIXELS), "auto" if scale == "auto" else float(scale),
            keep_decoded=True,  # the scheduler sends an image's token types to one worker in a row
        )
        return {
            "image_id": out.image_id,
            "width": out.width,
            "height": out.height,
            "scale": out.scale,
            "tokens": [token_to_data(t) for t in out.tokens],
            "warnings": list(out.warnings),
            "seconds": time.perf_counter() - start,
        }

    def info(self) -> dict[str, Any]:
        return {
            "protocol": PROTOCOL_VERSION,
            "name": "designlens-worker",
            "language": "python",
            "version": __version__,
            "pid": os.getpid(),
            "commands": list(COMMANDS),
            "plugins": [_plugin_info(ex) for ex in self.hosted()],
        }

    def stats(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "errors": self.errors,
            "uptime": time.monotonic() - self.started,
            "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }


def _plugin_info(ex: plugins.Extractor) -> dict[str, Any]:
    return {"name": ex.name, "version": ex.version, "token_type": ex.token_type}


def load_plugin(spec: str) -> plugins.Extractor:
    """`module:attr` -> an extractor instance (a class is instantiated)."""
    module_name, _, attr = spec.partition(":")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
        plugin = obj() if inspect.isclass(obj) else obj
    except Exception as exc:
        raise PluginError(f"{spec}: failed to load ({type(exc).__name__}: {exc})") from exc
    if not isinstance(plugin, plugins.Extractor):
        raise PluginError(f"{spec}: does not satisfy the extractor contract")
    return plugin


def serve(host: WorkerHost, stdin: IO[bytes], stdout: IO[bytes]) -> int:
    """Answer frames until stdin closes or `shutdown`; a bad frame gets an error reply, not an exit."""
    while True:
        try:
            body = read_frame(stdin)
            if body is None:
                return 0
            reply = host.handle(decode_body(body))
        except ProtocolError as exc:
            host.errors += 1
            reply = error(None, exc.kind, str(exc))
            if "ended" in str(exc):  # the stream is gone mid-frame: nothing left to answer
                return 1
        _send(stdout, reply)
        if host.exit_code is not None:
            return host.exit_code


def _send(stdout: IO[bytes], message: dict[str, Any]) -> None:
    stdout.write(encode(message))
    stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="designlens worker", description=__doc__)
    parser.add_argument(
        "--plugin", action="append", default=[], metavar="MODULE:ATTR",
        help="host this extractor too (overrides the installed one of its token type)",
    )
    opts = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    host = WorkerHost([load_plugin(s) for s in opts.plugin], installed=True)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # print() in a plugin must not land in the frame stream
    return serve(host, stdin, stdout)


if __name__ == "__main__":
    sys.exit(main())
