"""Semantic roles (background, surface, text, primary, ...) inferred from where colors are used.

Each role found becomes an `aliases` relationship from a semantic name to a primitive,
`color.text.default -> color.gray.900`, with the evidence in words. A role is only
claimed where the evidence supports it: no chromatic color, no `primary`.
`semantic_tokens` turns those relationships into alias tokens for the exports.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from designlens.colorspace import contrast_ratio, oklch
from designlens.relate.graph import Relationship, TokenGraph
from designlens.tokens import Alias, Color, Token, TokenSet

CHROMATIC = 0.08  # OKLCH chroma from which a color reads as a hue, not a grey
MIN_TEXT_SHARE = 0.0005  # text ink is thin, but a few stray pixels are not a text color
_STATUS = {"success": ("green", "teal", "lime"), "warning": ("yellow", "orange"), "danger": ("red",)}


def _lch(token: Token) -> tuple[float, float, float]:
    raw = token.extensions.get("oklch")
    if isinstance(raw, (list, tuple)) and len(raw) == 3:
        return float(raw[0]), float(raw[1]), float(raw[2])
    assert isinstance(token.value, Color)
    return oklch(token.value.rgb)


def _share(token: Token) -> float:
    return float(token.extensions.get("share", 0.0))


def _family(token: Token) -> str:
    parts = token.name.split(".")
    return parts[1] if len(parts) > 2 else parts[-1]


def _ratio(a: Token, b: Token) -> float:
    assert isinstance(a.value, Color) and isinstance(b.value, Color)
    return contrast_ratio(a.value.rgb, b.value.rgb)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def infer_roles(colors: Sequence[Token]) -> dict[str, tuple[Token, str]]:
    """Role -> (primitive token, evidence) for the roles the colors support."""
    ranked = sorted(colors, key=lambda t: (-_share(t), t.name))
    if not ranked:
        return {}
    roles: dict[str, tuple[Token, str]] = {}
    background = ranked[0]
    roles["background"] = (background, f"largest area: {_pct(_share(background))} of all pixels")
    bg_l = _lch(background)[0]
    used = {background.name}
    for t in ranked[1:]:
        lightness, chroma, _ = _lch(t)
        if chroma < CHROMATIC and abs(lightness - bg_l) <= 0.08 and _share(t) >= 0.02:
            roles["surface"] = (
                t,
                f"second large area ({_pct(_share(t))}) close to the background's lightness",
            )
            used.add(t.name)
            break
    greys = [
        t for t in ranked if t.name not in used and _lch(t)[1] < CHROMATIC and _share(t) >= MIN_TEXT_SHARE
    ]
    readable = [t for t in greys if _ratio(t, background) >= 4.5]
    if readable:
        text = max(readable, key=lambda t: (_share(t) * _ratio(t, background), t.name))
        roles["text.default"] = (
            text,
            f"most-used neutral readable on the background (WCAG {_ratio(text, background):.1f}:1)",
        )
        used.add(text.name)
        muted = [
            t for t in greys if t.name not in used and 3.0 <= _ratio(t, background) < _ratio(text, background)
        ]
        if muted:
            m = max(muted, key=lambda t: (_share(t), t.name))
            roles["text.muted"] = (
                m,
                f"a lighter neutral still readable as large text (WCAG {_ratio(m, background):.1f}:1)",
            )
            used.add(m.name)
    faint = [t for t in greys if t.name not in used and 1.1 <= _ratio(t, background) < 3.0]
    # a colour seen painting borders says more than one merely faint (a tinted panel, a chip)
    drawn = [t for t in faint if "border" in t.extensions.get("kinds", ())]
    if drawn or faint:
        b = max(drawn or faint, key=lambda t: (_share(t), t.name))
        seen = "seen painting borders, " if drawn else ""
        roles["border"] = (
            b,
            f"a faint neutral {seen}next to the background (WCAG {_ratio(b, background):.2f}:1)",
        )
        used.add(b.name)
    chromatic = [t for t in ranked if t.name not in used and _lch(t)[1] >= CHROMATIC]
    status_families = {f for fams in _STATUS.values() for f in fams}
    brand = [t for t in chromatic if _family(t) not in status_families] or chromatic
    if brand:
        primary = brand[0]
        roles["primary"] = (primary, f"the most-used chromatic color ({_pct(_share(primary))} of pixels)")
        used.add(primary.name)
        accents = [t for t in brand if _family(t) != _family(primary) and t.name not in used]
        if accents:
            roles["accent"] = (
                accents[0],
                f"the most-used chromatic color of another hue than primary ({_family(accents[0])})",
            )
            used.add(accents[0].name)
    for role, families in _STATUS.items():
        hits = [t for t in chromatic if _family(t) in families and t.name not in used]
        if hits:
            roles[role] = (hits[0], f"the most-used {'/'.join(families)} color")
            used.add(hits[0].name)
    return roles


class RoleAnalyzer:
    """Built-in analyzer `roles`: `color.<role>` aliases with the evidence for each."""

    name = "roles"

    def analyze(self, tokens: TokenSet) -> list[Relationship]:
        colors = [t for t in tokens.of_type("color") if isinstance(t.value, Color)]
        out = []
        for role, (token, evidence) in infer_roles(colors).items():
            semantic = f"color.{role}"
            if semantic in tokens:
                continue  # already decided (a DTCG file read back); the aliases analyzer covers it
            out.append(
                Relationship(semantic, token.name, "aliases", 1.0, {"role": role, "evidence": evidence})
            )
        return out


def semantic_tokens(tokens: TokenSet, graph: TokenGraph) -> list[Token]:
    """Alias tokens for the `aliases` relationships whose source is not yet a token."""
    out = []
    for rel in graph.of_type("aliases"):
        target = tokens.get(rel.target)
        if rel.source in tokens or target is None:
            continue
        extensions: dict[str, Any] = {
            k: rel.attributes[k] for k in ("role", "evidence") if k in rel.attributes
        }
        out.append(
            Token(
                rel.source,
                target.type,
                Alias(rel.target),
                description=str(extensions.get("evidence", "")),
                confidence=target.confidence,
                extensions=extensions,
            )
        )
    return out
