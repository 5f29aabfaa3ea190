"""`ZplRasterRenderer`: labels as ZPL II whose whole content is one `^GFA` graphic field.

For Zebra-compatible printers without a CJK font stored on them: the plain `zpl` format sets
text in a printer font, and a printer lacking it prints the Chinese fields blank. Here the
label is the PNG path's bitmap (see `raster.py`) in ZPL's ASCII hex with its own compression:
a row equal to the one above is `:`, and a row's white tail is cut off with `,`.
"""

from __future__ import annotations

from parcelguard.labels.page import Page
from parcelguard.labels.raster import Bitmap, RasterRenderer


class ZplRasterRenderer(RasterRenderer):
    """ZPL II, one `^XA … ^FO0,0^GFA … ^XZ` format per label; a set bit is a black dot."""

    name = "zpl-raster"
    media_type = "text/plain; charset=utf-8"
    extension = "zpl"

    def page(self, page: Page, image: Bitmap) -> bytes:
        """Return one label as one format holding one compressed graphic field."""
        total = image.row_bytes * image.height
        lines = [
            "^XA",
            f"^PW{image.width}",
            f"^LL{image.height}",
            "^LH0,0",
            f"^FO0,0^GFA,{total},{total},{image.row_bytes},{_compressed(image)}^FS",
            "^PQ1",
            "^XZ",
        ]
        return ("\n".join(lines) + "\n").encode("ascii")


def _compressed(image: Bitmap) -> str:
    """Return the rows as ASCII hex, `:` for a repeated row, `,` for a row's white tail."""
    rows, previous = [], None
    for index in range(image.height):
        row = image.rows(index, 1)
        if row == previous:
            rows.append(":")
            continue
        previous = row
        text = row.hex().upper()
        kept = text.rstrip("0")
        # An odd cut would split a byte's two digits: keep whole bytes.
        kept += "0" * (len(kept) % 2)
        rows.append(kept + "," if len(kept) < len(text) else kept)
    return "".join(rows)
