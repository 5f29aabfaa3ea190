"""Label use cases: privacy waybills for real shipments, revoking their QR tokens, the hooks.

A label is built from the vault's masked columns and region only: nothing is decrypted to
print one. Each label gets a fresh QR token; the token is audited by its short reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import Conflict, InvalidInput, NotFound
from parcelguard.labels import pickup, tokens
from parcelguard.labels.config import config_for
from parcelguard.labels.content import (
    LabelContent,
    LabelSize,
    ShelfLabelContent,
    validate_masked,
)
from parcelguard.labels.registry import renderer_for
from parcelguard.labels.renderer import Progress
from parcelguard.labels.sorting import destination, sorting_code
from parcelguard.runtime import Runtime
from parcelguard.vault import queries as vault_queries
from parcelguard.vault.contact import CONTACT, ContactAsked
from parcelguard.vault.service import Party, Shipment, get_or_raise

DEFAULT_CONTENTS = "包裹"
MAX_LABELS = 10_000


@dataclass(frozen=True)
class PrintJob:
    """What to print: the waybills, the format, the size, the resolution, maybe the printer."""

    waybills: Sequence[str]
    format: str = "pdf"
    size: str = "100x180"
    dpi: int = 203
    printer: str | None = None  # the printer's name or URL when the labels go to one


def print_labels(
    rt: Runtime, actor: Actor, job: PrintJob, progress: Progress | None = None
) -> list[bytes]:
    """Render the labels of `job`: one document for PDF/ZPL, one PNG per waybill."""
    renderer = renderer_for(job.format, dpi=job.dpi)
    size = LabelSize.parse(job.size)
    renderer.font  # noqa: B018 - a missing font fails before any token is issued
    with rt.db.session() as session:
        contents = label_contents(rt, session, actor, job)
    return renderer.render_many(contents, size, progress=progress)


def label_contents(
    rt: Runtime, session: Session, actor: Actor, job: PrintJob
) -> list[LabelContent]:
    """Look the shipments up, issue one token each, audit `label.print`; return the contents."""
    waybills = list(dict.fromkeys(w.strip() for w in job.waybills))
    if not waybills:
        raise InvalidInput("name at least one waybill", code="no_labels")
    if len(waybills) > MAX_LABELS:
        raise InvalidInput(f"at most {MAX_LABELS} labels at once", code="too_many")
    shipments = printable(session, rt.tenant, waybills)
    parties = vault_queries.parties_by_shipment(
        session, rt.tenant, [s.shipment_id for s in shipments]
    )
    issued = tokens.issue(rt, session, shipments, actor.id)
    relay = relay_numbers(rt, session, [s.shipment_id for s in shipments])
    base = (config_for(rt).public_base_url or rt.settings.public_root).rstrip("/")
    now = rt.clock.now()
    contents = []
    for shipment, token in zip(shipments, issued, strict=True):
        roles = parties.get(shipment.shipment_id, {})
        if "recipient" not in roles or "sender" not in roles:
            raise Conflict("the shipment has no party data left", code="shipment_purged")
        content = _content(shipment, roles, f"{base}/s/{token.token}", now)
        content = replace(content, relay_number=relay.get(shipment.shipment_id, ""))
        _checked(content, shipment.waybill_no)  # here, so a refused label leaves no token
        contents.append(content)
    entries = [
        Entry(
            "label.print",
            "shipment",
            shipment.shipment_id,
            details={
                "waybill": shipment.waybill_no,
                "kind": "waybill",
                "format": job.format,
                "size": job.size,
                "token_ref": token.ref,
                **({"relay_number": True} if shipment.shipment_id in relay else {}),
                **_destination(job),
            },
        )
        for shipment, token in zip(shipments, issued, strict=True)
    ]
    auditor_for(rt).record_many(session, actor, entries)
    return contents


def relay_numbers(rt: Runtime, session: Session, shipment_ids: Sequence[str]) -> dict[str, str]:
    """Return the relay number each shipment prints: its live binding at printing time.

    Asked through `vault.contact.CONTACT` (the relay answers); a binding made later is not on
    the paper until the label is reprinted.
    """
    found: dict[str, str] = {}
    for answer in rt.hooks.emit(CONTACT, ContactAsked(rt, session, shipment_ids)):
        for shipment_id, text in answer.items():
            found.setdefault(shipment_id, text)
    return found


def printable(session: Session, tenant_id: str, waybills: Sequence[str]) -> list[Shipment]:
    """Return the shipments in the order asked; unknown, canary and purged ones are refused."""
    found = vault_queries.by_waybills(session, tenant_id, waybills)
    for position, waybill in enumerate(waybills, start=1):
        shipment = found.get(waybill)
        # Named by position, never by value: the caller may have sent anything as a waybill.
        where = f"waybill {position} of {len(waybills)} (in the order given)"
        details = {"position": position}
        # A canary answers exactly as an unknown waybill: a label must not tell it apart.
        if shipment is None or shipment.kind != "normal":
            raise NotFound(f"{where}: no such shipment", code="shipment_not_found", details=details)
        if shipment.status == "purged":
            raise Conflict(
                f"{where}: the shipment was purged; it has no label",
                code="shipment_purged",
                details=details,
            )
    return [found[w] for w in waybills]


def revoke(rt: Runtime, session: Session, actor: Actor, waybill: str) -> int:
    """Revoke every QR token of one shipment; return how many were live."""
    shipment = get_or_raise(session, rt.tenant, waybill)
    if shipment.kind != "normal":
        raise NotFound("no shipment with this waybill", code="shipment_not_found")
    count = tokens.revoke(rt, session, [shipment.shipment_id])
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "label.revoke",
            "shipment",
            shipment.shipment_id,
            details={"waybill": shipment.waybill_no, "revoked": count},
        ),
    )
    return count


def _destination(job: PrintJob) -> dict[str, str]:
    """Return the `printer` of an audit event's details, when the labels go to one."""
    return {"printer": job.printer} if job.printer else {}


