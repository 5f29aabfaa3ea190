"""`ZplRenderer`: labels as ZPL II for Zebra-compatible thermal printers, in UTF-8 (^CI28).

The printer draws the barcodes itself (^BC Code128 in automatic subset mode, ^BQ QR model 2)
and sets text in a CJK TrueType font that must be stored on the printer: by default
`E:SIMSUN.TTF`, mapped to font `1` with ^CW. Another stored font (for example Zebra's
`E:ANMDS.TTF`) is a constructor argument. Many labels make one stream of ^XA … ^XZ formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from parcelguard.errors import InvalidInput
from parcelguard.labels.fonts import LabelFont
from parcelguard.labels.page import Barcode, Box, Page, QrCode, Text
from parcelguard.labels.renderer import DEFAULT_DPI, LabelRenderer
from parcelguard.labels.symbols import (
    CODE128_QUIET,
    QR_QUIET,
    code128_runs,
    module_dots,
    qr_size,
)

DEFAULT_PRINTER_FONT = "E:SIMSUN.TTF"
_FONT_NAME = re.compile(r"[BERA]:[A-Z0-9_]{1,16}\.(TTF|TTE|FNT)", re.IGNORECASE)
# Characters that would end or corrupt a field: sent as ^FH hex escapes instead.
_SPECIAL = re.compile(r"[\^~\\]")
_BOLD_FROM_MM = 4.5  # printer fonts have no bold face; emulate it from this size up
_QR_MAX_MAGNIFICATION = 10  # the largest ^BQ module a printer accepts, in dots


class ZplRenderer(LabelRenderer):
    """ZPL II text, one ^XA … ^XZ format per label, coordinates in printer dots."""

    name = "zpl"
    media_type = "text/plain; charset=utf-8"
    extension = "zpl"
    combines = True

    def __init__(
        self,
        *,
        dpi: int = DEFAULT_DPI,
        font: LabelFont | None = None,
        printer_font: str = DEFAULT_PRINTER_FONT,
    ) -> None:
        super().__init__(dpi=dpi, font=font)
        if not _FONT_NAME.fullmatch(printer_font):
            raise InvalidInput("printer font must look like E:NAME.TTF", code="invalid_font")
        self.printer_font = printer_font.upper()

    def draw(self, pages: Iterable[Page]) -> list[bytes]:
        """Return one ZPL stream holding a format per page."""
        return ["".join(self.format(page) for page in pages).encode("utf-8")]

    def format(self, page: Page) -> str:
        """Return one page as one ^XA … ^XZ label format."""
        lines = [
            "^XA",
            "^CI28",
            f"^PW{self.dots(page.width)}",
            f"^LL{self.dots(page.height)}",
            "^LH0,0",
            f"^CW1,{self.printer_font}",
        ]
        for op in page.ops:
            if isinstance(op, Text):
                lines.extend(self.text(op))
            elif isinstance(op, Box):
                lines.append(self.box(op))
            elif isinstance(op, Barcode):
                lines.append(self.barcode(op))
            else:
                lines.append(self.qr(op))
        lines.append("^PQ1")
        lines.append("^XZ")
        return "\n".join(lines) + "\n"

    def dots(self, value: float) -> int:
        """Return millimetres as whole printer dots."""
        return round(value * self.dots_per_mm)

    def text(self, op: Text) -> list[str]:
        """Set a line at its baseline (^FT); bold headlines are struck twice, a dot apart."""
        height = max(10, self.dots(op.size))
        x, y = self.dots(op.x), self.dots(op.y)
        reverse = "^FR" if op.inverse else ""
        data = _field_data(op.text)
        field = f"^A1N,{height},{height}{reverse}{data}^FS"
        lines = [f"^FT{x},{y}{field}"]
        # Headlines only: small type struck twice just blurs. A reversed field struck twice
        # would cancel itself out.
        if op.bold and not op.inverse and op.size >= _BOLD_FROM_MM:
            lines.append(f"^FT{x + max(1, height // 24)},{y}{field}")
        return lines

    def box(self, op: Box) -> str:
        """Return a filled bar (^GB at full thickness) or an outlined rectangle."""
        w, h = max(1, self.dots(op.w)), max(1, self.dots(op.h))
        thickness = min(w, h) if not op.line else max(1, min(self.dots(op.line), w, h))
        return f"^FO{self.dots(op.x)},{self.dots(op.y)}^GB{w},{h},{thickness}^FS"

    def barcode(self, op: Barcode) -> str:
        """Return Code128 (^BC, automatic subsets), whole-dot modules, centred in its box."""
        total = sum(code128_runs(op.value)) + 2 * CODE128_QUIET
        module = module_dots(op.w * self.dots_per_mm, total)
        x = self.dots(op.x) + (self.dots(op.w) - total * module) // 2 + CODE128_QUIET * module
        height = self.dots(op.h)
        return (
            f"^FO{x},{self.dots(op.y)}^BY{module},3,{height}"
            f"^BCN,{height},N,N,N,A{_field_data(op.value)}^FS"
        )

    def qr(self, op: QrCode) -> str:
        """Return QR model 2 (^BQ), error correction M, magnified to fill its square."""
        total = qr_size(op.value) + 2 * QR_QUIET
        module = min(_QR_MAX_MAGNIFICATION, module_dots(op.size * self.dots_per_mm, total))
        offset = (self.dots(op.size) - total * module) // 2 + QR_QUIET * module
        x, y = self.dots(op.x) + offset, self.dots(op.y) + offset
        return f"^FO{x},{y}^BQN,2,{module}{_field_data('MA,' + op.value)}^FS"


def _field_data(text: str) -> str:
    """Return ^FD with the text; characters ZPL treats as commands go hex-escaped under ^FH."""
    if not _SPECIAL.search(text):
        return f"^FD{text}"
    escaped = _SPECIAL.sub(lambda m: "".join(f"\\{b:02X}" for b in m.group().encode()), text)
    return f"^FH\\^FD{escaped}"
