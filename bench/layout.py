"""Layout extraction speed: boxes + spacing + radii + borders per image, beside decode time.

    .venv/bin/python bench/layout.py [DIR]   (default eval/pages; one core: set OMP/cv2 threads to 1)

Target: at most 40 ms per 1280x800 image on one core (CPU time, best of 5), with the default settings
(line boxes on). Also times a 1280x20000 full-page capture (processed in bands) and reports its peak
extra memory, and the layout without the line-box paddings (`line_boxes=false`: their text pass is
the difference).
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import cv2
import numpy as np

from designlens.extract.layout import analyze_layout, layout_tokens
from designlens.images import decode


def _best(fn: object, runs: int = 5) -> float:
    """Best of `runs`, in CPU ms of this process: on a shared machine wall time mostly
    measures the neighbours."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - start)
    return min(times) * 1000


def main() -> None:
    cv2.setNumThreads(1)
    warnings.simplefilter("ignore")
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "eval/pages")
    decode_ms, layout_ms, boxes_ms = [], [], []
    off = {"line_boxes": False}
    print(f"{'image':28s} {'size':>11s} {'decode ms':>10s} {'layout ms':>10s} {'no line boxes':>14s}")
    for path in sorted(folder.glob("*.png")) + sorted(folder.glob("*.jpg")):
        data = path.read_bytes()
        d = _best(lambda data=data, path=path: decode(data, str(path)))
        image = decode(data, str(path))
        t = _best(lambda image=image: layout_tokens(analyze_layout(image.pixels, image.scale), image))
        lb = _best(lambda image=image: layout_tokens(analyze_layout(image.pixels, image.scale, off), image))
        print(f"{path.name:28s} {image.width:>5d}x{image.height:<5d} {d:10.1f} {t:10.1f} {lb:14.1f}")
        if (image.width, image.height) == (1280, 800):
            decode_ms.append(d)
            layout_ms.append(t)
            boxes_ms.append(lb)
    if layout_ms:
        print(
            f"1280x800 ({len(layout_ms)} images): decode median {statistics.median(decode_ms):.1f} ms, "
            f"layout median {statistics.median(layout_ms):.1f} ms, max {max(layout_ms):.1f} ms, "
            f"{sum(t > 40 for t in layout_ms)} over the 40 ms target; without line boxes median "
            f"{statistics.median(boxes_ms):.1f} ms, max {max(boxes_ms):.1f} ms, "
            f"{sum(t > 40 for t in boxes_ms)} over"
        )
    tall = np.full((20000, 1280, 3), 255, np.uint8)
    rng = np.random.default_rng(1)
    for top in range(40, 19900, 160):
        x = int(rng.integers(20, 900))
        tall[top : top + 100, x : x + 300] = (241, 243, 245)
        tall[top + 30 : top + 60, x + 16 : x + 140] = (37, 99, 235)
    analyze_layout(tall[:1000])  # the compiled kernels loaded for writable arrays, as in a worker
    tracemalloc.start()
    start = time.process_time()
    layout = analyze_layout(tall)
    seconds = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(
        f"1280x20000 tall page: {seconds * 1000:.0f} ms, {len(layout.boxes)} boxes, "
        f"peak extra memory {peak:.0f} MB (image itself {tall.nbytes / 1e6:.0f} MB)"
    )


if __name__ == "__main__":
    main()
