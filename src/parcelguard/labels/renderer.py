"""`LabelRenderer`: the small base every label format (PDF, PNG, ZPL) plugs in through.

The base owns the part that must never differ between formats: every label is checked by
`validate_masked` before it is laid out, and layout happens once, in millimetres. A format only
says how to draw the laid-out pages (`draw`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import ClassVar, TypeVar

from parcelguard.errors import InvalidInput
from parcelguard.labels.content import (
    DEFAULT_SIZE,
    LabelContent,
    LabelSize,
    ShelfLabelContent,
    validate_masked,
)
from parcelguard.labels.fonts import LabelFont, default_font
from parcelguard.labels.page import Page
from parcelguard.labels.shelf_layout import shelf_page
from parcelguard.labels.waybill_layout import waybill_page

# Called with the number of labels just drawn, e.g. a progress bar's `advance`.
Progress = Callable[[int], None]
DEFAULT_DPI = 203
SUPPORTED_DPI = (203, 300, 600)
_Content = TypeVar("_Content", LabelContent, ShelfLabelContent)


class LabelRenderer(ABC):
    """Draws validated, laid-out labels in one format."""

    name: ClassVar[str]
    media_type: ClassVar[str]
    extension: ClassVar[str]
    # True: many labels make one document (PDF pages, ZPL formats); False: one file per label.
    combines: ClassVar[bool] = True

    def __init__(self, *, dpi: int = DEFAULT_DPI, font: LabelFont | None = None) -> None:
        if dpi not in SUPPORTED_DPI:
            raise InvalidInput(
                "unsupported printer resolution",
                code="unsupported_dpi",
                details={"dpi": dpi, "supported": list(SUPPORTED_DPI)},
            )
        self.dpi = dpi
        self._font = font

    @property
    def font(self) -> LabelFont:
        """Return the face labels are measured and drawn with."""
        if self._font is None:
            self._font = default_font()
        return self._font

    @property
    def dots_per_mm(self) -> float:
        """Return the printer dots in one millimetre."""
        return self.dpi / 25.4

    def render(self, label: LabelContent, size: LabelSize = DEFAULT_SIZE) -> bytes:
        """Return one label as one document."""
        return self.render_many([label], size)[0]

    def render_many(
        self,
        labels: Iterable[LabelContent],
        size: LabelSize = DEFAULT_SIZE,
        *,
        progress: Progress | None = None,
    ) -> list[bytes]:
        """Return the documents for many labels: one when `combines`, else one per label."""
        pages = (waybill_page(_checked(label), size, self.font) for label in labels)
        return self.draw(_counted(pages, progress))

    def render_shelf(self, shelf: ShelfLabelContent) -> bytes:
        """Return one station shelf label as one document."""
        return self.render_shelves([shelf])[0]

    def render_shelves(
        self, shelves: Iterable[ShelfLabelContent], *, progress: Progress | None = None
    ) -> list[bytes]:
        """Return the documents for many shelf labels."""
        pages = (shelf_page(_checked(shelf), self.font) for shelf in shelves)
        return self.draw(_counted(pages, progress))

    @abstractmethod
    def draw(self, pages: Iterable[Page]) -> list[bytes]:
        """Draw the pages: one document when `combines`, else one per page."""


def _checked(content: _Content) -> _Content:
    """Return the content once the masking guard has passed it."""
    validate_masked(content)
    return content


def _counted(pages: Iterator[Page], progress: Progress | None) -> Iterator[Page]:
    """Yield the pages, reporting each one drawn; refuse an empty batch."""
    count = 0
    for page in pages:
        yield page
        count += 1
        if progress is not None:
            progress(1)
    if count == 0:
        raise InvalidInput("no labels to render", code="no_labels")
