"""How often the spacing base unit is right, on a page set in the designlens-groundtruth/1 format.

    .venv/bin/python bench/layout_base.py [DIR] [--set TYPE.KEY=VALUE ...] [--values]

DIR defaults to eval/pages. `--set` passes extractor and aggregator settings as the CLI
does (VALUE as JSON, else text; e.g. `--set layout.line_boxes=false` or
`--set 'spacing.base_prior={}'`); `--values` prints each page's
measured spacing values as value:sightings, marked `i` for sightings to a line box of
inferred line height (with the px they would grow by at CSS `normal` line height) and `w`
for possible slack (e.g. `9:10i6+2.2` is 10 sightings, 6 inferred, each perhaps 2.2 px more).

The truth's spacing values are the page's CSS declarations. A page "uses a 4 px or 8 px
system" when at least 85% of its declared spacing (by count, values declared at least twice)
sits on multiples of 4 px (within 0.25 px); its base is 8 when 95% sits on multiples of
8 px, else 4. Each page is extracted and aggregated on its own, as `designlens extract` would
for that one image, and the inferred base (with its confidence and scale kind) is compared.
Pages outside a 4/8 system are listed for context but not scored.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from designlens import plugins
from designlens.evaluate.truth import find_truths
from designlens.pipeline import ImageResult, aggregate, process_image
from designlens.tokens import Dimension, Token


def _share(values: Sequence[tuple[float, int]], base: float) -> float:
    total = sum(c for _, c in values)
    on = sum(c for v, c in values if abs(v - round(v / base) * base) <= 0.25)
    return on / total if total else 0.0


def truth_base(values: Sequence[tuple[float, int]]) -> float | None:
    """8 or 4 for a page whose CSS uses a 4/8 px system, else None."""
    if not values or _share(values, 4) < 0.85:
        return None
    return 8.0 if _share(values, 8) >= 0.95 else 4.0


def settings(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """`TYPE.KEY=VALUE` pairs as per-type config (extractors' and aggregators'), checked as the
    CLI's `--set` is."""
    try:
        return plugins.settings(items)
    except ValueError as e:
        raise SystemExit(str(e)) from None


def measured(tokens: Sequence[Token]) -> str:
    """A page's raw spacing values: `value:count`, then `i<n>` inferred and `w<n>` weak sightings."""
    out = []
    for t in sorted(tokens, key=lambda t: t.value.value if isinstance(t.value, Dimension) else 0.0):
        if not isinstance(t.value, Dimension):
            continue
        ext = t.extensions
        text = f"{t.value.value:g}:{ext.get('count', 1)}"
        text += f"i{ext['inferred']}{ext.get('slack', 0.0):+g}" if ext.get("inferred") else ""
        text += f"w{ext['weak']}" if ext.get("weak") else ""
        out.append(text)
    return " ".join(out)


FLAT = {"spacing": {"base_prior": {}}}  # every candidate base alike


def _scale(result: ImageResult, config: dict[str, Any]) -> dict[str, Any]:
    """The spacing scale (base, kind, confidence) of one page's aggregated spacing tokens."""
    tokens = aggregate([result], ["layout"], config)
    scales = [x.extensions["scale"] for x in tokens if x.name.startswith("spacing.")]
    return dict(scales[0]) if scales else {}


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="eval/pages")
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="TYPE.KEY=VALUE")
    parser.add_argument("--values", action="store_true", help="print each page's measured spacing values")
    args = parser.parse_args()
    config = settings(args.settings)
    truths, _ = find_truths(Path(args.folder))
    right = scored = flat = always4 = 0
    print(f"{'page':24s} {'truth':>6s} {'base':>6s} {'conf':>6s}  kind")
    for t in truths:
        if t.spacing is None:
            continue
        want = truth_base([(s.px, s.count) for s in t.spacing if s.count >= 2])
        result = process_image(str(t.image), ["layout"], config, scale=t.scale)
        spacing = [x for x in result.tokens if x.name.startswith("spacing.")]
        scale = _scale(replace(result, tokens=tuple(spacing)), config)
        got = scale.get("base")
        mark = "" if want is None else ("ok" if got == want else "WRONG")
        if want is not None:
            scored += 1
            right += got == want
            flat_config = {**config, "spacing": {**config.get("spacing", {}), **FLAT["spacing"]}}
            flat += _scale(replace(result, tokens=tuple(spacing)), flat_config).get("base") == want
            always4 += want == 4.0
        want_s = "-" if want is None else f"{want:g}"
        got_s = "-" if got is None else f"{got:g}"
        conf, kind = scale.get("confidence", 0.0), scale.get("kind", "")
        print(f"{t.name:24s} {want_s:>6s} {got_s:>6s} {conf:6.2f}  {kind} {mark}")
        if args.values:
            print(f"{'':24s} measured {measured(spacing)}")
    print(f"base unit right on {right} of {scored} pages whose CSS uses a 4 px or 8 px system")
    # what the figure rests on: the same model without its prior, and a constant answer
    print(f"  for comparison: flat prior {flat} of {scored}; always answering 4 px {always4} of {scored}")


if __name__ == "__main__":
    main()
