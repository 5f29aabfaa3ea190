"""A label page under construction: places fitted text, rules, badges and symbols in millimetres.

Every text goes through `fitting`, so whatever a layout asks for stays inside the box it names.
"""

from __future__ import annotations

from typing import Literal, Required, TypedDict, Unpack

from parcelguard.labels.fitting import FittedText, fit_line, fit_text
from parcelguard.labels.fonts import LabelFont
from parcelguard.labels.page import Barcode, Box, Op, Page, QrCode, Text

Align = Literal["left", "center", "right"]
# Where the baseline sits below the top of a line, as a share of the em size (CJK faces).
ASCENT = 0.86
# From the middle of a capital or a digit down to the baseline, as a share of the em size.
CAP_MIDDLE = 0.36


class LineStyle(TypedDict, total=False):
    """How `Sheet.line` and `Sheet.middle_line` set their text (only `size` must be given)."""

    size: Required[float]
    min_size: float | None  # default: 60 % of `size`
    bold: bool
    align: Align  # default: "left"
    inverse: bool


LINE_STYLE_KEYS = LineStyle.__required_keys__ | LineStyle.__optional_keys__


class Sheet:
    """Collects the operations of one page."""

    def __init__(self, font: LabelFont, width: float, height: float) -> None:
        self.font = font
        self.width = width
        self.height = height
        self.ops: list[Op] = []

    def page(self) -> Page:
        """Return the finished page."""
        return Page(self.width, self.height, tuple(self.ops))

    def line(
        self, text: str, x: float, baseline: float, width: float, **style: Unpack[LineStyle]
    ) -> FittedText:
        """Set one line shrunk to fit `width`, aligned within [x, x + width]."""
        fitted = self._fit_line(text, width, style)
        self._set_line(fitted, x, baseline, width, style)
        return fitted

    def middle_line(
        self, text: str, x: float, middle: float, width: float, **style: Unpack[LineStyle]
    ) -> FittedText:
        """Set one line shrunk to fit `width`, its digits centred on the height `middle`."""
        fitted = self._fit_line(text, width, style)
        self._set_line(fitted, x, middle + fitted.size * CAP_MIDDLE, width, style)
        return fitted

    def _fit_line(self, text: str, width: float, style: LineStyle) -> FittedText:
        unknown = style.keys() - LINE_STYLE_KEYS
        if unknown or "size" not in style:  # as a keyword-only signature would refuse them
            raise TypeError(f"line style needs size and takes only {sorted(LINE_STYLE_KEYS)}")
        size = style["size"]
        return fit_line(
            self.font, text, width, size=size, min_size=style.get("min_size") or size * 0.6
        )

    def _set_line(
        self, fitted: FittedText, x: float, baseline: float, width: float, style: LineStyle
    ) -> None:
        bold, align, inverse = (
            style.get("bold", False),
            style.get("align", "left"),
            style.get("inverse", False),
        )
        for line in fitted.lines:
            self._place(line, x, baseline, width, fitted.size, bold, align, inverse)

    def block(
        self,
        text: str,
        x: float,
        top: float,
        width: float,
        height: float,
        *,
        size: float,
        min_size: float,
        max_lines: int,
        bold: bool = False,
    ) -> float:
        """Set wrapped text shrunk to fit the box; return the last baseline."""
        fitted = fit_text(
            self.font, text, width, height, size=size, min_size=min_size, max_lines=max_lines
        )
        baseline = top + fitted.size * ASCENT
        for index, line in enumerate(fitted.lines):
            if index:
                baseline += fitted.size * fitted.leading
            self._place(line, x, baseline, width, fitted.size, bold, "left", False)
        return baseline

    def rule(self, x: float, y: float, w: float, h: float) -> None:
        """Draw a filled bar: a horizontal or vertical rule, or a solid block."""
        self.ops.append(Box(x, y, w, h))

    def frame(self, x: float, y: float, w: float, h: float, line: float) -> None:
        """Draw an outlined rectangle."""
        self.ops.append(Box(x, y, w, h, line))

    def dashes(self, x0: float, x1: float, y: float, thickness: float, dash: float) -> None:
        """Draw a dashed horizontal rule: where the stub tears off."""
        x = x0
        while x < x1:
            self.rule(x, y, min(dash, x1 - x), thickness)
            x += dash * 2

    def badge(self, char: str, x: float, y: float, side: float) -> None:
        """Draw a black square with one white character in it (收 / 寄)."""
        self.rule(x, y, side, side)
        size = side * 0.74
        baseline = y + side / 2 + size * CAP_MIDDLE
        self._place(char, x, baseline, side, size, True, "center", True)

    def barcode(self, value: str, x: float, y: float, w: float, h: float) -> None:
        """Place a Code128 symbol fitted into the box."""
        self.ops.append(Barcode(x, y, w, h, value))

    def qr(self, value: str, x: float, y: float, side: float) -> None:
        """Place a QR symbol fitted into the square."""
        self.ops.append(QrCode(x, y, side, value))

    def _place(
        self,
        text: str,
        x: float,
        baseline: float,
        width: float,
        size: float,
        bold: bool,
        align: Align,
        inverse: bool,
    ) -> None:
        """Append one fitted line at its aligned position."""
        if align != "left":
            spare = max(0.0, width - self.font.width(text, size))
            x += spare if align == "right" else spare / 2
        self.ops.append(Text(x, baseline, size, text, bold, inverse))
