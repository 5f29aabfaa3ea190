"""Finding QR codes and barcodes with zxing-cpp, including ones too damaged to decode."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import zxingcpp

from parcelguard.pii.image.geometry import Quad

_MATRIX = {"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "Aztec", "PDF417", "MaxiCode"}


@dataclass(frozen=True)
class CodeRegion:
    """Where a code is; `kind` is QR_CODE (any 2-D symbol) or BARCODE (linear)."""

    kind: str
    quad: Quad


def find_codes(pixels: np.ndarray) -> list[CodeRegion]:
    """Return every symbol zxing-cpp locates in an RGB image, decoded or not."""
    grey = np.ascontiguousarray(
        (pixels[:, :, 0] * 0.299 + pixels[:, :, 1] * 0.587 + pixels[:, :, 2] * 0.114).astype(
            np.uint8
        )
    )
    found: list[CodeRegion] = []
    for code in zxingcpp.read_barcodes(grey, return_errors=True):
        p = code.position
        quad: Quad = (
            (float(p.top_left.x), float(p.top_left.y)),
            (float(p.top_right.x), float(p.top_right.y)),
            (float(p.bottom_right.x), float(p.bottom_right.y)),
            (float(p.bottom_left.x), float(p.bottom_left.y)),
        )
        name = code.format.name
        kind = "QR_CODE" if any(m in name for m in _MATRIX) else "BARCODE"
        found.append(CodeRegion(kind, quad if kind == "QR_CODE" else _whole_bars(quad)))
    return found


def _whole_bars(quad: Quad) -> Quad:
    """Grow a linear code's quad to its full bar height.

    zxing-cpp reports where it scanned across the bars, which may be a thin band: the bars
    above and below it would still scan. Bars are at least a quarter of the symbol's width
    tall on every common label, so the quad grows across the bars to 0.4 of its width.
    """
    tl, tr, br, bl = quad
    width = ((tr[0] - tl[0]) ** 2 + (tr[1] - tl[1]) ** 2) ** 0.5 or 1.0
    ux, uy = (tr[0] - tl[0]) / width, (tr[1] - tl[1]) / width
    nx, ny = -uy, ux  # across the bars
    mid_top = ((tl[0] + tr[0]) / 2, (tl[1] + tr[1]) / 2)
    mid_bottom = ((bl[0] + br[0]) / 2, (bl[1] + br[1]) / 2)
    centre = ((mid_top[0] + mid_bottom[0]) / 2, (mid_top[1] + mid_bottom[1]) / 2)
    height = ((mid_bottom[0] - mid_top[0]) ** 2 + (mid_bottom[1] - mid_top[1]) ** 2) ** 0.5
    half = max(height / 2, 0.2 * width)
    along = width / 2 * 1.04
    return (
        (centre[0] - ux * along - nx * half, centre[1] - uy * along - ny * half),
        (centre[0] + ux * along - nx * half, centre[1] + uy * along - ny * half),
        (centre[0] + ux * along + nx * half, centre[1] + uy * along + ny * half),
        (centre[0] - ux * along + nx * half, centre[1] - uy * along + ny * half),
    )
