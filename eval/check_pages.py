#!/usr/bin/env python3
"""Validate every ground-truth JSON in eval/pages (or the folders given) against
designlens-groundtruth/1: schema field, image present with the right size,
required keys and types, shares in [0, 1] and their total <= 1.05, plus a few
plausibility checks (a text colour on every page with text, distinct keys).
Exit status 1 on any error.  Needs only Pillow (for image sizes)."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SCHEMA = "designlens-groundtruth/1"
HEX = re.compile(r"^#[0-9a-f]{6}$")


def num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check(path: Path) -> list[str]:
    err: list[str] = []
    try:
        d = json.loads(path.read_text())
    except ValueError as e:
        return [f"not JSON: {e}"]
    if d.get("schema") != SCHEMA:
        return []  # not a truth file
    img = path.parent / str(d.get("image", ""))
    vp = d.get("viewport", {})
    dsf = vp.get("device_scale_factor", 1)
    if not img.is_file():
        err.append(f"image {img.name} missing")
    else:
        try:
            from PIL import Image
            with Image.open(img) as im:
                want = (round(vp.get("width", 0) * dsf), round(vp.get("height", 0) * dsf))
                if im.size != want:
                    err.append(f"image size {im.size} != viewport*dsf {want}")
        except ImportError:
            pass
    if not (num(vp.get("width")) and num(vp.get("height")) and num(dsf) and dsf > 0):
        err.append("bad viewport")
    if not isinstance(d.get("source", ""), str):
        err.append("source not a string")
    for key in ("colors", "typography", "spacing", "radii", "shadows"):
        if not isinstance(d.get(key, []), list):
            err.append(f"{key} not a list")
    total = 0.0
    seen = set()
    for c in d.get("colors", []):
        if not (isinstance(c.get("hex"), str) and HEX.match(c["hex"])):
            err.append(f"bad hex {c.get('hex')!r}")
        s = c.get("share")
        if not (num(s) and 0 <= s <= 1):
            err.append(f"bad share {s!r} for {c.get('hex')}")
        else:
            total += s
        if not isinstance(c.get("kind"), str):
            err.append(f"bad kind for {c.get('hex')}")
        k = (c.get("hex"), c.get("kind"))
        if k in seen:
            err.append(f"duplicate color entry {k}")
        seen.add(k)
    if total > 1.05:
        err.append(f"total share {total:.3f} > 1.05")
    for t in d.get("typography", []):
        for k in ("font_size", "line_height", "font_weight", "area"):
            if not (num(t.get(k)) and t[k] > 0):
                err.append(f"typography entry with bad {k}: {t}")
        if not isinstance(t.get("font_family"), str):
            err.append(f"typography entry without font_family: {t}")
    for key, field in (("spacing", "px"), ("radii", "px"), ("shadows", "css")):
        vals = [e.get(field) for e in d.get(key, [])]
        if len(vals) != len(set(map(str, vals))):
            err.append(f"duplicate values in {key}")
        for e in d.get(key, []):
            if not (num(e.get("count")) and e["count"] >= 1):
                err.append(f"{key} entry with bad count: {e}")
            if field == "px" and not (num(e.get("px")) and e["px"] > 0):
                err.append(f"{key} entry with bad px: {e}")
            if field == "css" and not (isinstance(e.get("css"), str) and e["css"]):
                err.append(f"{key} entry with bad css: {e}")
    if d.get("typography") and not any(c.get("kind") == "text" for c in d.get("colors", [])):
        err.append("page has text but no text colour")
    return err


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv] or [Path(__file__).resolve().parent / "pages"]
    n = bad = 0
    for folder in dirs:
        for path in sorted(folder.glob("*.json")):
            errs = check(path)
            try:
                is_truth = json.loads(path.read_text()).get("schema") == SCHEMA
            except ValueError:
                is_truth = True
            if not is_truth:
                continue
            n += 1
            if errs:
                bad += 1
                for e in errs:
                    print(f"{path.name}: {e}")
    print(f"{n} truth files checked, {bad} with errors")
    return 1 if bad or n == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
