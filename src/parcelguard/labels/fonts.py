"""The CJK TrueType face every label is measured and drawn with (PDF embeds it, PNG rasterises it).

One face serves layout and drawing so that a line measured to fit its zone also fits when drawn.
The face is registered with reportlab once per process and the Pillow sizes are cached: both
cost far more than drawing a label.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from parcelguard.errors import ConfigError

# TrueType (glyf) faces only: reportlab cannot embed the CFF outlines of Noto/Source Han OTFs.
DEFAULT_FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # Debian/Ubuntu fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # Debian/Ubuntu fonts-wqy-zenhei
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",  # Fedora wqy-microhei-fonts
)


class LabelFont:
    """A CJK TrueType face, measured in any unit: width(text, size) is in the unit of size."""

    def __init__(self, path: str | Path | None = None, index: int = 0) -> None:
        self.path = str(path) if path is not None else find_font()
        self.index = index
        self.name = _register(self.path, index)
        self._face = pdfmetrics.getFont(self.name)
        self._pil: dict[int, ImageFont.FreeTypeFont] = {}

    def width(self, text: str, size: float) -> float:
        """Return the advance width of `text` set at em size `size`."""
        return float(self._face.stringWidth(text, size))

    def pil(self, pixels: int) -> ImageFont.FreeTypeFont:
        """Return the Pillow face at an em size in pixels (cached)."""
        face = self._pil.get(pixels)
        if face is None:
            face = ImageFont.truetype(self.path, max(1, pixels), index=self.index)
            self._pil[pixels] = face
        return face


def find_font(candidates: tuple[str, ...] = DEFAULT_FONT_PATHS) -> str:
    """Return the first installed CJK TrueType face; `ConfigError` when there is none."""
    for candidate in candidates:
        if Path(candidate).is_file():
            return candidate
    raise ConfigError(
        "no CJK TrueType font for labels; install fonts-wqy-microhei or pass a font path",
        code="label_font_missing",
    )


@lru_cache(maxsize=8)
def _register(path: str, index: int) -> str:
    """Register the face with reportlab once per process and return its name."""
    name = f"ParcelGuardLabel-{Path(path).stem}-{index}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    except (OSError, TTFError) as exc:
        raise ConfigError("label font cannot be loaded", code="label_font_invalid") from exc
    return name


@lru_cache(maxsize=1)
def default_font() -> LabelFont:
    """Return the process-wide default face, loaded on first use (never at import)."""
    return LabelFont()
