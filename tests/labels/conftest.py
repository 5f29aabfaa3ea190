"""Fixtures for the label tests: synthetic masked content and a decoder for rendered images."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

import pytest
import zxingcpp
from PIL import Image

from parcelguard.labels.content import LabelContent
from parcelguard.labels.samples import sample_label


@pytest.fixture
def label() -> LabelContent:
    """Return one synthetic, masked label."""
    return sample_label(0)


@pytest.fixture
def long_label() -> LabelContent:
    """Return a label whose masked address and contents are far longer than usual."""
    return replace(
        sample_label(1),
        recipient_address="新疆维吾尔自治区伊犁哈萨克自治州伊宁市经济合作区"
        + "上海路与北京路交叉口东北角某某产业园区综合楼" * 2
        + "***",
        contents="电子产品配件、家居日用品、图书文具、服饰鞋帽 共12件",
        sorting_code="991-XJ-A0123-B77",
        destination="伊犁哈萨克自治州 伊宁市",
    )


Decoder = Callable[[Image.Image], dict[str, list[str]]]


def _decode(image: Image.Image) -> dict[str, list[str]]:
    formats = (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode)
    found: dict[str, list[str]] = {"code128": [], "qr": []}
    for barcode in zxingcpp.read_barcodes(image, formats=formats):
        kind = "qr" if "QR" in barcode.format.name else "code128"
        found[kind].append(barcode.text)
    return found


@pytest.fixture
def decode() -> Decoder:
    """Return a function giving the texts zxing-cpp reads from an image: code128 and qr."""
    return _decode


@pytest.fixture
def open_png() -> Callable[[bytes], Image.Image]:
    """Return a function opening a rendered PNG as a greyscale Pillow image."""
    return lambda data: Image.open(io.BytesIO(data)).convert("L")
