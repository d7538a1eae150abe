"""report.html: what a designer opens first. One self-contained page: no script, no network.

Swatches grouped by ramp with share bars and thumbnails of the images each color came
from, semantic roles with their evidence, the spacing scale as bars, type specimens at
the measured sizes, radius and shadow previews, the contrast matrix and the
relationship graph (inline SVG). Options: `thumbnails` ({image id: PNG/JPEG/WebP bytes},
embedded as data: URIs) and `title`.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from html import escape
from typing import Any

from designlens.export._common import prepare
from designlens.export.css import css_value
from designlens.relate.aliases import resolve
from designlens.relate.contrast import contrast_matrix
from designlens.relate.graph import TokenGraph
from designlens.relate.ramps import ramps
from designlens.tokens import Alias, Color, Dimension, Shadow, Token, TokenSet, Typography

MAX_THUMBNAILS = 4
EDGE_COLORS = {
    "aliases": "#7c3aed",
    "composes": "#0891b2",
    "contrast": "#dc2626",
    "ramp-darker": "#64748b",
    "multiple-of": "#16a34a",
    "scale-up": "#d97706",
}
_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;
background:#fff}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.6rem;margin:.2em 0}h2{font-size:1.2rem;margin:1.6em 0 .5em;border-bottom:1px solid #e5e7eb}
h3{font-size:1rem;margin:1em 0 .3em;text-transform:capitalize}
.muted{color:#4b5563}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px}
.card{border:1px solid #e5e7eb;border-radius:8px;overflow:hidden;background:#fff}
.chip{height:64px}.meta{padding:6px 8px;font-size:12px;word-break:break-all}
.bar{height:6px;background:#e5e7eb;border-radius:3px;margin-top:4px}.bar>span{display:block;height:6px;
background:#111827;border-radius:3px}
.thumbs{display:flex;gap:4px;margin-top:4px;flex-wrap:wrap}
.thumbs img{width:40px;height:28px;object-fit:cover;
border:1px solid #e5e7eb;border-radius:3px}
.row{display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px;margin:4px 0;font-size:13px}
.row code{min-width:110px}
.space{height:14px;background:#3b82f6;border-radius:2px}
.specimen{margin:10px 0;padding:8px 0;border-bottom:1px dashed #e5e7eb;overflow-wrap:anywhere}
.box{width:96px;height:64px;background:#f3f4f6;border:1px solid #d1d5db}
.shadow{width:120px;height:72px;background:#fff;margin:16px}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:12px}
th,td{border:1px solid #e5e7eb;padding:4px 6px;text-align:center;vertical-align:middle}
th{background:#f9fafb;font-weight:600}.cell{min-width:86px}.cell b{font-size:18px;display:block}
.pass{color:#166534}.fail{color:#991b1b}.legend span{display:inline-block;margin-right:12px;font-size:12px}
svg{max-width:100%;height:auto}
"""


def _data_uri(data: bytes) -> str:
    mime = "image/png"
    if data[:2] == b"\xff\xd8":
        mime = "image/jpeg"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _share(token: Token) -> float:
    return float(token.extensions.get("share", 0.0))


def _swatches(tokens: TokenSet, thumbnails: Mapping[str, bytes]) -> str:
    groups = ramps(tokens.of_type("color"))
    if not groups:
        return "<p class=muted>No colors.</p>"
    top = max((_share(t) for members in groups.values() for t in members), default=0.0) or 1.0
    parts = []
    for family, members in groups.items():
        cards = []
        for t in members:
            assert isinstance(t.value, Color)
            thumbs = "".join(
                f'<img alt="{escape(p.source)}" title="{escape(p.source)}" '
                f'src="{_data_uri(thumbnails[p.image])}">'
                for p in t.provenance[:MAX_THUMBNAILS]
                if p.image in thumbnails
            )
            width = 100.0 * _share(t) / top
            cards.append(
                f'<div class=card><div class=chip style="background:{css_value(t.value)}"></div>'
                f"<div class=meta><b>{escape(t.name)}</b><br>{t.value.hex}"
                f"{'' if t.value.alpha >= 1 else f' α {t.value.alpha:g}'}"
                f" · {_share(t) * 100:.1f}%"
                f'<div class=bar title="share of pixels"><span style="width:{width:.1f}%"></span></div>'
                f"{f'<div class=thumbs>{thumbs}</div>' if thumbs else ''}</div></div>"
            )
        parts.append(f"<h3>{escape(family)}</h3><div class=grid>{''.join(cards)}</div>")
    return "".join(parts)


