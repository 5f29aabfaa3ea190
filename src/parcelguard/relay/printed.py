"""The relay number as people read it: on the courier page and printed on the label.

An AXE binding reads "171 0571 9999 转 0427" (X, then the extension the IVR asks for); an
AXN or AXB binding reads its X alone. X is a carrier's virtual number, not personal data, so
it is shown in full; the extension is shown too (without it X reaches nobody).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.clock import as_utc
from parcelguard.relay.models import Binding, RelayNumber
from parcelguard.vault.contact import ContactAsked

# What a label prints, best first: the AXE extension is what carriers print; an AXN number
# reaches the recipient from any on-duty courier; an AXB number from the parcel's courier.
PRINTED_KINDS = ("axe", "axn", "axb")
_CHUNK = 500


def spaced(number: str) -> str:
    """Return a number as people read it: `+8617105710001` → `171 0571 0001`."""
    if number.startswith("+86") and len(number) == 14:
        national = number[3:]
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return number


def shown(number: str, extension: str | None) -> str:
    """Return "171 0571 9999 转 0427" for an AXE binding, "171 0571 9999" otherwise."""
    return f"{spaced(number)} 转 {extension}" if extension else spaced(number)


def dialled(number: str, extension: str | None) -> str:
    """Return the `tel:` target: X, a pause, the extension and `#` (the IVR's answer)."""
    return f"{number},{extension}#" if extension else number


def printed_numbers(asked: ContactAsked) -> Mapping[str, str]:
    """Answer `vault.contact.CONTACT`: the live relay number of each shipment, as printed."""
    rt, session = asked.rt, asked.session
    now = rt.clock.now()
    found: dict[str, str] = {}
    ids = list(asked.shipment_ids)
    for start in range(0, len(ids), _CHUNK):
        for shipment_id, text in _live(session, rt.tenant, ids[start : start + _CHUNK], now):
            found.setdefault(shipment_id, text)
    return found


def _live(
    session: Session, tenant_id: str, shipment_ids: list[str], now: datetime
) -> list[tuple[str, str]]:
    """Return (shipment id, shown number) of the live printable bindings, best kind first."""
    rows = session.execute(
        select(
            Binding.shipment_id,
            Binding.kind,
            Binding.extension,
            Binding.expires_at,
            RelayNumber.number,
        )
        .join(
            RelayNumber,
            (RelayNumber.tenant_id == Binding.tenant_id)
            & (RelayNumber.number_id == Binding.number_id),
        )
        .where(
            Binding.tenant_id == tenant_id,
            Binding.shipment_id.in_(shipment_ids),
            Binding.status == "active",
            Binding.kind.in_(PRINTED_KINDS),
        )
    ).all()
    live = [row for row in rows if as_utc(row.expires_at) > now]
    live.sort(key=lambda row: PRINTED_KINDS.index(row.kind))
    return [(row.shipment_id, shown(row.number, row.extension)) for row in live]
