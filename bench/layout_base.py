"""How often the spacing base unit is right, on a page set in the designlens-groundtruth/1 format.

    .venv/bin/python bench/layout_base.py [DIR]   (default eval/pages)

The truth's spacing values are the page's CSS declarations. A page "uses a 4 px or 8 px
system" when at least 85% of its declared spacing (by count, values declared at least twice)
sits on multiples of 4 px (within 0.25 px); its base is 8 when 95% sits on multiples of
8 px, else 4. Each page is extracted and aggregated on its own, as `designlens extract` would
for that one image, and the inferred base (with its confidence and scale kind) is compared.
Pages outside a 4/8 system are listed for context but not scored.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from designlens.evaluate.truth import find_truths
from designlens.pipeline import aggregate, process_image


def _share(values: Sequence[tuple[float, int]], base: float) -> float:
    total = sum(c for _, c in values)
    on = sum(c for v, c in values if abs(v - round(v / base) * base) <= 0.25)
    return on / total if total else 0.0


def truth_base(values: Sequence[tuple[float, int]]) -> float | None:
    """8 or 4 for a page whose CSS uses a 4/8 px system, else None."""
    if not values or _share(values, 4) < 0.85:
        return None
    return 8.0 if _share(values, 8) >= 0.95 else 4.0


def main() -> None:
    warnings.simplefilter("ignore")
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "eval/pages")
    truths, _ = find_truths(folder)
    right = scored = 0
    print(f"{'page':24s} {'truth':>6s} {'base':>6s} {'conf':>6s}  kind")
    for t in truths:
        if t.spacing is None:
            continue
        want = truth_base([(s.px, s.count) for s in t.spacing if s.count >= 2])
        result = process_image(str(t.image), ["layout"], {}, scale=t.scale)
        spacing = [x for x in result.tokens if x.name.startswith("spacing.")]
        tokens = aggregate([replace(result, tokens=tuple(spacing))], ["layout"], {})
        scales = [x.extensions["scale"] for x in tokens if x.name.startswith("spacing.")]
        scale: dict[str, Any] = scales[0] if scales else {}
        got = scale.get("base")
        mark = "" if want is None else ("ok" if got == want else "WRONG")
        if want is not None:
            scored += 1
            right += got == want
        want_s = "-" if want is None else f"{want:g}"
        got_s = "-" if got is None else f"{got:g}"
        conf, kind = scale.get("confidence", 0.0), scale.get("kind", "")
        print(f"{t.name:24s} {want_s:>6s} {got_s:>6s} {conf:6.2f}  {kind} {mark}")
    print(f"base unit right on {right} of {scored} pages whose CSS uses a 4 px or 8 px system")


if __name__ == "__main__":
    main()
