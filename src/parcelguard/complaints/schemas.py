"""Request models of the complaints API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from parcelguard.complaints.service import MAX_TEXT


class AnswerIn(BaseModel):
    """The company's answer to a complaint (sealed when stored)."""

    model_config = {"extra": "forbid"}

    text: str = Field(min_length=1, max_length=MAX_TEXT)

    def __repr__(self) -> str:
        return "AnswerIn(text=***)"


class ComplaintRevealIn(BaseModel):
    """One field of one parcel the complaint names, revealed under the complaint as ticket."""

    model_config = {"extra": "forbid"}

    waybill: str = Field(min_length=1, max_length=40)
    field: str = Field(min_length=1, max_length=32)