def _roles(tokens: TokenSet) -> str:
    rows = []
    for t in tokens:
        if t.type == "color" and isinstance(t.value, Alias) and "role" in t.extensions:
            value = resolve(tokens, t.name)
            chip = css_value(value)
            rows.append(
                f'<div class=row><span class=box style="width:28px;height:28px;background:{chip}"></span>'
                f"<code>{escape(t.name)}</code> → <code>{escape(t.value.path)}</code>"
                f"<span class=muted>{escape(str(t.extensions.get('evidence', '')))}</span></div>"
            )
    return "".join(rows) or "<p class=muted>No semantic roles were evident.</p>"


def _px(value: object) -> float:
    if isinstance(value, Dimension):
        return value.value * 16.0 if value.unit == "rem" else value.value
    return 0.0


def _spacing(tokens: TokenSet) -> str:
    dims = [
        (t.name, resolve(tokens, t.name))
        for t in tokens.of_type("dimension")
        if t.name.startswith("spacing.")
    ]
    if not dims:
        return "<p class=muted>No spacing tokens.</p>"
    dims.sort(key=lambda d: (_px(d[1]), d[0]))
    return "".join(
        f"<div class=row><code>{escape(n)}</code>"
        f'<span class=space style="width:{min(_px(v), 600):g}px"></span>'
        f"<span>{css_value(v)}</span></div>"
        for n, v in dims
    )


def _type(tokens: TokenSet) -> str:
    parts = []
    for t in tokens:
        if t.type != "typography":
            continue
        v = resolve(tokens, t.name)
        assert isinstance(v, Typography)
        style = (
            f"font-family:{escape(css_value(v.font_family))};font-size:{css_value(v.font_size)};"
            f"font-weight:{css_value(v.font_weight)};line-height:{css_value(v.line_height)};"
            f"letter-spacing:{css_value(v.letter_spacing)}"
        )
        label = (
            f"{escape(t.name)} · {css_value(v.font_size)} / {css_value(v.line_height)} · "
            f"{css_value(v.font_weight)} · {escape(css_value(v.font_family))}"
        )
        parts.append(
            f'<div class=specimen><div class=muted style="font-size:12px">{label}</div>'
            f'<div style="{style}">The quick brown fox jumps over the lazy dog 0123456789</div></div>'
        )
    for t in tokens.of_type("dimension"):
        if t.name.startswith("font.size."):
            size = css_value(resolve(tokens, t.name))
            parts.append(
                f'<div class=specimen><div class=muted style="font-size:12px">{escape(t.name)} · {size}</div>'
                f'<div style="font-size:{size}">Aa Bb Cc 123</div></div>'
            )
    return "".join(parts) or "<p class=muted>No typography tokens.</p>"


def _radii_shadows(tokens: TokenSet) -> str:
    radii = [
        f'<div><div class=box style="border-radius:{css_value(resolve(tokens, t.name))}"></div>'
        f"<div class=meta>{escape(t.name)}<br>{css_value(resolve(tokens, t.name))}</div></div>"
        for t in tokens.of_type("dimension")
        if t.name.startswith("radius.")
    ]
    shadows = []
    for t in tokens.of_type("shadow"):
        value = resolve(tokens, t.name)
        assert isinstance(value, Shadow)
        shadows.append(
            f'<div><div class=shadow style="box-shadow:{css_value(value)}"></div>'
            f"<div class=meta>{escape(t.name)}</div></div>"
        )
    return (
        "<h3>radii</h3>"
        + (f"<div class=grid>{''.join(radii)}</div>" if radii else "<p class=muted>No radius tokens.</p>")
        + "<h3>shadows</h3>"
        + (f"<div class=grid>{''.join(shadows)}</div>" if shadows else "<p class=muted>No shadow tokens.</p>")
    )


def _verdict(ok: bool, label: str) -> str:
    return f"<span class={'pass' if ok else 'fail'}>{label} {'✓' if ok else '✗'}</span>"


def _matrix(tokens: TokenSet, graph: TokenGraph) -> str:
    pairs = graph.of_type("contrast")
    if not pairs:
        return "<p class=muted>No text/background pairs.</p>"
    m = contrast_matrix(tokens, pairs)
    head = "".join(f"<th>{escape(b)}</th>" for b in m["backgrounds"])
    rows = []
    for text in m["texts"]:
        cells = []
        fg = css_value(resolve(tokens, text))
        for bg in m["backgrounds"]:
            a = m["cells"][text].get(bg)
            if a is None:
                cells.append("<td>–</td>")
                continue
            cells.append(
                f'<td class=cell style="background:{css_value(resolve(tokens, bg))};color:{fg}"><b>Aa</b>'
                f"<span>{a['wcag']}:1 · Lc {a['apca']}</span></td>"
            )
        rows.append(f"<tr><th>{escape(text)}</th>{''.join(cells)}</tr>")
    verdicts = []
    for r in pairs:
        a = r.attributes
        verdicts.append(
            f"<tr><td>{escape(r.source)}</td><td>{escape(r.target)}</td><td>{a['wcag']}:1</td><td>{a['apca']}</td>"
            f"<td>{_verdict(a['aa'], 'AA')} {_verdict(a['aaLarge'], 'AA large')} "
            f"{_verdict(a['aaa'], 'AAA')} {_verdict(a['aaaLarge'], 'AAA large')}</td>"
            f"<td>{escape(a['evidence'])}</td></tr>"
        )
    return (
        f"<div class=scroll><table><tr><th>text \\ background</th>{head}</tr>{''.join(rows)}</table></div>"
        "<details><summary>WCAG 2.2 verdicts per pair</summary><div class=scroll><table>"
        "<tr><th>text</th><th>background</th><th>WCAG</th><th>APCA Lc</th><th>verdicts</th>"
        "<th>evidence</th></tr>"
        f"{''.join(verdicts)}</table></div></details>"
    )


