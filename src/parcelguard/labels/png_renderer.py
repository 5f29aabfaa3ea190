"""`PngRenderer`: each label as a greyscale PNG at the printer's resolution, drawn with Pillow.

Drawn directly rather than by rasterising the PDF: bars and QR modules land on whole pixels,
which is what a thermal print head and a scanner want.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from PIL import Image, ImageDraw

from parcelguard.labels.page import Barcode, Box, Page, Painter, QrCode, Text
from parcelguard.labels.renderer import LabelRenderer
from parcelguard.labels.symbols import (
    CODE128_QUIET,
    QR_QUIET,
    bar_offsets,
    code128_runs,
    module_dots,
    qr_matrix,
)

BLACK, WHITE = 0, 255
# Faux bold: stroke the glyph outline by this share of the em size.
_BOLD_STROKE = 0.03
# zlib level: 1 is several times faster than the default and labels are mostly white.
_COMPRESS_LEVEL = 1


class PngRenderer(LabelRenderer):
    """One PNG per label at `dpi` (203 or 300 for thermal printers)."""

    name = "png"
    media_type = "image/png"
    extension = "png"
    combines = False

    def draw(self, pages: Iterable[Page]) -> list[bytes]:
        """Return one PNG per page."""
        return [self.image_bytes(self.image(page)) for page in pages]

    def image(self, page: Page) -> Image.Image:
        """Return the page as a Pillow image (mode L)."""
        scale = self.dots_per_mm
        image = Image.new("L", (round(page.width * scale), round(page.height * scale)), WHITE)
        _ImageDrawer(image, scale, self).draw(page)
        return image

    def image_bytes(self, image: Image.Image) -> bytes:
        """Encode an image as PNG with its resolution and no other metadata."""
        buffer = io.BytesIO()
        image.save(buffer, "PNG", dpi=(self.dpi, self.dpi), compress_level=_COMPRESS_LEVEL)
        return buffer.getvalue()


class _ImageDrawer(Painter):
    """Translates one page's operations into pixels."""

    def __init__(self, image: Image.Image, scale: float, renderer: PngRenderer) -> None:
        self.image = image
        self.canvas = ImageDraw.Draw(image)
        self.scale = scale
        self.font = renderer.font

    def px(self, value: float) -> int:
        """Return millimetres as whole pixels."""
        return round(value * self.scale)

    def text(self, op: Text) -> None:
        """Set one line at its baseline."""
        size = self.px(op.size)
        colour = WHITE if op.inverse else BLACK
        stroke = max(1, round(size * _BOLD_STROKE)) if op.bold else 0
        self.canvas.text(
            (op.x * self.scale, op.y * self.scale),
            op.text,
            font=self.font.pil(size),
            fill=colour,
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=colour,
        )

    def box(self, op: Box) -> None:
        """Fill a bar or outline a rectangle (at least one pixel thick)."""
        x0, y0 = self.px(op.x), self.px(op.y)
        x1 = max(x0 + 1, self.px(op.x + op.w)) - 1
        y1 = max(y0 + 1, self.px(op.y + op.h)) - 1
        if op.line:
            self.canvas.rectangle((x0, y0, x1, y1), outline=BLACK, width=max(1, self.px(op.line)))
        else:
            self.canvas.rectangle((x0, y0, x1, y1), fill=BLACK)

    def barcode(self, op: Barcode) -> None:
        """Draw the Code128 bars on whole pixels."""
        runs = code128_runs(op.value)
        total = sum(runs) + 2 * CODE128_QUIET
        module = module_dots(op.w * self.scale, total)
        start = self.px(op.x) + (self.px(op.w) - total * module) // 2 + CODE128_QUIET * module
        top, bottom = self.px(op.y), self.px(op.y + op.h) - 1
        for offset, width in bar_offsets(runs):
            x = start + offset * module
            self.canvas.rectangle((x, top, x + width * module - 1, bottom), fill=BLACK)

    def qr(self, op: QrCode) -> None:
        """Paste the QR modules, scaled by a whole number of pixels."""
        matrix = qr_matrix(op.value)
        count = len(matrix)
        total = count + 2 * QR_QUIET
        module = module_dots(op.size * self.scale, total)
        cells = bytes(BLACK if dark else WHITE for row in matrix for dark in row)
        symbol = Image.frombytes("L", (count, count), cells)
        symbol = symbol.resize((count * module, count * module), Image.Resampling.NEAREST)
        offset = (self.px(op.size) - total * module) // 2 + QR_QUIET * module
        self.image.paste(symbol, (self.px(op.x) + offset, self.px(op.y) + offset))
