"""The public documents of the PII layer: typed JSON shapes (TypedDicts, JSON unchanged).

`EntityDocument` is where matched text leaves the analyzer; everything else holds types,
offsets, boxes and counts only.
"""

from __future__ import annotations

from typing import NotRequired

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class EntityDocument(TypedDict):
    """One entity found in a text: its type, offsets, matched text and score."""

    type: str
    start: int
    end: int
    text: str
    score: float


class MaskedDocument(TypedDict):
    """A span of the input that was already masked."""

    type: str
    start: int
    end: int


class RedactDocument(TypedDict):
    """`pii redact`: the redacted text and the input's entities."""

    text: str
    entities: list[EntityDocument]
    masked: list[MaskedDocument]


# "pass" is a keyword: the functional form names it.
RegionDocument = TypedDict(
    "RegionDocument",
    {"type": str, "box": list[int], "polygon": list[list[int]], "pass": int, "reader": str},
)
"""One covered region of a photo: what it was, where, and which pass and reader found it."""


class VerificationDocument(TypedDict):
    """What verification did: the readers, the passes, whether the photo came clean."""

    readers: list[str]
    passes: int
    verified: bool
    failed: list[str]


class ImageReport(TypedDict):
    """The public report of a redacted photo (`out` from the CLI, the image from `?report=json`)."""

    out: NotRequired[str]
    regions: list[RegionDocument]
    width: int
    height: int
    format: str
    metadata_removed: list[str]
    verification: NotRequired[VerificationDocument]
    media_type: NotRequired[str]
    image: NotRequired[str]


class ScanDocument(TypedDict):
    """`pii scan`: the entities of a text and the values already masked in it."""

    entities: list[EntityDocument]
    masked: list[MaskedDocument]
