"""What the labels services return: typed JSON shapes (TypedDicts, so the JSON is unchanged)."""

from __future__ import annotations

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict


class Handover(TypedDict):
    """A parcel handed over by pickup code: now delivered."""

    waybill_no: str
    pickup_code: str
    station_id: str
    status: str
