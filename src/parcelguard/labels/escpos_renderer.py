"""`EscPosRenderer`: labels as ESC/POS raster images (`GS v 0`) for printers in ESC/POS mode.

Many Xprinter and Gprinter label printers (and receipt printers with a label sensor) switch
between TSPL and ESC/POS. In ESC/POS the label is `ESC @`, the bitmap in bands of at most 256
rows (one `GS v 0` each, so no printer's receive buffer overflows), then `GS FF`, which feeds
the next label to the print position. A set bit is a black dot.
"""

from __future__ import annotations

from parcelguard.labels.page import Page
from parcelguard.labels.raster import Bitmap, RasterRenderer

ESC_INIT = b"\x1b@"
GS_RASTER = b"\x1dv0"
GS_FEED_LABEL = b"\x1d\x0c"
BAND_ROWS = 256


class EscPosRenderer(RasterRenderer):
    """ESC/POS: the printer reset, each label as `GS v 0` bands, `GS FF` after each label."""

    name = "escpos"
    extension = "escpos"

    def start(self) -> bytes:
        """Reset the printer (`ESC @`) once before the first label."""
        return ESC_INIT

    def page(self, page: Page, image: Bitmap) -> bytes:
        """Return one label as raster bands, then feed to the next label."""
        parts = []
        for first in range(0, image.height, BAND_ROWS):
            rows = min(BAND_ROWS, image.height - first)
            header = GS_RASTER + bytes([0]) + _u16(image.row_bytes) + _u16(rows)
            parts.append(header + image.rows(first, rows))
        parts.append(GS_FEED_LABEL)
        return b"".join(parts)


def _u16(value: int) -> bytes:
    """Return a number as ESC/POS's low byte, high byte pair."""
    return value.to_bytes(2, "little")
