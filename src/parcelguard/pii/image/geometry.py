"""Quadrilaterals on a photo: a text line, its characters, a span of them, a code.

A quad is four (x, y) points clockwise from the top left of the text, as OCR gives them; a
rotated or slanted line stays a quad, so redaction covers the characters and not a whole box
around them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]


def as_quad(points: Sequence[Sequence[float]]) -> Quad:
    """Return four points as a quad of floats."""
    p = [(float(x), float(y)) for x, y in points[:4]]
    return (p[0], p[1], p[2], p[3])


def char_width(ch: str) -> float:
    """Return the width of a character in em: CJK and full-width 1, ASCII about half."""
    if ch.isspace():
        return 0.35
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return 0.55


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def along_text(line: Quad, text: str) -> Quad:
    """Return a line's quad with its top edge along the text.

    A detector gives a vertical line (a label turned a quarter) corners in image axes; read
    top to bottom, its characters follow the long side.
    """
    tl, tr, br, bl = line
    if len(text) > 1 and _distance(tl, bl) > 1.5 * _distance(tl, tr):
        return (tr, br, bl, tl)
    return line


def split_line(line: Quad, text: str) -> list[Quad]:
    """Split a line's quad into one quad per character, in proportion to character widths."""
    if not text:
        return []
    widths = [char_width(ch) for ch in text]
    total = sum(widths)
    tl, tr, br, bl = line
    quads: list[Quad] = []
    at = 0.0
    for width in widths:
        t0, t1 = at / total, (at + width) / total
        quads.append((_lerp(tl, tr, t0), _lerp(tl, tr, t1), _lerp(bl, br, t1), _lerp(bl, br, t0)))
        at += width
    return quads


def span_quad(chars: Sequence[Quad]) -> Quad:
    """Return the rectangle around a run of characters, its top edge along the reading line.

    The direction runs from the first character's centre to the last one's, whatever the
    characters' own corner order (a recognizer reading a vertical line gives its characters
    corners in image axes, not along the text).
    """
    if len(chars) == 1:
        return chars[0]
    (ax, ay), (bx, by) = _centre(chars[0]), _centre(chars[-1])
    length = _distance((ax, ay), (bx, by))
    if length < 1e-6:
        return chars[0]
    ux, uy = (bx - ax) / length, (by - ay) / length
    nx, ny = -uy, ux  # across the line, downwards for left-to-right text
    points = [p for quad in chars for p in quad]
    along = [x * ux + y * uy for x, y in points]
    across = [x * nx + y * ny for x, y in points]
    lo, hi, top, bottom = min(along), max(along), min(across), max(across)

    def at(a: float, c: float) -> Point:
        return (a * ux + c * nx, a * uy + c * ny)

    return (at(lo, top), at(hi, top), at(hi, bottom), at(lo, bottom))


def _centre(quad: Quad) -> Point:
    return (sum(p[0] for p in quad) / 4, sum(p[1] for p in quad) / 4)


def expand(quad: Quad, ratio: float) -> Quad:
    """Grow a quad by `ratio` of its height on every side (covers anti-aliased edges)."""
    tl, tr, br, bl = quad
    height = max(_distance(tl, bl), _distance(tr, br), 1.0)
    width = max(_distance(tl, tr), _distance(bl, br), 1.0)
    pad = ratio * height
    ux, uy = ((tr[0] - tl[0]) / width, (tr[1] - tl[1]) / width)  # along the line
    vx, vy = ((bl[0] - tl[0]) / height, (bl[1] - tl[1]) / height)  # across it
    return (
        (tl[0] - pad * (ux + vx), tl[1] - pad * (uy + vy)),
        (tr[0] + pad * (ux - vx), tr[1] + pad * (uy - vy)),
        (br[0] + pad * (ux + vx), br[1] + pad * (uy + vy)),
        (bl[0] - pad * (ux - vx), bl[1] - pad * (uy - vy)),
    )


def bounds(quad: Quad, width: int, height: int) -> list[int]:
    """Return the axis-aligned box [x0, y0, x1, y1] of a quad, clipped to the image."""
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return [
        max(0, int(min(xs))),
        max(0, int(min(ys))),
        min(width, round(max(xs))),
        min(height, round(max(ys))),
    ]


def _distance(a: Point, b: Point) -> float:
    return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)
