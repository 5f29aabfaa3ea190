"""Request and response models of the PII API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from parcelguard.pii.service import MAX_TEXT


class EntityOut(BaseModel):
    """A piece of personal information: type, offsets into the input (end exclusive), text."""

    type: str
    start: int
    end: int
    text: str
    score: float


class MaskedOut(BaseModel):
    """A value that is already masked (138****5678, 张*)."""

    type: str
    start: int
    end: int


class ScanIn(BaseModel):
    """Text to scan."""

    text: str = Field(..., max_length=MAX_TEXT)


class ScanOut(BaseModel):
    """What a scan found."""

    entities: list[EntityOut]
    masked: list[MaskedOut] = []


class RedactIn(BaseModel):
    """Text to redact and how."""

    text: str = Field(..., max_length=MAX_TEXT)
    operator: Literal["mask", "replace", "hash"] = "mask"


class RedactOut(BaseModel):
    """The redacted text and the entities of the input."""

    text: str
    entities: list[EntityOut]
    masked: list[MaskedOut] = []


class RegionOut(BaseModel):
    """A covered region of a photo: its type and box [x0, y0, x1, y1] (and polygon)."""

    type: str
    box: list[int]
    polygon: list[list[int]]


class ImageReportOut(BaseModel):
    """The report of a redacted photo; `image` (base64) only in the JSON variant."""

    regions: list[RegionOut]
    width: int
    height: int
    format: str
    metadata_removed: list[str]
    media_type: str | None = None
    image: str | None = None
