"""Color extraction speed: designlens against its peers, in one process on the same images.

For each image (the eval pages' PNGs by default) it times Pillow decoding the file to RGB
pixels, designlens' `find_paint_colors` on those pixels, and each peer on the same pixels
(peers.py; converting to the input a peer wants counts as the peer's). Each timing is the
median of --repeat runs (a run over a second is not repeated). It prints seconds per image
and each method's time as a multiple of decode time. The goal: faster than every peer and
at most 1.5x the decode time.

    .venv/bin/python bench/color.py [IMAGES...] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import peers
from rich.console import Console
from rich.table import Table

from designlens.extract.color import find_paint_colors

ROOT = Path(__file__).resolve().parent.parent
GOAL_DECODE_RATIO = 1.5


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of `repeat` runs; one run when the first takes over a second."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
        if runs[0] > 1.0:
            break
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("images", nargs="*", help="image files (default: eval/pages/*.png)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    paths = [Path(p) for p in args.images] or sorted((ROOT / "eval" / "pages").glob("*.png"))
    if not paths:
        print("no images", file=sys.stderr)
        return 2
    found, missing = peers.available()
    if missing:
        print(f"not installed (run `make bench`): {', '.join(missing)}", file=sys.stderr)
    methods: dict[str, Callable[[peers.Pixels], object]] = {"designlens": find_paint_colors, **found}

    # Warm-up on the first image: one-time costs (designlens loading its compiled kernels,
    # a peer's lazy imports) belong to no image.
    first = peers.decode_rgb(paths[0].read_bytes())
    for fn in methods.values():
        fn(first)
    decode: list[float] = []
    seconds: dict[str, list[float]] = {name: [] for name in methods}
    for path in paths:
        data = path.read_bytes()
        decode.append(timed(partial(peers.decode_rgb, data), args.repeat))
        px = peers.decode_rgb(data)
        for name, fn in methods.items():
            seconds[name].append(timed(partial(fn, px), args.repeat))
        print(f"{path.name}: {px.shape[1]}x{px.shape[0]}", file=sys.stderr)

    total_decode = sum(decode)
    rows = {
        name: {
            "seconds_per_image": sum(s) / len(s),
            "x_decode": sum(s) / total_decode,  # total time over total decode time
            "x_decode_worst": max(a / b for a, b in zip(s, decode, strict=True)),
        }
        for name, s in seconds.items()
    }
    mine = rows["designlens"]
    mine_s = mine["seconds_per_image"]
    faster_peers = [n for n, r in rows.items() if n != "designlens" and r["seconds_per_image"] < mine_s]
    summary = {
        "images": len(paths),
        "cpus": os.cpu_count(),
        "decode_seconds_per_image": total_decode / len(paths),
        "methods": rows,
        "faster_than_every_peer": not faster_peers,
        "peers_faster_than_designlens": faster_peers,
        "within_goal_of_decode": mine["x_decode"] <= GOAL_DECODE_RATIO,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    table = Table(title=f"color extraction speed on {len(paths)} images (decode: Pillow to RGB)")
    table.add_column("method", no_wrap=True)
    table.add_column("s / image", justify="right")
    table.add_column("x decode", justify="right")
    table.add_column("worst x decode", justify="right")
    table.add_row("Pillow decode", f"{summary['decode_seconds_per_image']:.4f}", "1.00", "1.00")
    for name, r in rows.items():
        cells = (f"{r['seconds_per_image']:.4f}", f"{r['x_decode']:.2f}", f"{r['x_decode_worst']:.2f}")
        table.add_row(name, *cells)
    console = Console(width=120)
    console.print(table)
    verdict = "yes" if not faster_peers else f"no (faster: {', '.join(faster_peers)})"
    console.print(
        f"designlens faster than every peer: {verdict}; "
        f"within {GOAL_DECODE_RATIO}x decode: {'yes' if summary['within_goal_of_decode'] else 'no'} "
        f"({mine['x_decode']:.2f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
