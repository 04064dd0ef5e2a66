"""What draw's pictures are made of: text, lines and arrows in SVG, sized and coloured alike.

Every picture `nanonet.draw` makes sits on any page, light or dark: lines and
labels take the colour of the text around them (``currentColor``), and the
accent colours are mixed from a blue or an orange and that same text colour.
Alone (a file, or an ``<img>``), a picture paints its own background, light
or dark as the reader's system prefers.
"""

from __future__ import annotations

import html
import math

# -- sizes, in px of the drawing (1 px on the page when shown at full size) --
FONT_SIZE = 13  # every text but the layers' symbols
SYMBOL_SIZE = 16  # a layer's symbol, such as σ
LINE = 17  # from one line's baseline to the next
PAD = 10  # around the picture
#: The drawing shrinks to fit a narrow page down to 11 px text, then the page scrolls.
MIN_SCALE = 11 / FONT_SIZE

# Width of characters, in units of the font size: DejaVu Sans, the widest of
# the usual sans-serif fonts, rounded up; a drawing sized for it fits others.
_NARROW, _WIDE = set(" .,:;-()[]/'!|fijlrtI"), set("mwMW=+×→←")


def width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of the width of ``text`` on the page, in px: SVG text has no measure."""
    return size * sum(_units(c) for c in text)


def _units(c: str) -> float:
    if c in _NARROW:
        return 0.34
    if c in _WIDE:
        return 0.88
    return 0.72 if c.isupper() else 0.64


# Lines and labels are in the text colour of the page around the drawing; the
# accent colours are mixed from it, so they stay readable on light and dark
# pages alike. Alone (a file, an <img>), the drawing brings its own colours.
# A negative weight is dashed as well as orange: colour is never the only cue.
STYLE = """
svg:root { color: #1f2328; background: #ffffff; font-family: system-ui, sans-serif; }
@media (prefers-color-scheme: dark) { svg:root { color: #e6edf3; background: #0d1117; } }
.nanonet-drawing text { font-size: 13px; }
.nanonet-drawing .nanonet-forward {
  fill: #0b5cad; fill: color-mix(in srgb, #1f78d1 65%, currentColor); }
.nanonet-drawing .nanonet-backward {
  fill: #b3470f; fill: color-mix(in srgb, #e8630f 65%, currentColor); }
.nanonet-drawing line.nanonet-backward {
  stroke: #b3470f; stroke: color-mix(in srgb, #e8630f 65%, currentColor); }
.nanonet-drawing .nanonet-positive {
  stroke: #0b5cad; stroke: color-mix(in srgb, #1f78d1 75%, currentColor); }
.nanonet-drawing .nanonet-negative {
  stroke: #b3470f; stroke: color-mix(in srgb, #e8630f 75%, currentColor);
  stroke-dasharray: 5 3; }
"""


def text(x: float, y: float, words: str, css_class: str = "", size: int = FONT_SIZE) -> str:
    """One line of text centred on x, its baseline at y; every text is escaped."""
    fill = f'class="{css_class}"' if css_class else 'fill="currentColor"'
    style = f' style="font-size: {size}px"' if size != FONT_SIZE else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" {fill}{style}>'
        f"{html.escape(words)}</text>"
    )


def line(
    x1: float, y1: float, x2: float, y2: float, css_class: str = "", stroke_width: float = 1.5
) -> str:
    """A straight line from (x1, y1) to (x2, y2), in the text colour or in ``css_class``'s."""
    colour = f'class="{css_class}"' if css_class else 'stroke="currentColor"'
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke-width="{round(stroke_width, 2):g}" {colour}/>'
    )


def arrow(start: float, end: float, y: float, css_class: str = "") -> str:
    """A horizontal arrow from ``start`` to ``end``, its head (a triangle) at ``end``."""
    head = 8 if end > start else -8
    fill = f'class="{css_class}"' if css_class else 'fill="currentColor"'
    return line(start, y, end - head, y, css_class) + (
        f'<path d="M{end:.1f},{y:.1f} L{end - head:.1f},{y - 4.5:.1f} '
        f'L{end - head:.1f},{y + 4.5:.1f} Z" {fill}/>'
    )


def ellipse(x: float, y: float, rx: float, ry: float) -> str:
    """An outline: a value's circle, or an oval for a longer text."""
    return (
        f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{rx:.1f}" ry="{ry}" '
        'fill="none" stroke-width="1.5" stroke="currentColor"/>'
    )


def document(
    picture_width: float, height: float, title: str, description: str, parts: list[str]
) -> str:
    """The SVG document: scaled to the page's column, but not below 11 px text."""
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="nanonet-drawing" role="img" '
            f'viewBox="0 0 {picture_width:.0f} {height:.0f}" width="{picture_width:.0f}" '
            f'height="{height:.0f}" style="max-width: 100%; height: auto; '
            f'min-width: {math.ceil(picture_width * MIN_SCALE)}px">',
            f"<title>{html.escape(title)}</title>",
            f"<desc>{html.escape(description)}</desc>",
            f"<style>{STYLE}</style>",
            *parts,
            "</svg>",
        ]
    )
