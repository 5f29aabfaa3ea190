"""`TsplRenderer`: labels as TSPL2 for TSC, Gprinter, Xprinter and other TSPL thermal printers.

Each label is `SIZE`, `GAP`, `DIRECTION`, `REFERENCE`, `CLS`, one `BITMAP` of the whole label
and `PRINT 1,1`, every command ended by CR LF. The bitmap is drawn here (see `raster.py`), so
the printer needs no CJK font and every model prints the same label. In a TSPL bitmap a set
bit is a white dot: the rows are sent inverted.
"""

from __future__ import annotations

from parcelguard.errors import InvalidInput
from parcelguard.labels.fonts import LabelFont
from parcelguard.labels.page import Page
from parcelguard.labels.raster import INVERT, Bitmap, RasterRenderer
from parcelguard.labels.renderer import DEFAULT_DPI

DEFAULT_GAP_MM = 2.0  # the gap between die-cut labels on most Chinese label rolls
_CRLF = b"\r\n"


class TsplRenderer(RasterRenderer):
    """TSPL2: one `CLS … BITMAP … PRINT` block per label, sizes in millimetres."""

    name = "tspl"
    extension = "tspl"

    def __init__(
        self,
        *,
        dpi: int = DEFAULT_DPI,
        font: LabelFont | None = None,
        gap_mm: float = DEFAULT_GAP_MM,
    ) -> None:
        super().__init__(dpi=dpi, font=font)
        if not 0 <= gap_mm <= 25:
            raise InvalidInput("label gap must be 0 to 25 mm", code="invalid_gap")
        self.gap_mm = gap_mm

    def page(self, page: Page, image: Bitmap) -> bytes:
        """Return the commands printing one label."""
        gap = f"GAP {_mm(self.gap_mm)} mm,0 mm" if self.gap_mm else "GAP 0,0"  # 0: continuous
        setup = [
            f"SIZE {_mm(page.width)} mm,{_mm(page.height)} mm",
            gap,
            "DIRECTION 1,0",
            "REFERENCE 0,0",
            "CLS",
        ]
        head = _CRLF.join(line.encode("ascii") for line in setup) + _CRLF
        bitmap = f"BITMAP 0,0,{image.row_bytes},{image.height},0,".encode("ascii")
        return head + bitmap + image.data.translate(INVERT) + _CRLF + b"PRINT 1,1" + _CRLF


def _mm(value: float) -> str:
    """Return millimetres the way TSPL reads them: `100`, `76`, `2.5`."""
    return f"{value:g}"
