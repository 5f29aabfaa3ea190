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
        found.append(CodeRegion(kind, quad))
    return found
