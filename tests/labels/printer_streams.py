"""A small printer for the tests: a raw-TCP listener, and interpreters that rasterise the TSPL,
ESC/POS and ZPL subsets ParcelGuard emits.

Each interpreter reads a stream as a printer would and returns one greyscale image per printed
label, at the printer's resolution. It is strict: a command outside the subset, a bitmap that
runs off the label or past the end of the stream, is an error rather than a guess.
"""

from __future__ import annotations

import re
import socket
import threading

import segno
from PIL import Image, ImageChops, ImageDraw
from reportlab.graphics.barcode.code128 import Code128

from parcelguard.labels.fonts import default_font

WHITE, BLACK = 255, 0


class StreamError(ValueError):
    """The stream is not what a printer of the subset would accept."""


def dots(mm: float, dpi: int) -> int:
    """Return millimetres as printer dots."""
    return round(mm * dpi / 25.4)


class Listener:
    """A raw-TCP printer on 127.0.0.1: keeps what each connection sent, in order."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self.done = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            if self.stopping:
                conn.close()
                return
            with conn:
                chunks = []
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
            self.jobs.append(b"".join(chunks))
            self.done.set()

    def job(self) -> bytes:
        """Return the last job, once it has been received whole."""
        assert self.done.wait(10), "the printer received nothing"
        self.done.clear()
        return self.jobs[-1]

    def close(self) -> None:
        self.stopping = True
        socket.create_connection(("127.0.0.1", self.port), 1).close()  # wakes accept()
        self.thread.join(5)
        self.server.close()


# --- TSPL2 ---

_TSPL_LINE = re.compile(rb"([A-Z]+)( [^\r\n]*)?\r\n")
_TSPL_BITMAP = re.compile(rb"BITMAP (\d+),(\d+),(\d+),(\d+),([012]),")
_TSPL_SETUP = (b"GAP", b"DIRECTION", b"REFERENCE", b"DENSITY", b"SPEED")


def tspl_labels(stream: bytes, dpi: int) -> list[Image.Image]:
    """Print a TSPL stream: SIZE, CLS, BITMAP (overwrite), PRINT m,n; setup commands accepted."""
    labels: list[Image.Image] = []
    size: tuple[int, int] | None = None
    canvas: Image.Image | None = None
    at = 0
    while at < len(stream):
        bitmap = _TSPL_BITMAP.match(stream, at)
        if bitmap:
            if canvas is None:
                raise StreamError("BITMAP before CLS")
            x, y, row_bytes, height, _mode = (int(v) for v in bitmap.groups())
            end = bitmap.end() + row_bytes * height
            if stream[end : end + 2] != b"\r\n":
                raise StreamError("bitmap data of the wrong length")
            # In TSPL a set bit is a white dot, which is what Pillow's mode "1" reads.
            image = Image.frombytes("1", (row_bytes * 8, height), stream[bitmap.end() : end])
            if x + image.width > canvas.width + 7 or y + image.height > canvas.height:
                raise StreamError("bitmap runs off the label")
            canvas.paste(image.convert("L"), (x, y))
            at = end + 2
            continue
        line = _TSPL_LINE.match(stream, at)
        if not line:
            raise StreamError(f"not a TSPL command at byte {at}")
        command, args = line[1], (line[2] or b"").strip().decode("ascii")
        if command == b"SIZE":
            width, height = (float(part.replace("mm", "")) for part in args.split(","))
            size = (dots(width, dpi), dots(height, dpi))
        elif command == b"CLS":
            if size is None:
                raise StreamError("CLS before SIZE")
            canvas = Image.new("L", size, WHITE)
        elif command == b"PRINT":
            if canvas is None:
                raise StreamError("PRINT with nothing drawn")
            copies = int(args.split(",")[0])
            labels.extend(canvas.copy() for _ in range(copies))
        elif command not in _TSPL_SETUP:
            raise StreamError(f"TSPL command outside the subset: {command!r}")
        at = line.end()
    return labels


# --- ESC/POS ---


def escpos_labels(stream: bytes) -> list[Image.Image]:
    """Print an ESC/POS stream: ESC @, GS v 0 raster bands, GS FF ending each label."""
    labels: list[Image.Image] = []
    bands: list[Image.Image] = []
    at = 0
    while at < len(stream):
        if stream.startswith(b"\x1b@", at):
            at += 2
        elif stream.startswith(b"\x1dv0", at):
            mode = stream[at + 3]
            row_bytes = int.from_bytes(stream[at + 4 : at + 6], "little")
            rows = int.from_bytes(stream[at + 6 : at + 8], "little")
            data = stream[at + 8 : at + 8 + row_bytes * rows]
            if mode != 0 or len(data) != row_bytes * rows:
                raise StreamError("raster band of the wrong mode or length")
            # In ESC/POS a set bit is a black dot: the opposite of Pillow's mode "1".
            band = Image.frombytes("1", (row_bytes * 8, rows), data).convert("L")
            bands.append(ImageChops.invert(band))
            at += 8 + len(data)
        elif stream.startswith(b"\x1d\x0c", at):
            if not bands:
                raise StreamError("label feed with nothing printed")
            label = Image.new("L", (bands[0].width, sum(b.height for b in bands)), WHITE)
            top = 0
            for band in bands:
                label.paste(band, (0, top))
                top += band.height
            labels.append(label)
            bands = []
            at += 2
        else:
            raise StreamError(f"ESC/POS command outside the subset at byte {at}")
    if bands:
        raise StreamError("raster data never fed out")
    return labels


# --- ZPL II ---

_ZPL_COMMAND = re.compile(r"\^([A-Z@][A-Z0-9@]?)([^\^]*)")


def zpl_labels(stream: bytes) -> list[Image.Image]:
    """Print ZPL: ^XA…^XZ formats with ^FO/^FT, ^A, ^GB, ^GFA, ^BY/^BC, ^BQ, ^FR, ^FH, ^FD."""
    text = stream.decode("utf-8")
    return [_zpl_format(body) for body in re.findall(r"\^XA(.*?)\^XZ", text, re.S)]


def _zpl_format(body: str) -> Image.Image:
    """Draw one ^XA … ^XZ format."""
    state: dict[str, str | int | bool] = {}
    fields: list[dict[str, str | int | bool]] = []
    width = height = 0
    for name, raw in _ZPL_COMMAND.findall(body.replace("\n", "")):
        args = raw.split(",")
        if name == "PW":
            width = int(raw)
        elif name == "LL":
            height = int(raw)
        elif name in ("FO", "FT"):
            state = {"origin": name, "x": int(args[0]), "y": int(args[1])}
        elif name in ("A1", "GB", "BC", "BQ", "BY", "GF"):
            state[name] = raw
        elif name in ("FR", "FH"):
            state[name] = True
        elif name == "FD":
            state["data"] = _unescape(raw) if state.get("FH") else raw
        elif name == "FS":
            fields.append(state)
            state = {}
        elif name not in ("CI", "LH", "CW", "PQ"):
            raise StreamError(f"ZPL command outside the subset: ^{name}")
    canvas = Image.new("L", (width, height), WHITE)
    for field in fields:
        _zpl_field(canvas, field)
    return canvas


def _zpl_field(canvas: Image.Image, field: dict[str, str | int | bool]) -> None:
    """Draw one field: a box, a Code128, a QR code or a line of text."""
    x, y = int(field["x"]), int(field["y"])
    mark = Image.new("1", canvas.size, 0)
    draw = ImageDraw.Draw(mark)
    if "GF" in field:
        # A set bit is a black dot: Pillow reads it as 255, which is where the mask paints.
        canvas.paste(BLACK, (x, y), _graphic(str(field["GF"])).convert("L"))
        return
    if "GB" in field:
        w, h, thickness = (int(v) for v in str(field["GB"]).split(",")[:3])
        if thickness >= min(w, h):
            draw.rectangle((x, y, x + w - 1, y + h - 1), fill=1)
        else:
            draw.rectangle((x, y, x + w - 1, y + h - 1), outline=1, width=thickness)
    elif "BC" in field:
        module = int(str(field["BY"]).split(",")[0])
        bar_height = int(str(field["BC"]).split(",")[1])
        symbol = Code128(str(field["data"]))
        symbol.validate()
        symbol.encode()
        symbol.decompose()
        left = x
        for index, letter in enumerate(symbol.decomposed):
            run = (ord(letter.lower()) - ord("a") + 1) * module
            if index % 2 == 0:
                draw.rectangle((left, y, left + run - 1, y + bar_height - 1), fill=1)
            left += run
    elif "BQ" in field:
        magnification = int(str(field["BQ"]).split(",")[2])
        mode, _, value = str(field["data"]).partition(",")
        if mode != "MA":
            raise StreamError("QR data must start with MA,")
        matrix = segno.make_qr(value, error="m", boost_error=False).matrix
        for row, cells in enumerate(matrix):
            for col, dark in enumerate(cells):
                if dark:
                    left, top = x + col * magnification, y + row * magnification
                    draw.rectangle(
                        (left, top, left + magnification - 1, top + magnification - 1), fill=1
                    )
    else:
        size = int(str(field["A1"]).split(",")[1])
        anchor = "ls" if field["origin"] == "FT" else "lt"
        draw.text((x, y), str(field["data"]), font=default_font().pil(size), fill=1, anchor=anchor)
    ink = mark.convert("L")
    if field.get("FR"):  # field reverse: flip every dot under the field
        canvas.paste(ImageChops.difference(canvas, ink), (0, 0))
    else:
        canvas.paste(BLACK, (0, 0), ink)


def _graphic(raw: str) -> Image.Image:
    """Decode ^GFA,total,total,row bytes,data (ASCII hex; `,` ends a row white, `:` repeats)."""
    kind, total, _, row_bytes, data = raw.split(",", 4)
    width, rows, row, previous = int(row_bytes), [], "", ""
    for char in data:
        if char == ":" and not row:
            rows.append(previous)
        elif char == ",":
            rows.append(row.ljust(2 * width, "0"))
            previous, row = rows[-1], ""
        elif char in "0123456789ABCDEF":
            row += char
            if len(row) == 2 * width:
                rows.append(row)
                previous, row = row, ""
        else:
            raise StreamError(f"^GF data holds {char!r}")
    if kind != "A" or row or len(rows) * width != int(total):
        raise StreamError("^GF data of the wrong length")
    return Image.frombytes("1", (width * 8, len(rows)), bytes.fromhex("".join(rows)))


def _unescape(data: str) -> str:
    """Undo ^FH\\ hex escapes (`\\5E` → `^`)."""
    return re.sub(
        r"(?:\\[0-9A-Fa-f]{2})+",
        lambda m: bytes.fromhex(m.group().replace("\\", "")).decode("utf-8"),
        data,
    )
