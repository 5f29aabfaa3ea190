"""A laid-out label as a short list of drawing operations in millimetres, origin top-left.

Layout decides where everything goes once; each renderer (PDF, PNG, ZPL) only translates these
few operations, so the three formats show the same label.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle: filled when `line` is 0, else outlined with a `line`-thick stroke."""

    x: float
    y: float
    w: float
    h: float
    line: float = 0.0


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text, left edge at `x`, baseline at `y`, em size `size` (all mm)."""

    x: float
    y: float
    size: float
    text: str
    bold: bool = False
    inverse: bool = False  # white on a filled box


@dataclass(frozen=True, slots=True)
class Barcode:
    """A Code128 symbol fitted, centred, into the box (quiet zones included)."""

    x: float
    y: float
    w: float
    h: float
    value: str


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR symbol fitted, centred, into the square (quiet zone included)."""

    x: float
    y: float
    size: float
    value: str


Op = Box | Text | Barcode | QrCode


@dataclass(frozen=True, slots=True)
class Page:
    """One label: its size and what to draw on it."""

    width: float
    height: float
    ops: tuple[Op, ...]

    def texts(self) -> list[str]:
        """Return every text line on the page, in drawing order."""
        return [op.text for op in self.ops if isinstance(op, Text)]


class Painter(ABC):
    """Paints a page's operations, in order, onto one canvas (the PDF and PNG renderers)."""

    def draw(self, page: Page) -> None:
        """Draw every operation, in order."""
        for op in page.ops:
            if isinstance(op, Text):
                self.text(op)
            elif isinstance(op, Box):
                self.box(op)
            elif isinstance(op, Barcode):
                self.barcode(op)
            else:
                self.qr(op)

    @abstractmethod
    def text(self, op: Text) -> None:
        """Set one line of text."""

    @abstractmethod
    def box(self, op: Box) -> None:
        """Draw a rectangle."""

    @abstractmethod
    def barcode(self, op: Barcode) -> None:
        """Draw a Code128 symbol."""

    @abstractmethod
    def qr(self, op: QrCode) -> None:
        """Draw a QR symbol."""