def _graph_svg(tokens: TokenSet, graph: TokenGraph) -> str:
    edges = list(graph)
    names = [t.name for t in tokens if t.name in graph]
    if not edges or not names:
        return "<p class=muted>No relationships.</p>"
    size, radius = 760.0, 250.0
    center = size / 2
    pos = {}
    for i, name in enumerate(names):
        angle = 2 * math.pi * i / len(names) - math.pi / 2
        pos[name] = (center + radius * math.cos(angle), center + radius * math.sin(angle), angle)
    lines = []
    for r in edges:
        if r.source not in pos or r.target not in pos:
            continue
        x1, y1, _ = pos[r.source]
        x2, y2, _ = pos[r.target]
        color = EDGE_COLORS.get(r.type, "#9ca3af")
        lines.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
            f'stroke-opacity="0.6" stroke-width="{0.6 + 1.4 * r.weight:.2f}" marker-end="url(#arrow)">'
            f"<title>{escape(r.source)} {escape(r.type)} {escape(r.target)}</title></line>"
        )
    nodes = []
    for name in names:
        x, y, angle = pos[name]
        token = tokens[name]
        fill = css_value(resolve(tokens, name)) if token.type == "color" else "#ffffff"
        lx, ly = center + (radius + 12) * math.cos(angle), center + (radius + 12) * math.sin(angle)
        left = math.cos(angle) < 0
        rotate = math.degrees(angle) + (180 if left else 0)
        nodes.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="#374151">'
            f"<title>{escape(name)}</title>"
            f'</circle><text x="{lx:.1f}" y="{ly:.1f}" font-size="10" dominant-baseline="middle" '
            f'text-anchor="{"end" if left else "start"}" transform="rotate({rotate:.1f} {lx:.1f} {ly:.1f})">'
            f"{escape(name)}</text>"
        )
    legend = "".join(
        f'<span><svg width="18" height="8"><line x1="0" y1="4" x2="18" y2="4" stroke="{c}" stroke-width="3"/>'
        f"</svg> {escape(t)}</span>"
        for t, c in EDGE_COLORS.items()
        if any(r.type == t for r in edges)
    )
    return (
        f'<div class=legend>{legend}</div><svg viewBox="0 0 {size:g} {size:g}" role="img" '
        'aria-label="relationship graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" '
        'markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        f'fill="#6b7280"/></marker></defs>{"".join(lines)}{"".join(nodes)}</svg>'
        f"<details><summary>{len(edges)} relationships</summary><div class=scroll><table>"
        "<tr><th>source</th><th>type</th><th>target</th><th>weight</th></tr>"
        + "".join(
            f"<tr><td>{escape(r.source)}</td><td>{escape(r.type)}</td><td>{escape(r.target)}</td>"
            f"<td>{r.weight:.2f}</td></tr>"
            for r in edges
        )
        + "</table></div></details>"
    )


class ReportExporter:
    name = "report"
    file_name = "report.html"

    def export(self, tokens: TokenSet, graph: TokenGraph, options: Mapping[str, Any]) -> bytes:
        full = prepare(tokens, graph)
        thumbnails: Mapping[str, bytes] = options.get("thumbnails") or {}
        title = str(options.get("title", "designlens report"))
        counts: dict[str, int] = {}
        for t in full:
            counts[t.type] = counts.get(t.type, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        html = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "img-src data:; style-src 'unsafe-inline'\">"
            f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>"
            f"<h1>{escape(title)}</h1><p class=muted>{len(full)} tokens: {escape(summary)}</p>"
            f"<h2>Colors</h2>{_swatches(full, thumbnails)}"
            f"<h2>Semantic roles</h2>{_roles(full)}"
            f"<h2>Spacing</h2>{_spacing(full)}"
            f"<h2>Typography</h2>{_type(full)}"
            f"<h2>Radii and shadows</h2>{_radii_shadows(full)}"
            f"<h2>Contrast</h2>{_matrix(full, graph)}"
            f"<h2>Relationships</h2>{_graph_svg(full, graph)}"
            "</main></body></html>\n"
        )
        return html.encode("utf-8")
