"""Photo redaction is public, so one anonymous request must not buy seconds of server CPU.

The attack: POST a 6300 × 6300 PNG (1 MiB, it compresses well) to the anonymous redact
endpoint, again and again, from many addresses. Refused from the header before a pixel is
decoded when it is over the pixel limit (413, naming the limit); a large photo under the
limit is scaled down before OCR, so the work per request is bounded; anonymous callers get a
tighter budget than staff.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator, Sequence

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from parcelguard.app import create_app
from parcelguard.pii.image import image_input
from parcelguard.pii.image.geometry import Quad
from parcelguard.pii.image.image_input import read_photo
from parcelguard.pii.image.image_redactor import ImageRedactor
from parcelguard.pii.image.ocr_engine import OcrEngine, OcrLine, shared_engine
from parcelguard.runtime import Runtime
from tests.pii.helpers import png_bomb, render_label
from tests.security.edges_world import bearer, staff

REDACT = "/api/v1/pii/redact-image"


@pytest.fixture
def backend() -> str:
    """Photo redaction stores nothing: SQLite is enough."""
    return "sqlite"


@pytest.fixture
def client(rt: Runtime) -> Iterator[TestClient]:
    yield TestClient(create_app(rt), client=("203.0.113.9", 40000))


def square_png(side: int) -> bytes:
    """A real, fully decodable side × side PNG (it compresses to a few hundred KiB)."""
    image = Image.new("L", (side, side), 255)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()


def webp_bomb(width: int = 16_383, height: int = 16_383) -> bytes:
    """A lossless WebP whose header claims `width` × `height` with almost no data behind it."""
    bits = (width - 1) | ((height - 1) << 14)
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\0" * 16
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def post(client: TestClient, data: bytes, name: str = "p.png", **kwargs) -> object:
    return client.post(REDACT, files={"file": (name, data, "image/png")}, **kwargs)


def test_a_6300_square_png_is_refused_with_413_naming_the_limit(client: TestClient) -> None:
    data = square_png(6300)
    assert len(data) < 2 << 20
    answer = post(client, data)
    assert answer.status_code == 413, answer.text[:300]
    error = answer.json()["error"]
    assert error["code"] == "image_too_large"
    assert f"{image_input.MAX_PIXELS // 1_000_000} megapixels" in error["message"]


@pytest.mark.parametrize(
    "bomb",
    [png_bomb(6300, 6300), png_bomb(30_000, 30_000), png_bomb(60_000, 10), webp_bomb()],
    ids=["png-6300", "png-30000", "png-strip", "webp-16383"],
)
def test_header_claims_over_the_limit_are_refused_before_decoding(
    client: TestClient, bomb: bytes
) -> None:
    # The files hold almost no pixel data: decoding would fail as "bad_image", so a
    # 413 "image_too_large" proves the refusal came from the header alone.
    answer = post(client, bomb)
    assert (answer.status_code, answer.json()["error"]["code"]) == (413, "image_too_large")


def test_an_oversized_upload_is_refused_with_413(client: TestClient) -> None:
    answer = post(client, b"\x89PNG\r\n\x1a\n" + b"\0" * (25 * 1024 * 1024 + 10))
    assert answer.status_code == 413


class RecordingEngine(OcrEngine):
    """The real OCR engine, noting the size of every image it is asked to read."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine = engine
        self.shapes: list[tuple[int, ...]] = []

    def read(self, pixels: np.ndarray, *, char_boxes: bool = True) -> list[OcrLine]:
        """Record the shape, then read with the real engine."""
        self.shapes.append(pixels.shape)
        return self.engine.read(pixels, char_boxes=char_boxes)

    def reread(self, pixels: np.ndarray, quads: Sequence[Quad]) -> list[OcrLine]:
        """Verification re-reads only the covered regions' crops: pass it through."""
        return self.engine.reread(pixels, quads)


def test_a_large_photo_under_the_limit_is_scaled_down_before_ocr() -> None:
    label = Image.open(io.BytesIO(render_label("JPEG", gps=False).data))
    big = label.resize((label.width * 5, label.height * 5))  # 4500 × 4900, 22 megapixels
    out = io.BytesIO()
    big.save(out, "JPEG", quality=85)
    assert big.width * big.height <= image_input.MAX_PIXELS
    engine = RecordingEngine(shared_engine())
    result = ImageRedactor(engine).redact(out.getvalue(), param="file")
    assert engine.shapes and all(
        s[0] * s[1] <= getattr(image_input, "WORK_PIXELS", 0) for s in engine.shapes
    )
    assert {"NAME", "PHONE", "ID_CARD"} <= {r.type for r in result.regions}  # still redacted
    width, height = Image.open(io.BytesIO(result.image)).size
    assert (width, height) == (result.width, result.height)
    for region in result.regions:
        x0, y0, x1, y1 = region.box
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height


def test_reading_a_large_jpeg_decodes_it_reduced() -> None:
    big = Image.new("RGB", (6000, 4000), "white")
    out = io.BytesIO()
    big.save(out, "JPEG", quality=80)
    photo = read_photo(out.getvalue(), param="file")
    assert max(photo.pixels.shape[:2]) < 6000  # JPEG draft mode: never 24 MP in memory


def test_anonymous_redaction_has_a_tight_budget_per_address(rt: Runtime, client) -> None:
    tiny = b"not an image"  # refused at once, but each attempt still counts
    codes = [post(client, tiny).status_code for _ in range(8)]
    assert codes[:6] == [400] * 6 and codes[6:] == [429, 429]
    faked = post(client, tiny, headers={"X-Forwarded-For": "192.0.2.1"})
    assert faked.status_code == 429  # a claimed address buys nothing
    bogus = post(client, tiny, headers=bearer("pg_0123abcd_notAKeyAtAll"))
    assert bogus.status_code == 429  # neither does a made-up key
    _, key = staff(rt, "customer_service")
    assert post(client, tiny, headers=bearer(key)).status_code == 400  # staff: own budget


def test_photos_beyond_the_process_slots_are_refused_not_queued(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parcelguard.pii import service

    monkeypatch.setattr(service, "PHOTO_WAIT", 0.05)
    slots = service.photo_slots()
    held = 0
    while slots.acquire(blocking=False):  # every slot busy with someone else's photo
        held += 1
    try:
        assert held == service.PHOTO_SLOTS
        client = TestClient(create_app(rt), client=("198.51.100.8", 1))
        answer = post(client, render_label("PNG", gps=False).data)
        assert (answer.status_code, answer.json()["error"]["code"]) == (429, "busy")
        assert int(answer.headers["retry-after"]) > 0
    finally:
        for _ in range(held):
            slots.release()
    assert post(client, b"not an image").status_code == 400  # the slots are back
