"""`PdfRenderer`: labels as one multi-page PDF with the CJK face embedded (subset).

The document's metadata is fixed and impersonal (no waybill, no names, no print time), and the
output is deterministic: the same labels give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from parcelguard.labels.page import Barcode, Box, Page, Painter, QrCode, Text
from parcelguard.labels.renderer import LabelRenderer
from parcelguard.labels.symbols import (
    CODE128_QUIET,
    QR_QUIET,
    bar_offsets,
    code128_runs,
    module_dots,
    qr_blocks,
    qr_matrix,
)

# What the PDF says about itself: the same for every document, nothing about any person.
METADATA = {
    "title": "ParcelGuard label",
    "author": "ParcelGuard",
    "subject": "Privacy waybill label",
    "creator": "ParcelGuard",
    "keywords": "",
}
# Faux bold: fill and stroke the glyph outline with a line this share of the em size.
_BOLD_STROKE = 0.035


class PdfRenderer(LabelRenderer):
    """Vector PDF; bars and QR modules snapped to whole dots of the target printer."""

    name = "pdf"
    media_type = "application/pdf"
    extension = "pdf"
    combines = True

    def draw(self, pages: Iterable[Page]) -> list[bytes]:
        """Draw every page into one PDF."""
        buffer = io.BytesIO()
        # invariant: fixed dates and document id, so output is deterministic and dateless.
        canvas = Canvas(buffer, invariant=True, pageCompression=1, pdfVersion=(1, 4))
        canvas.setTitle(METADATA["title"])
        canvas.setAuthor(METADATA["author"])
        canvas.setSubject(METADATA["subject"])
        canvas.setCreator(METADATA["creator"])
        canvas.setKeywords(METADATA["keywords"])
        for page in pages:
            canvas.setPageSize((page.width * mm, page.height * mm))
            _PageDrawer(canvas, page.height, self.dots_per_mm, self.font.name).draw(page)
            canvas.showPage()
        canvas.save()
        return [buffer.getvalue()]


class _PageDrawer(Painter):
    """Translates one page's operations into PDF drawing calls (points, origin bottom-left)."""

    def __init__(self, canvas: Canvas, height: float, dots_per_mm: float, font: str) -> None:
        self.canvas = canvas
        self.height = height
        self.dot = 1 / dots_per_mm  # one printer dot, in mm
        self.font = font

    def text(self, op: Text) -> None:
        """Set one line; bold by stroking the outline, inverse in white."""
        canvas = self.canvas
        if op.inverse:
            canvas.setFillGray(1)
            canvas.setStrokeGray(1)
        text = canvas.beginText(op.x * mm, (self.height - op.y) * mm)
        text.setFont(self.font, op.size * mm)
        if op.bold:
            canvas.setLineWidth(op.size * mm * _BOLD_STROKE)
            text.setTextRenderMode(2)
        text.textOut(op.text)
        if op.bold:
            text.setTextRenderMode(0)  # the mode outlives the text object: reset it
        canvas.drawText(text)
        if op.inverse:
            canvas.setFillGray(0)
            canvas.setStrokeGray(0)

    def box(self, op: Box) -> None:
        """Fill a bar or outline a rectangle."""
        y = (self.height - op.y - op.h) * mm
        if op.line:
            self.canvas.setLineWidth(op.line * mm)
            inset = op.line / 2
            self.canvas.rect(
                (op.x + inset) * mm,
                y + inset * mm,
                (op.w - op.line) * mm,
                (op.h - op.line) * mm,
                stroke=1,
                fill=0,
            )
        else:
            self.canvas.rect(op.x * mm, y, op.w * mm, op.h * mm, stroke=0, fill=1)

    def barcode(self, op: Barcode) -> None:
        """Draw the Code128 bars as one filled path."""
        runs = code128_runs(op.value)
        total = sum(runs) + 2 * CODE128_QUIET
        module = module_dots(op.w / self.dot, total) * self.dot
        start = op.x + (op.w - total * module) / 2 + CODE128_QUIET * module
        top = (self.height - op.y - op.h) * mm
        path = self.canvas.beginPath()
        for offset, width in bar_offsets(runs):
            path.rect((start + offset * module) * mm, top, width * module * mm, op.h * mm)
        self.canvas.drawPath(path, stroke=0, fill=1)

    def qr(self, op: QrCode) -> None:
        """Draw the QR modules as one filled path of a few rectangles."""
        matrix = qr_matrix(op.value)
        total = len(matrix) + 2 * QR_QUIET
        module = module_dots(op.size / self.dot, total) * self.dot
        left = op.x + (op.size - total * module) / 2 + QR_QUIET * module
        top = op.y + (op.size - total * module) / 2 + QR_QUIET * module
        path = self.canvas.beginPath()
        for block in qr_blocks(matrix):
            y = self.height - top - (block.row + block.height) * module
            path.rect(
                (left + block.col * module) * mm,
                y * mm,
                block.width * module * mm,
                block.height * module * mm,
            )
        self.canvas.drawPath(path, stroke=0, fill=1)
