"""A worker decodes an image once for all the token types it runs on it, back to back."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from designlens import pipeline, plugins


def _png(color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, format="PNG")
    return buf.getvalue()


def test_instances_of_one_image_share_one_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = pipeline.decode

    def counting(data: bytes, source: str, **kw: object) -> object:
        calls.append(source)
        return real(data, source, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "decode", counting)
    pipeline._LAST_DECODED.clear()
    color = plugins.extractors()["color"]
    first, second = _png((10, 20, 30)), _png((200, 100, 50))
    a = pipeline.extract_instance(first, "a.png", color, {})
    b = pipeline.extract_instance(first, "again.png", color, {})
    assert calls == ["a.png"]
    assert [t.value for t in a.tokens] == [t.value for t in b.tokens]
    assert {p.source for t in b.tokens for p in t.provenance} == {"again.png"}  # its own name
    pipeline.extract_instance(second, "b.png", color, {})
    assert calls == ["a.png", "b.png"]  # other bytes: decoded anew
    pipeline.extract_instance(first, "a.png", color, {}, max_pixels=10**6)  # other limits: anew
    assert calls[-1] == "a.png" and len(calls) == 3


def test_the_pixels_handed_to_extractors_are_read_only() -> None:
    """So one extractor cannot change what the next one on the same image sees."""
    from designlens.images import decode

    image = decode(_png((1, 2, 3)), "x.png")
    assert isinstance(image.pixels, np.ndarray)
    with pytest.raises(ValueError):
        image.pixels[0, 0, 0] = 9


def test_a_worker_does_not_import_what_only_the_parent_needs() -> None:
    """Each worker is a process: the token graph (networkx, ~20 MB) and the store
    (SQLAlchemy) belong to the parent alone."""
    import subprocess
    import sys

    code = ("import sys, designlens.runtime.worker; "
            "print(sorted(m for m in ('networkx', 'sqlalchemy', 'rich') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
