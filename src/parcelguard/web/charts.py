"""Charts drawn on the server as SVG geometry: no script, no library, nothing from another site.

A page hands `columns`, `rows` or `timeline` the numbers and its words; the result is plain
data (coordinates in a fixed viewBox, the number each shape stands for, the sentence a screen
reader hears) that `templates/_charts.html` turns into `<svg role="img">` with a `<title>`,
a `<desc>` and a visually hidden table of the same numbers. Tests read the `data-value`
attributes back and compare them with the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

WIDTH = 480
HEIGHT = 160
AXIS = 18  # room under the columns for the hour labels
ROW = 26  # one bar of a horizontal chart
LABEL = 150  # room left of the horizontal bars for the rule names


Label = tuple[float, float, str]  # x, y, text


@dataclass(frozen=True)
class Shape:
    """One bar (or a part of a stacked bar) or one dot: where it is and what it stands for."""

    x: float
    y: float
    width: float
    height: float
    value: int
    kind: str  # a CSS class suffix: "allow", "deny", "alert"
    label: str  # what a person hovering it or a screen reader hears


@dataclass(frozen=True)
class Chart:
    """A chart's geometry in a `width` × `height` viewBox, with its axis labels and numbers."""

    width: int
    height: int
    shapes: list[Shape]
    labels: list[Label] = field(default_factory=list)
    peak: int = 0
    table: list[tuple[str, list[int]]] = field(default_factory=list)  # row label, numbers
    total: int = 0


def columns(
    buckets: Sequence[tuple[str, Sequence[int]]],
    kinds: Sequence[str],
    *,
    every: int = 6,
) -> Chart:
    """Return stacked columns, one per bucket; `kinds` name each stacked part, bottom first.

    Every `every`-th bucket's label is written under the axis (the table holds them all).
    """
    n = max(len(buckets), 1)
    peak = max((sum(parts) for _, parts in buckets), default=0)
    scale = (HEIGHT - AXIS - 4) / peak if peak else 0.0
    slot = WIDTH / n
    shapes: list[Shape] = []
    labels: list[Label] = []
    for i, (label, parts) in enumerate(buckets):
        base = float(HEIGHT - AXIS)
        for kind, value in zip(kinds, parts, strict=True):
            tall = round(value * scale, 2)
            base = round(base - tall, 2)
            x = round(i * slot + 1, 2)
            shapes.append(Shape(x, base, round(slot - 2, 2), tall, value, kind, label))
        if i % every == 0:
            labels.append((round(i * slot + 1, 2), float(HEIGHT - 4), label))
    table = [(label, list(parts)) for label, parts in buckets]
    total = sum(sum(parts) for _, parts in buckets)
    return Chart(WIDTH, HEIGHT, shapes, labels, peak, table, total)


def rows(items: Sequence[tuple[str, int]]) -> Chart:
    """Return horizontal bars, one per item (a name and its count), the longest first."""
    ordered = sorted(items, key=lambda item: (-item[1], item[0]))
    peak = max((value for _, value in ordered), default=0)
    room = WIDTH - LABEL - 40
    scale = room / peak if peak else 0.0
    shapes: list[Shape] = []
    labels: list[Label] = []
    for i, (label, value) in enumerate(ordered):
        y = float(i * ROW + 4)
        shapes.append(Shape(LABEL, y, round(value * scale, 2), ROW - 8, value, "alert", label))
        labels.append((0, y + ROW - 12, label))
        labels.append((round(LABEL + value * scale + 4, 2), y + ROW - 12, str(value)))
    height = max(len(ordered), 1) * ROW + 4
    table = [(label, [value]) for label, value in ordered]
    return Chart(WIDTH, height, shapes, labels, peak, table, sum(v for _, v in ordered))


def timeline(
    points: Sequence[tuple[datetime, str, str]],
    start: datetime,
    end: datetime,
    ticks: Sequence[tuple[datetime, str]] = (),
) -> Chart:
    """Return one dot per point (when, kind, label) on a line from `start` to `end`."""
    span = max((end - start).total_seconds(), 1.0)
    height = 60

    def x_of(at: datetime) -> float:
        share = min(max((at - start).total_seconds() / span, 0.0), 1.0)
        return round(8 + share * (WIDTH - 16), 2)

    shapes = [Shape(x_of(at), 22, 8, 8, 1, kind, label) for at, kind, label in points]
    labels: list[Label] = [(x_of(at), float(height - 6), text) for at, text in ticks]
    return Chart(WIDTH, height, shapes, labels, len(points), [], len(points))
