"""Helpers shared by the runtime tests: generated screenshots and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw

FAULTPLUG = Path(__file__).parent / "faultplug"
DESIGNLENS = str(Path(sys.executable).parent / "designlens")
JS_WORKER = Path(__file__).parent / "worker.js"


def make_screens(folder: Path, names: Sequence[str], size: tuple[int, int] = (240, 160)) -> list[Path]:
    """Small UI-like PNGs, each different (so each is its own image)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, name in enumerate(names):
        img = Image.new("RGB", size, "#ffffff")
        d = ImageDraw.Draw(img)
        d.rectangle([0, 0, size[0], 24], fill="#1f2937")
        d.rectangle([16, 40, 16 + 40 + (i * 7) % 120, 90], fill="#2563eb")
        d.rectangle([20, 110, 200, 140], fill=(200, (i * 37) % 256, 60))
        img.putpixel((size[0] - 1, size[1] - 1), (i % 256, i // 256 % 256, 7))  # unique even when tiny
        path = folder / name
        img.save(path)
        out.append(path)
    return out


def env(tmp: Path, **extra: str) -> dict[str, str]:
    """A subprocess environment that sees the fault plugin and keeps its store and cache in `tmp`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DESIGNLENS_")}
    return {**base, "PYTHONPATH": str(FAULTPLUG), "XDG_CACHE_HOME": str(tmp / "xdg"), **extra}


def run_cli(
    args: Sequence[str], tmp: Path, timeout: float = 240, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DESIGNLENS, *args], env=env(tmp, **extra), capture_output=True, text=True, timeout=timeout, cwd=tmp
    )
