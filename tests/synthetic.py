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
    for i in range(8):
        d.text((112, 210 + 24 * i), "Manage the people, billing and security of your team.",
               fill="#6b7280", font=font)
    d.rounded_rectangle([112, 480, 272, 524], radius=8, fill="#2563eb")
    d.rounded_rectangle([800, 120, 880, 148], radius=14, fill="#dc2626")
    return img


def pixels(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))
