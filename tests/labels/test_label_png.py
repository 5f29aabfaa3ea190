"""PNG labels: an independent decoder (zxing-cpp) reads the waybill barcode and the QR."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

import pytest
from PIL import Image, ImageFilter

from parcelguard.labels.content import LabelContent, LabelSize
from parcelguard.labels.png_renderer import PngRenderer
from parcelguard.labels.samples import sample_shelf_label

Decoder = Callable[[Image.Image], dict[str, list[str]]]
OpenPng = Callable[[bytes], Image.Image]
CASES = [(dpi, size) for dpi in (203, 300) for size in LabelSize]


def _damaged(image: Image.Image, angle: float, blur: float) -> Image.Image:
    """Return the label turned by `angle` degrees and blurred, like a hasty photo."""
    if angle:
        image = image.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    return image


@pytest.mark.parametrize(("dpi", "size"), CASES, ids=[f"{d}dpi-{s.value}" for d, s in CASES])
def test_barcode_and_qr_decode(
    label: LabelContent, decode: Decoder, open_png: OpenPng, dpi: int, size: LabelSize
) -> None:
    image = open_png(PngRenderer(dpi=dpi).render(label, size))
    assert image.size == (round(size.width_mm * dpi / 25.4), round(size.height_mm * dpi / 25.4))
    found = decode(image)
    assert found["qr"] == [label.qr_url]
    assert found["code128"] and set(found["code128"]) == {label.waybill_no}


@pytest.mark.parametrize(("dpi", "size"), CASES, ids=[f"{d}dpi-{s.value}" for d, s in CASES])
@pytest.mark.parametrize(("angle", "blur"), [(3.0, 0.0), (-4.5, 0.0), (0.0, 1.0), (4.0, 1.0)])
def test_still_decodes_turned_and_blurred(
    label: LabelContent,
    decode: Decoder,
    open_png: OpenPng,
    dpi: int,
    size: LabelSize,
    angle: float,
    blur: float,
) -> None:
    image = _damaged(open_png(PngRenderer(dpi=dpi).render(label, size)), angle, blur)
    found = decode(image)
    assert found["qr"] == [label.qr_url]
    assert label.waybill_no in found["code128"]


def test_long_content_still_decodes(
    long_label: LabelContent, decode: Decoder, open_png: OpenPng
) -> None:
    longer_url = replace(long_label, qr_url="https://parcelguard.example.com/s/" + "x" * 64)
    for size in LabelSize:
        found = decode(open_png(PngRenderer(dpi=203).render(longer_url, size)))
        assert found["qr"] == [longer_url.qr_url]
        assert longer_url.waybill_no in found["code128"]


def test_png_carries_resolution_and_nothing_else(label: LabelContent, open_png: OpenPng) -> None:
    data = PngRenderer(dpi=300).render(label)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert round(image.info["dpi"][0]) == 300
    assert set(image.info) <= {"dpi"}
    assert label.recipient_name.encode() not in data


def test_many_labels_give_one_png_each(label: LabelContent) -> None:
    ticks: list[int] = []
    pages = PngRenderer().render_many([label, label, label], progress=ticks.append)
    assert len(pages) == 3
    assert all(page.startswith(b"\x89PNG") for page in pages)
    assert ticks == [1, 1, 1]


def test_shelf_label_png(open_png: OpenPng) -> None:
    image = open_png(PngRenderer(dpi=203).render_shelf(sample_shelf_label(0)))
    assert image.size == (round(60 * 203 / 25.4), round(40 * 203 / 25.4))
    assert image.getextrema() == (0, 255)
