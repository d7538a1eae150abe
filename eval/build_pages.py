#!/usr/bin/env python3
"""Build designlens' own eval page set: render eval/pages/*.html with headless
Chromium and write each page's screenshot and ground truth
(designlens-groundtruth/1, read from computed styles in the browser by
eval/groundtruth.js).

Needs: Debian's chromium at /usr/bin/chromium (or $CHROMIUM), the `playwright`
and `Pillow` + `numpy` Python packages (never `playwright install`: the system
browser is used), and `npm install` in eval/ once, so that the framework CSS can be
copied from eval/node_modules into eval/pages/assets/vendor/ (the copies are
committed, so rendering works without npm too).

    python eval/build_pages.py            # everything
    python eval/build_pages.py login chat # only these pages (and their variants)
    python eval/build_pages.py --set heldout   # the held-out set, eval/heldout/ (see its README)
    python eval/build_pages.py --set wide      # the second development set, eval/wide/ (see its README)

Nothing here touches the network: every request that is not file:, data: or
localhost is aborted.
"""
from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
from PIL import Image

EVAL = Path(__file__).resolve().parent
PAGES = EVAL / "pages"
ASSETS = PAGES / "assets"
VENDOR = ASSETS / "vendor"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # determinism: no font hinting/subpixel differences between runs
    "--font-render-hinting=none", "--disable-lcd-text", "--force-color-profile=srgb",
]
VIEWPORT = {"width": 1280, "height": 800}
SCHEMA = "designlens-groundtruth/1"

# Pages also rendered at device scale factor 2 (image 2560x1600, truth in CSS px)
HIDPI = ["dashboard", "pricing", "docs", "mobile-shop"]
# Pages also saved as JPEG (quality 85) with the PNG's truth
JPEG = ["landing", "settings", "data-table", "dark-dashboard"]

# framework CSS copied from node_modules (npm package, file) -> vendor name
VENDOR_FILES: dict[str, str | tuple[str, ...]] = {
    "bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bulma.min.css": "bulma/css/bulma.min.css",
    "pico.min.css": "@picocss/pico/css/pico.min.css",
    "pico.classless.min.css": "@picocss/pico/css/pico.classless.min.css",
    "primer.css": "@primer/css/dist/primer.css",
    "tachyons.min.css": "tachyons/css/tachyons.min.css",
    "spectre.min.css": "spectre.css/dist/spectre.min.css",
    # used only by the held-out set (eval/heldout/)
    "uikit.min.css": "uikit/dist/css/uikit.min.css",
    "foundation.min.css": "foundation-sites/dist/css/foundation.min.css",
    "materialize.min.css": "materialize-css/dist/css/materialize.min.css",
    "pure-min.css": "purecss/build/pure-min.css",
    "milligram.min.css": "milligram/dist/milligram.min.css",
    "chota.min.css": "chota/dist/chota.min.css",
    # used only by eval/wide/ (Tailwind and daisyUI pages are compiled there: see its README)
    "blueprint.css": "@blueprintjs/core/lib/css/blueprint.css",
    "carbon-components.min.css": "carbon-components/css/carbon-components.min.css",
    "beer.min.css": "beercss/dist/cdn/beer.min.css",
    "simple.min.css": "simpledotcss/simple.min.css",
    # Fomantic's semantic.min.css is 1.7 MB (emoji, flags, icon font): only the components a
    # page uses, concatenated in this order
    "fomantic.min.css": tuple(f"fomantic-ui-css/components/{c}.min.css" for c in (
        "reset", "site", "container", "grid", "menu", "segment", "header", "button", "label",
        "table", "statistic", "image", "input", "divider", "progress")),
}

# no animation, no transitions, no caret: the screenshot must match the truth
FREEZE_CSS = """*, *::before, *::after {
  animation: none !important; transition: none !important; caret-color: transparent !important;
  scroll-behavior: auto !important; }"""


def copy_vendor() -> None:
    nm = EVAL / "node_modules"
    VENDOR.mkdir(parents=True, exist_ok=True)
    for name, rel in VENDOR_FILES.items():
        srcs = [nm / r for r in ((rel,) if isinstance(rel, str) else rel)]
        dst = VENDOR / name
        if all(src.exists() for src in srcs):
            # drop source-map comments (the maps are not copied)
            data = b"\n".join(re.sub(rb"/\*# sourceMappingURL=[^*]*\*/\s*$", b"", src.read_bytes())
                              for src in srcs)
            if not dst.exists() or dst.read_bytes() != data:
                dst.write_bytes(data)
        elif not dst.exists():
            sys.exit(f"missing {dst} and {srcs[0]}: run `npm install` in {EVAL}")


