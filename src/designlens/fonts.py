"""Metrics of common UI fonts, and the line-height convention of CSS frameworks, that
measuring text in pixels and aggregating it both lean on.

Values in em, from the fonts' hhea/OS2 tables: DejaVu Sans, Liberation Sans (Arial's
metrics), Roboto, SF Pro and Inter; each constant holds for all of them within a few
hundredths, which is below a pixel at UI text sizes.
"""

from __future__ import annotations

# Ascent minus descent: where the baseline sits in a CSS line box, whose content area
# (ascent + descent) is centred in it.
ASCENT_MINUS_DESCENT = 0.69

# CSS `line-height: normal` is the font's ascent + descent + line gap: 1.149 for Liberation
# Sans and Arial, 1.164 DejaVu Sans, 1.17 Roboto, 1.19 SF Pro, 1.21 Inter. The tightest
# is what a single UI line (a button, a badge) most likely has when the page sets none.
NORMAL_LEADING = 1.15

# The body line height of Bootstrap, Tailwind's base, Bulma, Pico and Primer: what a line
# of body text most likely has where no wrapped paragraph shows it.
BODY_LEADING = 1.5
