"""What a signed-in person can do with their own data: list, look, see who looked, copy, erase.

Parcels are found through the phone's blind index; a person sees a parcel only when they are
its recipient or sender. Plaintext leaves the vault only through `reveal` with the person's
own caller (policy role `recipient`, purpose `self`), so the policy checks it and the audit
log keeps it like any other reveal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from parcelguard.audit import service as audit
from parcelguard.audit.results import InclusionProof
from parcelguard.audit.service import Entry, auditor_for
from parcelguard.errors import Denied, NotFound
from parcelguard.portal.results import DataCopyDocument, MyParcel, ParcelCopy
from parcelguard.portal.sessions import Person
from parcelguard.runtime import Runtime
from parcelguard.vault import retention
from parcelguard.vault import service as vault
from parcelguard.vault.results import AccessRecord, ErasureResult
from parcelguard.vault.reveal import reveal

PARTY_FIELDS = {
    "recipient": ("recipient.name", "recipient.phone", "recipient.address"),
    "sender": ("sender.name", "sender.phone", "sender.address"),
}
TERMINAL = retention.TERMINAL


def my_parcels(rt: Runtime, session: Session, person: Person) -> list[MyParcel]:
    """Return the masked views of the person's parcels (as recipient or sender), newest first."""
    found = []
    for shipment_id in vault.shipment_ids_for_phone(rt, session, person.phone.reveal()):
        shipment = vault.get_by_id(session, rt.tenant, shipment_id)
        if shipment is None or shipment.kind != "normal" or shipment.status == "purged":
            continue
        parties = vault.parties_of(session, shipment)
        roles = [
            r for r in vault.PARTY_ROLES if r in parties and parties[r].phone_bidx == person.digest
        ]
        if not roles:
            continue
        view: MyParcel = {
            **vault.view(session, shipment),
            "my_roles": roles,
            "has_id_no": bool(parties.get("sender") and parties["sender"].id_no_masked),
        }
        found.append(view)
    found.sort(key=lambda v: str(v["created_at"]), reverse=True)
    return found


def my_parcel(rt: Runtime, session: Session, person: Person, waybill_no: str) -> MyParcel:
    """Return one of the person's parcels; someone else's is as unknown as a missing one."""
    for view in my_parcels(rt, session, person):
        if view["waybill_no"] == waybill_no.strip():
            return view
    raise NotFound("no such parcel among yours", code="parcel_not_found")


def who_viewed(
    rt: Runtime, session: Session, person: Person, waybill_no: str | None = None
) -> list[AccessRecord]:
    """Return who accessed the person's parcels (role, station, purpose, time, decision)."""
    rows = vault.access_history(rt, session, person.phone.reveal())
    if waybill_no is not None:
        rows = [r for r in rows if r["waybill_no"] == waybill_no]
    return rows


def access_proof(rt: Runtime, session: Session, person: Person, seq: int) -> InclusionProof:
    """Return the inclusion proof of one access to the person's data, never of another event.

    Only the events `who_viewed` shows this person qualify; any other sequence number is as
    unknown as a missing one. The proof's leaf names roles and stations, not staff.
    """
    if not any(row.get("seq") == seq for row in who_viewed(rt, session, person)):
        raise NotFound("no such access to your data", code="access_not_found")
    return audit.prove(rt, session, seq)


@dataclass
class DataCopy:
    """A copy of a person's own data (PIPL art. 45): parcels with their fields, and accesses."""

    generated_at: str
    phone_masked: str
    parcels: list[ParcelCopy] = field(default_factory=list)
    access_history: list[AccessRecord] = field(default_factory=list)

    def as_dict(self) -> DataCopyDocument:
        """Return the JSON document of the copy."""
        return {
            "generated_at": self.generated_at,
            "phone": self.phone_masked,
            "parcels": self.parcels,
            "access_history": self.access_history,
        }


def data_copy(rt: Runtime, person: Person, fmt: str) -> DataCopy:
    """Reveal the person's own fields parcel by parcel (policy-checked, audited) into a copy."""
    with rt.db.read_session() as session:
        parcels = my_parcels(rt, session, person)
        history = who_viewed(rt, session, person)
    copy = DataCopy(rt.clock.now().isoformat(), person.phone_masked, access_history=history)
    for view in parcels:
        copy.parcels.append(_parcel_copy(rt, person, view))
    with rt.db.session() as session:
        auditor_for(rt).record(
            session,
            person.actor,
            Entry(
                "portal.export",
                "person",
                None,
                purpose="self",
                details={"parcels": len(copy.parcels), "format": fmt},
            ),
        )
    return copy


def _parcel_copy(rt: Runtime, person: Person, view: MyParcel) -> ParcelCopy:
    item: ParcelCopy = {
        "waybill_no": view["waybill_no"],
        "carrier": view["carrier"],
        "status": view["status"],
        "created_at": view["created_at"],
        "delivered_at": view.get("delivered_at"),
        "parties": {},
    }
    for role in view["my_roles"]:
        fields = PARTY_FIELDS[role] + (
            ("sender.id_no",) if role == "sender" and view["has_id_no"] else ()
        )
        try:
            opened = reveal(rt, person.caller, view["waybill_no"], fields, "self")
        except (Denied, NotFound) as refused:
            item["parties"][role] = {"refused": refused.code}
            continue
        item["parties"][role] = {name.split(".", 1)[1]: value for name, value in opened.items()}
    return item


def erasure_preview(rt: Runtime, session: Session, person: Person) -> dict[str, int]:
    """Return how many of the person's parcels erasure would remove now, and how many wait."""
    parcels = my_parcels(rt, session, person)
    done = sum(1 for p in parcels if p["status"] in TERMINAL)
    return {"erasable": done, "in_transit": len(parcels) - done}


def erase(rt: Runtime, person: Person) -> ErasureResult:
    """Erase the person's delivered and returned parcels at once (PIPL art. 47).

    When none is left on its way, the erasure's hooks make the relay forget the phone too
    (bindings ended, references dropped from call records); while one is, its calls still
    need the relay.
    """
    return retention.erase_person(rt, person.actor, person.phone.reveal())
