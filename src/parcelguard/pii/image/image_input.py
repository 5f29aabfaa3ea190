"""Reading an uploaded photo safely, and writing the redacted one without its metadata.

Refuses what is not a JPEG, PNG or WebP by its leading bytes, and anything over the limits
(25 MiB; 24 megapixels or 10 000 px a side: decompression bombs included) by the dimensions
in the header, before any pixel is decoded (`TooLarge`, HTTP 413, naming the limit). A large
JPEG is decoded already reduced (draft mode) and every photo is scaled to at most
`OUTPUT_SIDE` on its long side, so the work of one request is bounded whatever comes in.
Errors name the parameter and the reason, never the content. The output is built from pixels
alone: EXIF (with GPS), XMP, ICC and text chunks of the input are not carried over.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from parcelguard.errors import InvalidInput, TooLarge

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 24_000_000  # a 6000 × 4000 phone photo; 6300 × 6300 is refused
MAX_SIDE = 10_000
OUTPUT_SIDE = 3000  # the redacted copy's long side at most (plenty to post online)
# OCR reads a copy of at most this many pixels (and px a side): its cost grows with the area.
WORK_PIXELS = 2_000_000  # a 1633 × 1225 copy of a 4:3 photo; a label photo is about 1 MP
WORK_SIDE = 2000
LIMITS = f"{MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE} px a side"
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class Photo:
    """Decoded pixels (RGB) and what the input was."""

    pixels: np.ndarray
    format: str
    had_metadata: tuple[str, ...]

    @property
    def media_type(self) -> str:
        """Return the MIME type of the input's format."""
        return FORMATS[self.format]


def sniff(data: bytes) -> str | None:
    """Return JPEG, PNG or WEBP from the leading bytes, else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def read_photo(data: bytes, *, param: str = "image") -> Photo:
    """Decode an uploaded photo, or raise `InvalidInput` naming `param` and the reason."""
    if len(data) > MAX_BYTES:
        raise TooLarge(
            f"{param} is larger than the {MAX_BYTES >> 20} MiB limit",
            code="image_too_large",
            details={"parameter": param, "max_bytes": MAX_BYTES},
        )
    kind = sniff(data)
    if kind is None:
        raise _refuse(param, "is not a JPEG, PNG or WebP image", "not_an_image")
    # Pillow's own bomb check, lowered to ours; it only ever makes opening stricter.
    Image.MAX_IMAGE_PIXELS = min(Image.MAX_IMAGE_PIXELS or MAX_PIXELS, MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[kind])
            _check_size(image.size, param)  # from the header: nothing is decoded yet
            if kind == "JPEG":
                image.draft("RGB", (OUTPUT_SIDE, OUTPUT_SIDE))  # decode at 1/2, 1/4 … scale
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(param) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(param, "could not be decoded as an image", "bad_image") from None
    metadata = _metadata(image)
    upright: Image.Image = ImageOps.exif_transpose(image) or image
    upright.thumbnail((OUTPUT_SIDE, OUTPUT_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return Photo(np.asarray(_rgb(upright)), kind, metadata)


def _check_size(size: tuple[int, int], param: str) -> None:
    width, height = size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise _too_many_pixels(param)


def _too_many_pixels(param: str) -> TooLarge:
    return TooLarge(
        f"{param} has too many pixels; the limit is {LIMITS}",
        code="image_too_large",
        details={"parameter": param, "max_pixels": MAX_PIXELS, "max_side": MAX_SIDE},
    )


def write_photo(pixels: np.ndarray, kind: str) -> bytes:
    """Encode RGB pixels as `kind`, with no metadata at all."""
    image = Image.fromarray(pixels, "RGB")
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=90)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=90)
    else:
        image.save(out, "PNG", compress_level=3)
    return out.getvalue()


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _metadata(image: Image.Image) -> tuple[str, ...]:
    found = []
    exif = image.getexif()
    if len(exif):
        found.append("exif")
        if exif.get_ifd(0x8825):
            found.append("gps")
    for key, name in (("xmp", "xmp"), ("XML:com.adobe.xmp", "xmp"), ("icc_profile", "icc")):
        if image.info.get(key) and name not in found:
            found.append(name)
    if getattr(image, "text", None) or image.info.get("comment"):
        found.append("text")
    return tuple(found)


def _refuse(param: str, reason: str, code: str) -> InvalidInput:
    return InvalidInput(f"{param} {reason}", code=code, details={"parameter": param})
