"""The two OCR engines: PP-OCRv6 from the rapidocr wheel (offline), Tesseract as the verifier."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from tests.pii.helpers import FONT

from parcelguard.pii.image.geometry import along_text, span_quad
from parcelguard.pii.image.ocr_engine import OcrEngine
from parcelguard.pii.image.tesseract_reader import (
    ReaderFailed,
    TesseractReader,
    _lines,
    _words,
    tesseract_available,
)


def _text_image(text: str, width: int = 900, size: int = 40, x: int = 20) -> np.ndarray:
    image = Image.new("RGB", (width, 120), "white")
    ImageDraw.Draw(image).text((x, 30), text, fill="black", font=ImageFont.truetype(FONT, size))
    return np.asarray(image)


def test_detector_models_ship_in_the_wheel_and_load_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import rapidocr

    models = Path(rapidocr.__file__).parent / "models"
    assert {"PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx"} <= {
        p.name for p in models.iterdir()
    }

    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    engine = OcrEngine()  # a fresh one: loads every model now
    lines = engine.read(_text_image("收件人：王小明 13812345678"))
    assert "13812345678" in "".join(line.text for line in lines).replace(" ", "")
    assert engine.name == "PP-OCRv6"


def test_reread_reads_given_quads_without_detection(engine: OcrEngine) -> None:
    pixels = _text_image("电话：13812345678")
    line = next(line for line in engine.read(pixels) if "138" in line.text)
    again = engine.reread(pixels, [line.quad, ((0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0))])
    assert "13812345678" in again[0].text.replace(" ", "")
    assert again[1].text == ""  # a sliver gives an empty line, so positions still match
    assert len(again[0].chars) == len(again[0].text)


@pytest.mark.parametrize(
    ("chars", "direction"),
    [
        # left to right: the top edge runs right
        ([((0, 0), (10, 0), (10, 20), (0, 20)), ((30, 0), (40, 0), (40, 20), (30, 20))], (1, 0)),
        # a label turned a quarter, read top to bottom; corners in image axes
        ([((0, 0), (20, 0), (20, 10), (0, 10)), ((0, 50), (20, 50), (20, 60), (0, 60))], (0, 1)),
        # upside down: read right to left
        ([((40, 0), (30, 0), (30, 20), (40, 20)), ((10, 0), (0, 0), (0, 20), (10, 20))], (-1, 0)),
    ],
)
def test_span_quad_runs_along_the_text(chars: list, direction: tuple[int, int]) -> None:
    tl, tr, br, bl = span_quad(chars)
    dx, dy = tr[0] - tl[0], tr[1] - tl[1]
    length = (dx * dx + dy * dy) ** 0.5
    assert (round(dx / length), round(dy / length)) == direction
    xs = [p[0] for q in chars for p in q]
    ys = [p[1] for q in chars for p in q]
    for x, y in (tl, tr, br, bl):  # the rectangle is the characters' own extent
        assert min(xs) - 1e-6 <= x <= max(xs) + 1e-6 and min(ys) - 1e-6 <= y <= max(ys) + 1e-6


def test_along_text_turns_a_vertical_line() -> None:
    tall = ((0.0, 0.0), (20.0, 0.0), (20.0, 200.0), (0.0, 200.0))
    assert along_text(tall, "13812345678")[0:2] == ((20.0, 0.0), (20.0, 200.0))
    assert along_text(tall, "王") == tall
    wide = ((0.0, 0.0), (200.0, 0.0), (200.0, 20.0), (0.0, 20.0))
    assert along_text(wide, "13812345678") == wide


TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "4\t1\t1\t1\t1\t0\t10\t10\t300\t40\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t10\t10\t60\t40\t95\t收件\n"
    "5\t1\t1\t1\t1\t2\t80\t10\t220\t40\t90\t13812345678\n"
    "5\t1\t2\t1\t1\t1\t10\t80\t40\t40\t90\tJohn\n"
    "5\t1\t2\t1\t1\t2\t60\t80\t50\t40\t90\tSmith\n"
    "5\t1\t2\t1\t1\t3\t120\t80\t50\t40\t90\t \n"
)


def test_tesseract_words_become_lines_with_a_quad_per_character() -> None:
    lines = _lines(_words(TSV), 2.0)  # the photo was read at half size
    assert [line.text for line in lines] == ["收件13812345678", "John Smith"]
    assert all(len(line.chars) == len(line.text) for line in lines)
    first = lines[0]
    assert first.chars[0][0] == (20.0, 20.0)  # scaled back to the photo's pixels
    assert first.chars[-1][2] == (600.0, 100.0)


def test_tesseract_reads_a_rendered_line(tesseract: TesseractReader) -> None:
    assert tesseract_available()
    lines = tesseract.read(_text_image("电话 13812345678"))
    assert "13812345678" in "".join(line.text for line in lines).replace(" ", "")


def test_tesseract_downscales_large_photos_and_scales_boxes_back() -> None:
    reader = TesseractReader(max_side=1000)
    pixels = _text_image("13812345678", width=3000, size=80, x=2200)
    lines = reader.read(pixels)
    digits = [line for line in lines if "13812345678" in line.text.replace(" ", "")]
    assert digits
    assert min(p[0] for p in digits[0].quad) > 2000  # in the photo's pixels, not the read's


def test_tesseract_failure_is_a_reader_failure() -> None:
    with pytest.raises(ReaderFailed) as caught:
        TesseractReader(binary="/nonexistent/tesseract").read(_text_image("x"))
    assert "13812345678" not in str(caught.value)
    assert not tesseract_available("/nonexistent/tesseract")