def make_images() -> None:
    """Procedurally generated 'photos' (deterministic): smooth colourful fields
    plus noise, like a photo's texture, and a few avatars."""
    ASSETS.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20240611)

    def photo(name: str, w: int, h: int, palette: list[tuple[int, int, int]], seed: int) -> None:
        path = ASSETS / name
        if path.exists():
            return
        r = np.random.default_rng(seed)
        y, x = np.mgrid[0:h, 0:w].astype(np.float32)
        img = np.zeros((h, w, 3), np.float32)
        weights = np.zeros((h, w), np.float32)
        for col in palette:
            cx, cy = r.uniform(0, w), r.uniform(0, h)
            s = r.uniform(0.25, 0.6) * max(w, h)
            g = np.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s)))
            img += g[..., None] * np.array(col, np.float32)
            weights += g
        img /= np.maximum(weights, 1e-6)[..., None]
        # "hills" and texture
        img *= (0.85 + 0.15 * np.sin(x / w * 7 + np.sin(y / h * 5) * 2))[..., None]
        img += r.normal(0, 7, img.shape).astype(np.float32)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path, quality=88, optimize=True)

    photo("photo-mountain.jpg", 960, 540, [(40, 70, 130), (200, 120, 80), (250, 200, 120), (30, 60, 40)], 1)
    photo("photo-sea.jpg", 640, 420, [(10, 90, 160), (90, 190, 210), (230, 220, 180)], 2)
    photo("photo-forest.jpg", 640, 420, [(20, 80, 30), (120, 160, 60), (60, 40, 20)], 3)
    photo("photo-city.jpg", 640, 420, [(60, 60, 80), (230, 150, 60), (20, 20, 40), (180, 180, 200)], 4)
    for i, pal in enumerate([[(230, 120, 90), (250, 200, 160)], [(80, 120, 220), (160, 200, 250)],
                             [(90, 180, 120), (200, 240, 200)], [(180, 90, 200), (240, 190, 250)],
                             [(220, 180, 60), (250, 240, 180)], [(120, 120, 130), (210, 210, 220)]]):
        photo(f"avatar-{i + 1}.jpg", 96, 96, pal, 10 + i)
    for i, pal in enumerate([[(200, 60, 60), (250, 180, 160)], [(60, 60, 200), (220, 220, 250)],
                             [(40, 160, 160), (220, 250, 240)], [(230, 140, 20), (250, 230, 170)],
                             [(60, 60, 60), (200, 200, 200)], [(150, 60, 150), (240, 200, 240)],
                             [(90, 140, 60), (230, 240, 200)], [(20, 90, 150), (190, 220, 240)]]):
        photo(f"product-{i + 1}.jpg", 320, 320, pal, 20 + i)
    del rng


def page_source(html: str, name: str) -> str:
    m = re.search(r'<meta name="designlens-source" content="([^"]*)"', html)
    desc = m.group(1) if m else name
    return (
        f"designlens eval page set: {PAGES.name}/{name}.html ({desc}); "
        "rendered by headless Chromium via Playwright"
    )


