"""Typography + shadow extraction speed per image, on one core, beside decode time.

For each image (the eval pages' 1x PNGs and JPEGs by default) it times Pillow decoding the file to
RGB pixels, then typography (`measure_styles`: lines, sizes, leading, weights) and shadows
(`find_shadows`) on those pixels. OpenCV runs single-threaded (the issue's budget is one
core; the pipeline runs one image per worker process anyway). Each timing is the best of
--repeat runs, in CPU time of this process (time.process_time: what one core spends, not
what a loaded machine's scheduler adds) and, for the total, also in wall time. The goal:
typography + shadows at most 60 ms per 1280x800 image.

    .venv/bin/python bench/typography.py [IMAGES...] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from designlens.extract.shadow import find_shadows
from designlens.extract.typography import measure_styles

PAGES = Path(__file__).resolve().parents[1] / "eval" / "pages"


def best_ms(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.process_time) -> float:
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return 1000 * min(times)


def _decode(path: Path) -> npt.NDArray[np.uint8]:
    return np.asarray(Image.open(path).convert("RGB"))


def _both(px: npt.NDArray[np.uint8]) -> object:
    return measure_styles(px), find_shadows(px)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("images", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    warnings.simplefilter("ignore")
    images = args.images or sorted(
        p for p in PAGES.iterdir() if p.suffix in (".png", ".jpg") and "@" not in p.name
    )
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} cores (CPU times below; wall time suffers from load)")
    head = ("image", "size", "decode", "type", "shadow", "total", "wall")
    print(f"{head[0]:28s} " + " ".join(f"{h:>10s}" for h in head[1:]) + "  ms")
    totals: list[float] = []
    for path in images:
        decode = best_ms(partial(_decode, path), args.repeat)
        px = _decode(path)
        typo = best_ms(partial(measure_styles, px), args.repeat)
        shadow = best_ms(partial(find_shadows, px), args.repeat)
        wall = best_ms(partial(_both, px), args.repeat, time.perf_counter)
        totals.append(typo + shadow)
        size = f"{px.shape[1]}x{px.shape[0]}"
        cells = " ".join(f"{v:10.1f}" for v in (decode, typo, shadow, typo + shadow, wall))
        print(f"{path.name:28s} {size:>10s} {cells}")
    if totals:
        print(
            f"median typography+shadows: {statistics.median(totals):.1f} ms, max {max(totals):.1f} ms "
            f"over {len(totals)} images (budget 60 ms per 1280x800); load now {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
