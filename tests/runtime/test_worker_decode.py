"""A worker decodes an image once for all the token types it runs on it, back to back."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from designlens import pipeline, plugins


def _png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, format="PNG")
    return buf.getvalue()


def _counting_decode(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = pipeline.decode

    def counting(data: bytes, source: str, **kw: Any) -> Any:
        calls.append(source)
        return real(data, source, **kw)

    monkeypatch.setattr(pipeline, "decode", counting)
    pipeline._KEPT.last = None
    return calls


def test_a_worker_decodes_the_instances_of_one_image_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_decode(monkeypatch)
    color = plugins.extractors()["color"]
    first, second = _png((10, 20, 30)), _png((200, 100, 50))
    a = pipeline.extract_instance(first, "a.png", color, {}, keep_decoded=True)
    b = pipeline.extract_instance(first, "again.png", color, {}, keep_decoded=True)
    assert calls == ["a.png"]
    assert [t.value for t in a.tokens] == [t.value for t in b.tokens]
    assert {p.source for t in b.tokens for p in t.provenance} == {"again.png"}  # its own name
    pipeline.extract_instance(second, "b.png", color, {}, keep_decoded=True)
    assert calls == ["a.png", "b.png"]  # other bytes: decoded anew
    pipeline.extract_instance(second, "b.png", color, {}, max_pixels=10**6, keep_decoded=True)
    assert len(calls) == 3  # another pixel limit: decoded anew


def test_a_worker_process_keeps_the_image_across_its_extract_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's own extract command asks for the kept image (a library call does not)."""
    from designlens.runtime.worker import WorkerHost

    calls = _counting_decode(monkeypatch)
    found = plugins.extractors()
    host = WorkerHost([found["color"], found["shadow"]])
    data = _png((10, 20, 30))
    for i, token_type in enumerate(("color", "shadow")):
        args = {"token_type": token_type, "data": data, "source": "a.png"}
        reply = host.handle({"id": i, "command": "extract", "args": args})
        assert reply["ok"] and reply["result"]["width"] == 64, reply
    assert calls == ["a.png"]


def test_a_library_call_keeps_no_pixels(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting_decode(monkeypatch)
    color = plugins.extractors()["color"]
    data = _png((10, 20, 30))
    pipeline.extract_instance(data, "a.png", color, {})
    pipeline.extract_instance(data, "a.png", color, {})
    assert len(calls) == 2 and getattr(pipeline._KEPT, "last", None) is None


def test_process_image_decodes_once_for_every_type(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    calls = _counting_decode(monkeypatch)
    path = tmp_path / "x.png"
    path.write_bytes(_png((10, 20, 30)))
    result = pipeline.process_image(str(path), ["color", "layout", "typography"], {})
    assert result.error is None and len(calls) == 1


def test_an_extractor_cannot_change_the_pixels_the_next_one_gets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even where Pillow would hand out a writable array, decoded pixels are read-only."""
    from designlens import images

    real_asarray = np.asarray

    def writable(obj: Any, *a: Any, **kw: Any) -> Any:
        arr = real_asarray(obj, *a, **kw)
        return arr.copy() if isinstance(obj, Image.Image) else arr  # a copy is writable

    monkeypatch.setattr(images.np, "asarray", writable)
    pipeline._KEPT.last = None
    data = _png((1, 2, 3))

    class Vandal:
        token_type = "color"

        def extract(self, image: Any, config: Any) -> list[Any]:
            image.pixels[0, 0, 0] = 9
            return []

    with pytest.raises(ValueError):
        pipeline.extract_instance(data, "x.png", Vandal(), {}, keep_decoded=True)  # type: ignore[arg-type]
    kept = pipeline._KEPT.last[2]
    assert int(kept.pixels[0, 0, 0]) == 1


def test_a_worker_does_not_import_what_only_the_parent_needs() -> None:
    """Each worker is a process: the token graph (networkx, ~20 MB) and the store
    (SQLAlchemy) belong to the parent alone."""
    import subprocess
    import sys

    code = ("import sys, designlens.runtime.worker; "
            "print(sorted(m for m in ('networkx', 'sqlalchemy', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