def rendered_families(page) -> dict[int, str]:
    """Ask Chromium (DevTools protocol) which platform font drew each text
    element that groundtruth.js tagged with data-designlens-t: the family with
    the most glyphs."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    out: dict[int, str] = {}
    tagged = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-designlens-t]"})
    for node in tagged["nodeIds"]:
        attrs = cdp.send("DOM.getAttributes", {"nodeId": node})["attributes"]
        tid = int(dict(zip(attrs[::2], attrs[1::2], strict=True))["data-designlens-t"])
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node}).get("fonts", [])
        if fonts:
            out[tid] = max(fonts, key=lambda f: f.get("glyphCount", 0))["familyName"]
    cdp.detach()
    return out


def typography(elements: list[dict], families: dict[int, str]) -> list[dict]:
    """Sum glyph-box area per (font_size, line_height, font_weight, rendered family)."""
    groups: dict[tuple, dict] = {}
    for e in elements:
        fam = families.get(e["id"], e["font_family"])
        key = (e["font_size"], e["line_height"], e["font_weight"], fam)
        g = groups.setdefault(key, {"font_size": e["font_size"], "line_height": e["line_height"],
                                    "font_weight": e["font_weight"], "font_family": fam,
                                    "css_font_family": e["css_font_family"], "area": 0.0})
        g["area"] += e["area"]
    out = [dict(g, area=round(g["area"])) for g in groups.values() if round(g["area"]) > 0]
    return sorted(out, key=lambda g: (-g["area"], g["font_size"], g["font_family"]))


def save_png(data: bytes, path: Path) -> None:
    img = Image.open(io.BytesIO(data)).convert("RGB")
    img.save(path, optimize=True)


def write_json(path: Path, truth: dict) -> None:
    path.write_text(json.dumps(truth, indent=1) + "\n")


def main(argv: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    global PAGES, HIDPI, JPEG
    if argv[:1] == ["--set"] and len(argv) >= 2:
        # another page set beside pages/ (its pages link pages/assets): every page also as JPEG
        PAGES, HIDPI, argv = EVAL / argv[1], [], argv[2:]
        if not PAGES.is_dir():
            sys.exit(f"no page set {PAGES}")
        JPEG = sorted(p.stem for p in PAGES.glob("*.html"))
    copy_vendor()
    make_images()
    names = sorted(p.stem for p in PAGES.glob("*.html"))
    if argv:
        unknown = set(argv) - set(names)
        if unknown:
            sys.exit(f"unknown pages: {sorted(unknown)}")
        names = [n for n in names if n in argv]
    gt_js = (EVAL / "groundtruth.js").read_text()

    def route(r):
        url = r.request.url
        local = re.match(r"https?://(localhost|127\.0\.0\.1)[:/]", url)
        if url.startswith(("file:", "data:", "blob:", "about:")) or local:
            r.continue_()
        else:
            print(f"  blocked {url}", file=sys.stderr)
            r.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        version = browser.version

        def open_page(name: str, dsf: int):
            ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=dsf, reduced_motion="reduce",
                                      color_scheme="light", locale="en-US", timezone_id="UTC")
            ctx.route("**/*", route)
            page = ctx.new_page()
            page.goto((PAGES / f"{name}.html").as_uri(), wait_until="load")
            page.add_style_tag(content=FREEZE_CSS)
            page.evaluate("document.fonts.ready.then(() => true)")
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            return ctx, page

        for name in names:
            html = (PAGES / f"{name}.html").read_text()
            source = page_source(html, name) + f" {version}"
            ctx, page = open_page(name, 1)
            png = page.screenshot(full_page=False, animations="disabled", caret="hide")
            gt = page.evaluate(gt_js)
            gt["typography"] = typography(gt.pop("typography_elements"), rendered_families(page))
            ctx.close()
            save_png(png, PAGES / f"{name}.png")
            truth = {
                "schema": SCHEMA,
                "image": f"{name}.png",
                "source": source,
                "viewport": {
                    "width": VIEWPORT["width"], "height": VIEWPORT["height"], "device_scale_factor": 1,
                },
                "colors": gt["colors"],
                "typography": gt["typography"],
                "spacing": gt["spacing"],
                "radii": gt["radii"],
                "borders": gt["borders"],
                "border_colors": gt["border_colors"],
                "grids": gt["grids"],
                "shadows": gt["shadows"],
                "image_share": gt["image_share"],
            }
            write_json(PAGES / f"{name}.json", truth)
            top = gt["colors"][0] if gt["colors"] else None
            print(f"{name}: {len(gt['colors'])} colors (top {top}), {len(gt['typography'])} type styles, "
                  f"image {gt['image_share']:.3f}")

            if name in HIDPI:
                ctx, page = open_page(name, 2)
                png2 = page.screenshot(full_page=False, animations="disabled", caret="hide")
                ctx.close()
                save_png(png2, PAGES / f"{name}@2x.png")
                t2 = dict(truth, image=f"{name}@2x.png", source=source + ", device scale factor 2",
                          viewport=dict(truth["viewport"], device_scale_factor=2))
                write_json(PAGES / f"{name}@2x.json", t2)
            if name in JPEG:
                Image.open(PAGES / f"{name}.png").convert("RGB").save(PAGES / f"{name}.jpg", quality=85)
                tj = dict(truth, image=f"{name}.jpg", source=source + ", JPEG quality 85 copy of the PNG")
                write_json(PAGES / f"{name}-jpeg.json", tj)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
