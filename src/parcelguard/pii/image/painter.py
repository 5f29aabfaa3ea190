"""Covering regions of a photo: a solid fill, or a blur strong enough that OCR reads nothing."""

from __future__ import annotations

import cv2
import numpy as np

from parcelguard.pii.image.geometry import Quad

FILL = (32, 32, 32)
STYLES = ("blur", "fill")


def cover(pixels: np.ndarray, quad: Quad, style: str) -> None:
    """Paint over `quad` in place: `fill` with a solid colour, `blur` with a coarse mosaic."""
    polygon = np.array([[round(x), round(y)] for x, y in quad], dtype=np.int32)
    if style == "fill":
        cv2.fillConvexPoly(pixels, polygon, FILL, lineType=cv2.LINE_AA)
        return
    x, y, w, h = cv2.boundingRect(polygon)
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(pixels.shape[1], x + w), min(pixels.shape[0], y + h)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    patch = pixels[y0:y1, x0:x1]
    blurred = _mosaic(patch)
    mask = np.zeros(patch.shape[:2], dtype=np.uint8)
    cv2.fillConvexPoly(mask, polygon - [x0, y0], 255)
    patch[mask > 0] = blurred[mask > 0]


def _mosaic(patch: np.ndarray) -> np.ndarray:
    """Return a mosaic of cells as tall as half a character, then smoothed."""
    h, w = patch.shape[:2]
    cell = max(4, min(h, w) // 2)
    small = cv2.resize(patch, (max(1, w // cell), max(1, h // cell)), interpolation=cv2.INTER_AREA)
    coarse = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    k = max(3, (cell // 2) * 2 + 1)
    return cv2.GaussianBlur(coarse, (k, k), 0)
