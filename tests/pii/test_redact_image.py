"""Photo redaction end to end: OCR can no longer read the PII, codes are filled, metadata gone."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import zxingcpp
from PIL import Image
from tests.pii.helpers import LabelPhoto, png_bomb, render_label

from parcelguard.errors import InvalidInput
from parcelguard.pii.image.image_input import read_photo
from parcelguard.pii.image.image_redactor import ImageRedactor
from parcelguard.pii.image.ocr_engine import OcrEngine


@pytest.fixture(scope="module")
def redactor(engine: OcrEngine) -> ImageRedactor:
    """Return a redactor on the session's OCR engine."""
    return ImageRedactor(engine)


def test_pii_is_unreadable_after_redaction(
    redactor: ImageRedactor, label_photo: LabelPhoto, ocr_text: Callable[[bytes], str]
) -> None:
    before = ocr_text(label_photo.data)
    for value in label_photo.secrets.values():
        assert value in before, "the test photo must be legible to begin with"
    result = redactor.redact(label_photo.data)
    after = ocr_text(result.image)
    for value in label_photo.secrets.values():
        assert value not in after
    assert "138****5678" in after  # already masked: left as it was
    assert "浙江省杭州市西湖区" in after  # divisions stay, the detail goes
    assert "文三路478号" not in after
    kinds = {region.type for region in result.regions}
    assert {"NAME", "PHONE", "ID_CARD", "ADDRESS", "QR_CODE", "BARCODE"} <= kinds


def test_codes_are_filled(redactor: ImageRedactor, label_photo: LabelPhoto) -> None:
    before = zxingcpp.read_barcodes(Image.open(io.BytesIO(label_photo.data)))
    assert {b.format.name for b in before} >= {"QRCode", "Code128"}
    after = zxingcpp.read_barcodes(Image.open(io.BytesIO(redactor.redact(label_photo.data).image)))
    assert after == []


def test_metadata_is_stripped(redactor: ImageRedactor, label_photo: LabelPhoto) -> None:
    assert Image.open(io.BytesIO(label_photo.data)).getexif().get_ifd(0x8825)
    result = redactor.redact(label_photo.data)
    out = Image.open(io.BytesIO(result.image))
    assert len(out.getexif()) == 0
    assert not out.info.get("exif") and not out.info.get("icc_profile")
    assert {"exif", "gps"} <= set(result.metadata_removed)


def test_report_shape(redactor: ImageRedactor, label_photo: LabelPhoto) -> None:
    result = redactor.redact(label_photo.data)
    report = result.report(out="x.jpg")
    assert report["out"] == "x.jpg" and report["format"] == "jpeg"
    for region in report["regions"]:
        x0, y0, x1, y1 = region["box"]
        assert 0 <= x0 < x1 <= report["width"] and 0 <= y0 < y1 <= report["height"]
        assert len(region["polygon"]) == 4
    assert "林思静" not in repr(result.regions)


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_keep_their_format(redactor: ImageRedactor, kind: str) -> None:
    photo = render_label(kind, gps=False)
    result = redactor.redact(photo.data)
    assert Image.open(io.BytesIO(result.image)).format == kind
    assert result.media_type == {"PNG": "image/png", "WEBP": "image/webp"}[kind]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7 not a photo", "not_an_image"),
        (b"", "not_an_image"),
        ("收件人：王小明".encode(), "not_an_image"),
        (b"GIF89a" + b"\0" * 40, "not_an_image"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 64, "bad_image"),
        (png_bomb(), "image_too_large"),
        (png_bomb(20_000, 1), "image_too_large"),
    ],
)
def test_refuses_what_is_no_photo(data: bytes, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        read_photo(data, param="IN")
    assert caught.value.code == code
    assert caught.value.message.startswith("IN ")
    assert caught.value.details["parameter"] == "IN"


def test_refuses_oversized_uploads() -> None:
    with pytest.raises(InvalidInput) as caught:
        read_photo(b"\xff\xd8\xff" + b"\0" * (25 * 1024 * 1024), param="file")
    assert caught.value.code == "image_too_large"


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    assert read_photo(out.getvalue()).pixels.shape[:2] == (40, 20)
