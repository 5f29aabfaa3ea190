"""`RasterRenderer`: the base of printer languages that receive each label as one 1-bit bitmap.

TSPL and ESC/POS printers have no CJK font worth relying on, so the label is drawn here, by the
PNG path at the printer's resolution, thresholded to black and white, and sent as raster data
inside the language's commands. What the printer prints is then exactly what the PNG shows:
the same layout, the same whole-dot bars and QR modules, the CJK face from `fonts.py`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from PIL import Image

from parcelguard.labels.page import Page
from parcelguard.labels.png_renderer import PngRenderer
from parcelguard.labels.renderer import LabelRenderer

# Grey levels below this print as black: anti-aliased glyph edges go to the nearer colour.
THRESHOLD = 128
# A byte of eight pixels read the other way round: TSPL's 1 is white, ESC/POS's 1 is black.
INVERT = bytes(255 - value for value in range(256))
_BLACK_IS_ONE = [255 if level < THRESHOLD else 0 for level in range(256)]


@dataclass(frozen=True, slots=True)
class Bitmap:
    """One label in printer dots, rows of packed bits (most significant first), 1 = black."""

    width: int
    height: int
    data: bytes

    @property
    def row_bytes(self) -> int:
        """Return the bytes in one row (the last one padded with white)."""
        return (self.width + 7) // 8

    def rows(self, first: int, count: int) -> bytes:
        """Return `count` rows from `first`, packed as in `data`."""
        return self.data[first * self.row_bytes : (first + count) * self.row_bytes]


class RasterRenderer(LabelRenderer):
    """A printer language fed with one black-and-white bitmap per label, at `dpi`."""

    media_type = "application/octet-stream"
    combines = True

    def draw(self, pages: Iterable[Page]) -> list[bytes]:
        """Return one stream holding the commands of every page, in order."""
        painter = PngRenderer(dpi=self.dpi, font=self.font)
        parts = [self.start()]
        for page in pages:
            parts.append(self.page(page, bitmap(painter.image(page))))
        parts.append(self.end())
        return [b"".join(parts)]

    def start(self) -> bytes:
        """Return what goes before the first label (nothing unless the language needs it)."""
        return b""

    def end(self) -> bytes:
        """Return what goes after the last label."""
        return b""

    @abstractmethod
    def page(self, page: Page, image: Bitmap) -> bytes:
        """Return the commands that print one label."""


def bitmap(image: Image.Image) -> Bitmap:
    """Threshold a greyscale label image into packed 1-bit rows, 1 = black."""
    bits = image.convert("L").point(_BLACK_IS_ONE, "1")
    return Bitmap(bits.width, bits.height, bits.tobytes())
