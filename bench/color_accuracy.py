"""Color accuracy: designlens against the palette extractors a user would pick instead.

Every method runs on the same ground-truth pages in one run and is scored by the same
code as `designlens eval` (designlens.evaluate.score_page); milliseconds per image are
file to palette (decode included) for every method. designlens runs through the library
exactly as `designlens eval` does (process_image + aggregate, told the page's scale).

    .venv/bin/python bench/color_accuracy.py [DIR] [--json]      # DIR: eval/pages
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import peers
from rich.console import Console
from rich.table import Table

from designlens.evaluate import GroundTruth, Prediction, find_truths, mean_scores, predict_image, score_page

KEYS = ("color_recall", "color_recall_distinct", "color_precision", "color_exact", "color_f1", "palette_size")
ROOT = Path(__file__).resolve().parent.parent


def designlens_palette(truth: GroundTruth) -> list[str]:
    prediction, _seconds, error = predict_image(str(truth.image), truth.scale, ["color"], {})
    if prediction is None or prediction.colors is None:
        raise RuntimeError(f"{truth.image}: {error}")
    return list(prediction.colors)


def run_peer(fn: Callable[[peers.Pixels], list[str]], truth: GroundTruth) -> list[str]:
    return fn(peers.decode_rgb(truth.image.read_bytes()))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", nargs="?", default=str(ROOT / "eval" / "pages"))
    parser.add_argument("--json", action="store_true", help="print the table as JSON")
    args = parser.parse_args()

    truths, broken = find_truths(Path(args.directory))
    for err in broken:
        print(f"skipped: {err}", file=sys.stderr)
    found, missing = peers.available()
    if missing:
        print(f"not installed (run `make bench`): {', '.join(missing)}", file=sys.stderr)

    methods: dict[str, Callable[[GroundTruth], list[str]]] = {"designlens": designlens_palette}
    for name, fn in found.items():
        methods[name] = partial(run_peer, fn)

    rows: dict[str, dict[str, float | None]] = {}
    for name, method in methods.items():
        pages, seconds = [], []
        if truths:
            method(truths[0])  # warm-up: one-time costs (compiled kernels loading) belong to no image
        for truth in truths:
            start = time.perf_counter()
            palette = method(truth)
            seconds.append(time.perf_counter() - start)
            pages.append(score_page(truth, Prediction(colors=tuple(palette))))
        row = mean_scores(pages, KEYS)
        row["ms_per_image"] = 1000 * sum(seconds) / len(seconds)
        rows[name] = row
        print(f"{name}: done ({len(truths)} pages)", file=sys.stderr)

    if args.json:
        print(json.dumps({"pages": len(truths), "methods": rows}, indent=2))
        return 0
    table = Table(title=f"color accuracy on {len(truths)} pages of {args.directory} (mean over pages)")
    table.add_column("method", no_wrap=True)
    for key in (*KEYS, "ms_per_image"):
        table.add_column(key.replace("color_", "").replace("_", " "), justify="right")
    for name, row in rows.items():
        cells = []
        for key in (*KEYS, "ms_per_image"):
            v = row[key]
            wide = key in ("palette_size", "ms_per_image")
            cells.append("-" if v is None else f"{v:.1f}" if wide else f"{v:.3f}")
        table.add_row(name, *cells)
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
