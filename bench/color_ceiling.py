"""How much of a page's palette its pixels still hold: the color scores no extractor that
reads colors off the image can beat, next to designlens' scores.

For each truth color the "oracle" picks the image color nearest to it (CIEDE2000) among
those painted on at least --min-pixels pixels, so it knows the answer and only needs the
pixels to hold it. Scored with the eval's own code, its color_recall_distinct and
color_exact are ceilings: for a lossy copy (JPEG: 4:2:0 chroma and 8-bit YCbCr) they show
which truth colors the file no longer contains at all, exactly or within the eval's
ΔE2000 <= 2. Precision means nothing for the oracle and is not printed.

    .venv/bin/python bench/color_ceiling.py [DIR] [--min-pixels 4] [--only jpeg] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from designlens.colorspace import delta_e_2000, rgb_to_lab
from designlens.evaluate.run import evaluate_truths
from designlens.evaluate.scores import MIN_COLOR_SHARE, color_scores
from designlens.evaluate.truth import GroundTruth, find_truths
from designlens.images import decode
from designlens.tokens import Color

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("color_recall", "color_recall_distinct", "color_exact")


def oracle(truth: GroundTruth, min_pixels: int) -> list[str]:
    """For each truth color, the nearest color the image paints on >= min_pixels pixels."""
    pixels = decode(truth.image.read_bytes(), str(truth.image)).pixels.reshape(-1, 3)
    colors, counts = np.unique(pixels, axis=0, return_counts=True)
    colors = colors[counts >= min_pixels]
    lab = rgb_to_lab(colors)
    picked = []
    for c in truth.colors or ():
        if c.share < MIN_COLOR_SHARE:
            continue
        de = delta_e_2000(lab, rgb_to_lab(np.array(Color(c.hex).rgb, dtype=np.float64))[None, :])
        r, g, b = (int(v) for v in colors[int(de.argmin())])
        picked.append(Color.from_rgb(r, g, b).hex)
    return sorted(set(picked))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", nargs="?", default=str(ROOT / "eval" / "pages"))
    parser.add_argument("--min-pixels", type=int, default=4)
    parser.add_argument("--only", choices=("jpeg", "png", "all"), default="all")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    truths, _errors = find_truths(Path(args.directory))
    lossy = {".jpg", ".jpeg"}
    truths = [t for t in truths if t.colors and (
        args.only == "all" or (t.image.suffix.lower() in lossy) == (args.only == "jpeg"))]
    if not truths:
        print("no pages with color truth", file=sys.stderr)
        return 2
    ours = {p.truth.path: p.scores for p in evaluate_truths(truths, ("color",))[0]}
    rows = []
    for t in truths:
        ceiling = color_scores(t.colors or (), oracle(t, args.min_pixels))
        rows.append({"page": t.name, "image": t.image.name,
                     **{f"ceiling_{k}": ceiling[k] for k in KEYS},
                     **{k: ours.get(t.path, {}).get(k) for k in KEYS}})
    numeric = [k for k in rows[0] if k not in ("page", "image")]
    means = {k: float(np.mean([r[k] for r in rows if r[k] is not None])) for k in numeric}
    if args.json:
        print(json.dumps({"pages": rows, "overall": means}, indent=2))
        return 0
    table = Table(title=f"color scores: what the pixels hold (ceiling) vs designlens, {len(rows)} pages")
    table.add_column("page")
    for k in KEYS:
        short = k.removeprefix("color_")
        table.add_column(f"{short} ceiling", justify="right")
        table.add_column(f"{short} ours", justify="right")
    for r in [*rows, {"page": "mean", **means}]:
        cells = []
        for k in KEYS:
            cells += [f"{r[f'ceiling_{k}']:.3f}" if r[f"ceiling_{k}"] is not None else "-",
                      f"{r[k]:.3f}" if r[k] is not None else "-"]
        table.add_row(str(r["page"]), *cells)
    Console(width=140).print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