def _checked(content: LabelContent | ShelfLabelContent, waybill: str) -> None:
    """Run the masking guard; a refusal names the waybill and the field, never the value."""
    try:
        validate_masked(content)
    except InvalidInput as exc:
        details = {**(exc.details or {}), "waybill": waybill}
        raise InvalidInput(
            f"label of {waybill!r}: {exc.message}", code=exc.code, details=details
        ) from None


def _content(
    shipment: Shipment, parties: dict[str, Party], qr_url: str, now: datetime
) -> LabelContent:
    recipient, sender = parties["recipient"], parties["sender"]
    return LabelContent(
        waybill_no=shipment.waybill_no,
        carrier=shipment.carrier or "",
        sorting_code=sorting_code(recipient.adcode),
        destination=destination(recipient.province, recipient.city, recipient.district),
        recipient_name=recipient.name_masked,
        recipient_phone=recipient.phone_masked,
        recipient_address=recipient.address_masked,
        sender_name=sender.name_masked,
        sender_phone=sender.phone_masked,
        sender_address=sender.address_masked,
        contents=DEFAULT_CONTENTS,
        weight_kg=None,
        qr_url=qr_url,
        printed_at=now,
    )


def print_shelf_labels(
    rt: Runtime, actor: Actor, job: PrintJob, *, station: str | None = None
) -> list[bytes]:
    """Render the shelf labels of parcels waiting at a station (only `station`'s when given)."""
    renderer = renderer_for(job.format, dpi=job.dpi)
    with rt.db.session() as session:
        contents = shelf_contents(rt, session, actor, job, station=station)
    return renderer.render_shelves(contents)


def shelf_contents(
    rt: Runtime, session: Session, actor: Actor, job: PrintJob, *, station: str | None = None
) -> list[ShelfLabelContent]:
    """Return the shelf labels of waiting parcels and audit each print; refuse others by waybill."""
    waybills = list(dict.fromkeys(w.strip() for w in job.waybills))
    if not waybills:
        raise InvalidInput("name at least one waybill", code="no_labels")
    shipments = printable(session, rt.tenant, waybills[:MAX_LABELS])
    ids = [s.shipment_id for s in shipments]
    codes = pickup.waiting_for(session, rt.tenant, ids)
    parties = vault_queries.parties_by_shipment(session, rt.tenant, ids)
    contents, entries = [], []
    for shipment in shipments:
        code = pickup.require_waiting(codes, shipment)
        if station is not None and code.station_id != station:
            raise NotFound(
                "the shipment is not waiting at your station",
                code="no_pickup_code",
            )
        content = pickup.shelf_content(
            rt, code, parties.get(shipment.shipment_id, {}).get("recipient")
        )
        _checked(content, shipment.waybill_no)
        contents.append(content)
        details = {
            "waybill": shipment.waybill_no,
            "kind": "shelf",
            "format": job.format,
            **_destination(job),
        }
        entries.append(Entry("label.print", "shipment", shipment.shipment_id, details=details))
    auditor_for(rt).record_many(session, actor, entries)
    return contents
