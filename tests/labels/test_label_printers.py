"""Station printers: TSPL, ESC/POS and ZPL streams sent over raw TCP, printed back and scanned.

A real TCP server in the test receives what a printer would; a small interpreter for the subset
we emit (tests/labels/printer_streams.py) rasterises it, and zxing-cpp must read the waybill
barcode and the QR link from the printed image.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from tests.labels.printer_streams import (
    Listener,
    dots,
    escpos_labels,
    tspl_labels,
    zpl_labels,
)

from parcelguard.errors import Unavailable
from parcelguard.labels.content import LabelContent, LabelSize
from parcelguard.labels.escpos_renderer import BAND_ROWS, EscPosRenderer
from parcelguard.labels.fonts import default_font
from parcelguard.labels.png_renderer import PngRenderer
from parcelguard.labels.printer_transport import CupsTransport, TcpTransport
from parcelguard.labels.printers import PrinterUrl
from parcelguard.labels.registry import renderer_for
from parcelguard.labels.samples import sample_label, sample_shelf_label
from parcelguard.labels.tspl_renderer import TsplRenderer
from parcelguard.labels.waybill_layout import waybill_page

Decoder = Callable[[Image.Image], dict[str, list[str]]]
LANGUAGES = ("tspl", "escpos", "zpl", "zpl-raster")
RASTERS = ("tspl", "escpos", "zpl-raster")
CASES = [(lang, dpi, size) for lang in LANGUAGES for dpi in (203, 300) for size in LabelSize]
IDS = [f"{lang}-{dpi}dpi-{size.value}" for lang, dpi, size in CASES]


def printed(language: str, stream: bytes, dpi: int) -> list[Image.Image]:
    """Return the labels a printer of `language` at `dpi` prints from `stream`."""
    if language == "tspl":
        return tspl_labels(stream, dpi)
    if language == "escpos":
        return escpos_labels(stream)
    return zpl_labels(stream)


@pytest.mark.parametrize(("language", "dpi", "size"), CASES, ids=IDS)
def test_sent_over_tcp_the_printed_label_scans(
    printer: Listener,
    label: LabelContent,
    decode: Decoder,
    language: str,
    dpi: int,
    size: LabelSize,
) -> None:
    stream = renderer_for(language, dpi=dpi).render(label, size)
    TcpTransport(PrinterUrl.parse(printer.url), timeout=5).send(stream)
    received = printer.job()
    assert received == stream
    (image,) = printed(language, received, dpi)
    width, height = dots(size.width_mm, dpi), dots(size.height_mm, dpi)
    assert image.height == height and width <= image.width < width + 8
    found = decode(image)
    assert found["qr"] == [label.qr_url]
    assert found["code128"] and set(found["code128"]) == {label.waybill_no}


@pytest.mark.parametrize("language", RASTERS)
@pytest.mark.parametrize("dpi", [203, 300])
def test_raster_prints_exactly_the_png_cjk_text_included(
    label: LabelContent, language: str, dpi: int
) -> None:
    size = LabelSize.MM_100X150
    (image,) = printed(language, renderer_for(language, dpi=dpi).render(label, size), dpi)
    png = PngRenderer(dpi=dpi).image(waybill_page(label, size, default_font()))
    expected = png.point(lambda level: 0 if level < 128 else 255)
    assert image.crop((0, 0, *png.size)).tobytes() == expected.tobytes()
    # The masked name and the 收/寄 badges are CJK glyphs: many black dots, not empty boxes.
    assert expected.histogram()[0] > 0.05 * png.width * png.height


def test_tspl_commands_and_white_bits() -> None:
    stream = TsplRenderer(dpi=203).render(sample_label(0), LabelSize.MM_76X130)
    head, _, _ = stream.partition(b"BITMAP ")
    assert head.split(b"\r\n") == [
        b"SIZE 76 mm,130 mm",
        b"GAP 2 mm,0 mm",
        b"DIRECTION 1,0",
        b"REFERENCE 0,0",
        b"CLS",
        b"",
    ]
    width, height = dots(76, 203), dots(130, 203)
    header = f"BITMAP 0,0,{(width + 7) // 8},{height},0,".encode()
    assert header in stream
    assert stream.endswith(b"\r\nPRINT 1,1\r\n")
    # A set bit is white in TSPL: the label's white top margin is all ones.
    data = stream[stream.index(header) + len(header) :]
    assert data[: (width + 7) // 8] == b"\xff" * ((width + 7) // 8)
    assert b"GAP 0,0\r\n" in TsplRenderer(gap_mm=0).render(sample_label(0))


def test_escpos_bands_and_label_feeds() -> None:
    labels = [sample_label(i) for i in range(3)]
    (stream,) = EscPosRenderer(dpi=300).render_many(labels, LabelSize.MM_100X180)
    assert stream.startswith(b"\x1b@") and stream.count(b"\x1b@") == 1
    pages = escpos_labels(stream)
    assert len(pages) == 3
    assert all(page.height == dots(180, 300) for page in pages)
    rows = [int.from_bytes(stream[i + 6 : i + 8], "little") for i in _raster_headers(stream)]
    assert max(rows) == BAND_ROWS and sum(rows) == 3 * dots(180, 300)


def test_zpl_raster_is_one_compressed_graphic_per_label() -> None:
    labels = [sample_label(i) for i in range(2)]
    (stream,) = renderer_for("zpl-raster", dpi=203).render_many(labels, LabelSize.MM_100X150)
    text = stream.decode("ascii")
    assert text.count("^XA") == text.count("^GFA,") == text.count("^XZ") == 2
    width, height = dots(100, 203), dots(150, 203)
    total = (width + 7) // 8 * height
    assert (
        f"^PW{width}\n^LL{height}\n^LH0,0\n^FO0,0^GFA,{total},{total},{(width + 7) // 8},," in text
    )
    assert ":" in text  # repeated rows are sent once
    assert len(stream) < 2 * total  # below plain hex, which doubles the bitmap
    assert labels[0].recipient_name not in text and "^CW" not in text  # no printer font needed


def _raster_headers(stream: bytes) -> list[int]:
    """Return the offsets of the GS v 0 headers, walking the stream band by band."""
    found, at = [], 2
    while stream.startswith(b"\x1dv0", at):
        found.append(at)
        row_bytes = int.from_bytes(stream[at + 4 : at + 6], "little")
        rows = int.from_bytes(stream[at + 6 : at + 8], "little")
        at += 8 + row_bytes * rows
        if stream.startswith(b"\x1d\x0c", at):
            at += 2
    assert at == len(stream)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_many_labels_one_stream_one_printout_each(
    printer: Listener, decode: Decoder, language: str
) -> None:
    labels = [sample_label(i) for i in range(3)]
    (stream,) = renderer_for(language).render_many(labels, LabelSize.MM_76X130)
    TcpTransport(PrinterUrl.parse(printer.url)).send(stream)
    images = printed(language, printer.job(), 203)
    assert [decode(image)["qr"] for image in images] == [[item.qr_url] for item in labels]


@pytest.mark.parametrize("language", RASTERS)
def test_shelf_label_prints(language: str) -> None:
    shelf = sample_shelf_label(0)
    (image,) = printed(language, renderer_for(language).render_shelf(shelf), 203)
    assert image.height == dots(40, 203) and image.getextrema() == (0, 255)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://10.0.0.7", "tcp://10.0.0.7:9100"),
        ("tcp://printer-3.station.lan:9101", "tcp://printer-3.station.lan:9101"),
        ("tcp://[fd00::7]:9100", "tcp://[fd00::7]:9100"),
        ("cups://TSC_TE244", "cups://TSC_TE244"),
    ],
)
def test_printer_urls(text: str, expected: str) -> None:
    assert str(PrinterUrl.parse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "http://10.0.0.7:9100",
        "tcp://",
        "tcp://10.0.0.7:99999",
        "tcp://user:pw@10.0.0.7",
        "tcp://10.0.0.7/path",
        "tcp://10.0.0.7?x=1",
        "tcp://bad_host!",
        "cups://-o",
        "cups://queue/extra",
        "cups://",
        "10.0.0.7:9100",
    ],
)
def test_bad_printer_urls(text: str) -> None:
    with pytest.raises(Exception) as caught:
        PrinterUrl.parse(text)
    assert getattr(caught.value, "code", None) == "invalid_printer_url"


def _closed_port() -> int:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_unreachable_printer_is_named_and_nothing_else() -> None:
    url = PrinterUrl.parse(f"tcp://127.0.0.1:{_closed_port()}")
    stream = TsplRenderer().render(sample_label(0))
    with pytest.raises(Unavailable) as caught:
        TcpTransport(url, timeout=2).send(stream)
    assert caught.value.code == "printer_unreachable"
    assert str(url) in caught.value.message and "refused" in caught.value.message.lower()
    assert sample_label(0).recipient_name not in caught.value.message


def test_a_printer_that_stops_reading_times_out() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.listen(1)
    url = PrinterUrl.parse(f"tcp://127.0.0.1:{server.getsockname()[1]}")
    try:
        # Accepted by the kernel, never read: the send buffers fill and the write times out.
        with pytest.raises(Unavailable) as caught:
            TcpTransport(url, timeout=0.5).send(b"\0" * (64 << 20))
    finally:
        server.close()
    assert caught.value.code == "printer_timeout"
    assert caught.value.message == f"printer {url} did not answer within 0.5 s"


def test_unknown_host() -> None:
    with pytest.raises(Unavailable) as caught:
        TcpTransport(PrinterUrl.parse("tcp://no-such-printer.invalid"), timeout=2).send(b"x")
    assert caught.value.code == "printer_unreachable"


def _fake_lp(tmp_path: Path, status: int = 0) -> Path:
    """Write an `lp` that keeps its arguments and standard input, as CUPS would queue them."""
    script = tmp_path / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{tmp_path}/argv"\n'
        f'cat > "{tmp_path}/job"\n'
        f'[ {status} -eq 0 ] || {{ echo "lp: The printer or class does not exist." >&2; }}\n'
        f"exit {status}\n"
    )
    script.chmod(0o755)
    return script


def test_cups_queue_gets_a_raw_job(tmp_path: Path, decode: Decoder) -> None:
    stream = TsplRenderer(dpi=203).render(sample_label(1), LabelSize.MM_100X150)
    CupsTransport(PrinterUrl.parse("cups://TSC_TE244"), lp=str(_fake_lp(tmp_path))).send(stream)
    argv = (tmp_path / "argv").read_text().splitlines()
    assert argv == ["-d", "TSC_TE244", "-o", "raw", "-t", "ParcelGuard labels"]
    (image,) = tspl_labels((tmp_path / "job").read_bytes(), 203)
    assert decode(image)["qr"] == [sample_label(1).qr_url]


def test_cups_refusal_and_missing_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = PrinterUrl.parse("cups://nosuchqueue")
    with pytest.raises(Unavailable) as caught:
        CupsTransport(url, lp=str(_fake_lp(tmp_path, status=1))).send(b"x")
    assert caught.value.code == "printer_failed"
    assert "does not exist" in caught.value.message and "cups://nosuchqueue" in caught.value.message
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(Unavailable) as caught:
        CupsTransport(url).send(b"x")
    assert caught.value.code == "cups_missing" and "lp" in caught.value.message
