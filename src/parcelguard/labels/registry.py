"""The label renderers, registered explicitly by format name (`label --format`, `label.{ext}`)."""

from __future__ import annotations

from parcelguard.errors import InvalidInput
from parcelguard.labels.escpos_renderer import EscPosRenderer
from parcelguard.labels.fonts import LabelFont
from parcelguard.labels.pdf_renderer import PdfRenderer
from parcelguard.labels.png_renderer import PngRenderer
from parcelguard.labels.renderer import DEFAULT_DPI, LabelRenderer
from parcelguard.labels.tspl_renderer import TsplRenderer
from parcelguard.labels.zpl_raster_renderer import ZplRasterRenderer
from parcelguard.labels.zpl_renderer import ZplRenderer

RENDERERS: dict[str, type[LabelRenderer]] = {
    PdfRenderer.name: PdfRenderer,
    PngRenderer.name: PngRenderer,
    ZplRenderer.name: ZplRenderer,
    TsplRenderer.name: TsplRenderer,
    EscPosRenderer.name: EscPosRenderer,
    ZplRasterRenderer.name: ZplRasterRenderer,
}
# The formats a thermal printer takes raw (over TCP 9100 or a raw CUPS queue).
PRINTER_LANGUAGES = (
    ZplRenderer.name,
    TsplRenderer.name,
    EscPosRenderer.name,
    ZplRasterRenderer.name,
)


def formats() -> list[str]:
    """Return the names of the registered formats."""
    return list(RENDERERS)


def renderer_for(
    format_name: str, *, dpi: int = DEFAULT_DPI, font: LabelFont | None = None
) -> LabelRenderer:
    """Return the renderer registered under `format_name`; any other name is `InvalidInput`."""
    renderer = RENDERERS.get(format_name.strip().lower())
    if renderer is None:
        raise InvalidInput(
            "unknown label format", code="unknown_label_format", details={"formats": formats()}
        )
    return renderer(dpi=dpi, font=font)
