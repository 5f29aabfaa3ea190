"""The number printed to reach a parcel's recipient instead of their phone (a relay number).

Labels print it and the relay knows it; the two are siblings that may not import each other,
so the hook sits here, below both, on the parcel's own domain: the labels domain emits it
while printing, the composition root subscribes the relay (`relay.service.printed_numbers`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from parcelguard.hooks import Hook
from parcelguard.runtime import Runtime


@dataclass(frozen=True)
class ContactAsked:
    """Labels are being printed for these shipments; a subscriber answers their numbers."""

    rt: Runtime
    session: Session
    shipment_ids: Sequence[str]


# Answer: shipment id -> the text to print, e.g. "171 0571 9999 转 0427" (a carrier's virtual
# number, never a person's); shipments without one are left out.
CONTACT: Hook[ContactAsked, Mapping[str, str]] = Hook(
    "vault.contact", "the relay number a label prints for a parcel's recipient"
)
