"""Synthetic screenshots with known paint, shared by tests."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

# The paint of the synthetic UI below: what a perfect extractor returns.
UI_PAINT = {
    "#ffffff": "background",
    "#f1f3f5": "surface",
    "#1f2937": "header",
    "#2563eb": "primary button",
    "#dc2626": "danger badge",
    "#111827": "heading text",
    "#6b7280": "muted text",
    "#d1d5db": "border",
}


def draw_ui(width: int = 1280, height: int = 800) -> Image.Image:
    """A UI-like screen: header, card with border, buttons, headings and body text."""
    img = Image.new("RGB", (width, height), "#ffffff")
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 15)
    bold = ImageFont.truetype(BOLD, 28)
    d.rectangle([0, 0, width, 64], fill="#1f2937")
    d.rounded_rectangle([80, 120, 760, 560], radius=12, fill="#f1f3f5", outline="#d1d5db", width=1)
    d.text((112, 150), "Account settings", fill="#111827", font=bold)
    lines = [
        "Manage the people, billing and security of your team.",
        "Invite colleagues by email; they join with the role you pick.",
        "Owners can change plans, download invoices and close the account.",
        "Two-factor sign-in is required for every administrator.",
        "Audit logs keep 400 days of changes to projects and keys.",
        "Export everything as JSON or CSV whenever you like.",
        "Single sign-on works with any SAML 2.0 or OIDC provider.",
        "Questions? Write to support and we answer within a day.",
    ]
    for i, line in enumerate(lines):
        d.text((112, 210 + 24 * i), line, fill="#6b7280", font=font)
    d.rounded_rectangle([112, 480, 272, 524], radius=8, fill="#2563eb")
    d.rounded_rectangle([800, 120, 880, 148], radius=14, fill="#dc2626")
    return img


def pixels(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))


def png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny file whose header claims a huge image (a decompression bomb)."""
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat)
            + png_chunk(b"IEND", b""))


def png16_rgba(rgba16: np.ndarray) -> bytes:
    """A 16-bit-per-channel RGBA PNG (Pillow cannot write these), from an HxWx4 uint16 array."""
    import struct
    import zlib

    h, w, _ = rgba16.shape
    rows = b"".join(b"\x00" + rgba16[y].astype(">u2").tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(rows))
            + png_chunk(b"IEND", b""))
