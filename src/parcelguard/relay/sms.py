"""SMS relay: a text to X inside a live binding reaches the other party, scrubbed and counted.

The recipient sees X as the sender, never the courier's own number (and the courier never
sees the recipient's). Before forwarding, the text goes through the PII recognizers: a full
phone number, ID-card number, bank card or e-mail address is replaced by a placeholder, so a
courier cannot pass on someone else's number (or their own, which would defeat the relay).
A text that carried another person's data is audited as `relay.sms_pii` (the monitor alerts
on it); the values themselves are never stored or logged, only their types and counts.
Each sender may text through one binding at most `sms_per_hour` times an hour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.pii import service as pii_service
from parcelguard.pii.normalize import normalize_phone
from parcelguard.relay.models import Binding, CallRecord
from parcelguard.relay.numbers import canonical
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive

# What never crosses the relay in a text, and what stands in its place.
PLACEHOLDER = {
    "PHONE": "[号码已隐藏]",
    "LANDLINE": "[号码已隐藏]",
    "ID_CARD": "[证件号已隐藏]",
    "BANK_CARD": "[卡号已隐藏]",
    "EMAIL": "[邮箱已隐藏]",
}
MAX_TEXT = 1000
# A backstop after the recognizers: any long run of digits (separators allowed) that they
# did not claim, say a card number failing its checksum, is not forwarded either.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-.·]?\d){10,}")
DIGITS_PLACEHOLDER = "[数字已隐藏]"
# An SMS to an AXE number names the extension first: "1234 到楼下了" or "1234#…".
_EXTENSION = re.compile(r"^\s*(\d{3,6})\s*[#:：,，\s]\s*(.*)$", re.S)


@dataclass(frozen=True)
class Scrubbed:
    """A text ready to forward, and what was taken out of it (types only)."""

    text: str
    types: tuple[str, ...]
    others: bool  # something in it was not the sender's own number

    def __repr__(self) -> str:
        return f"Scrubbed(types={self.types!r}, others={self.others!r}, ***)"


def split_extension(text: str | None, digits: int) -> tuple[str | None, str | None]:
    """Return `(extension, rest)` of an SMS to an AXE number, or `(None, text)`."""
    match = _EXTENSION.match(text or "")
    if match is None or len(match.group(1)) != digits:
        return None, text
    return match.group(1), match.group(2)


def scrub(text: str | None, sender: str | None) -> Scrubbed:
    """Replace full phone, ID, card and e-mail values by placeholders."""
    plain = (text or "")[:MAX_TEXT]
    if not plain.strip():
        return Scrubbed("", (), False)
    found = [e for e in pii_service.scan(plain).entities if e.type in PLACEHOLDER]
    pieces: list[str] = []
    at = 0
    others = False
    for entity in sorted(found, key=lambda e: e.start):
        pieces += [plain[at : entity.start], PLACEHOLDER[entity.type]]
        at = entity.end
        others = others or not _is_sender(entity.type, entity.value.reveal(), sender)
    pieces.append(plain[at:])
    types = {e.type for e in found}
    text, runs = _DIGIT_RUN.subn(DIGITS_PLACEHOLDER, "".join(pieces))
    if runs:
        types.add("DIGITS")
        others = True
    return Scrubbed(text, tuple(sorted(types)), others)


def _is_sender(kind: str, value: str, sender: str | None) -> bool:
    if kind != "PHONE" or sender is None:
        return False
    phone = normalize_phone(value)
    return phone is not None and phone.e164 == sender


def sent_within(
    session: Session, tenant_id: str, binding_id: str, sender_ref: bytes, since: datetime
) -> int:
    """Count the texts a sender forwarded through a binding since `since`."""
    query = select(func.count()).where(
        CallRecord.tenant_id == tenant_id,
        CallRecord.channel == "sms",
        CallRecord.binding_id == binding_id,
        CallRecord.caller_ref == sender_ref,
        CallRecord.decision == "connect",
        CallRecord.started_at > since,
    )
    return int(session.scalar(query) or 0)


def over_limit(
    session: Session,
    tenant_id: str,
    binding_id: str,
    sender_ref: bytes,
    now: datetime,
    per_hour: int,
) -> bool:
    """Say whether the sender used up this hour's texts through the binding."""
    since = now - timedelta(hours=1)
    return sent_within(session, tenant_id, binding_id, sender_ref, since) >= per_hour


def audit_forwarded(
    rt: Runtime,
    session: Session,
    record: CallRecord,
    binding: Binding,
    text: Sensitive,
    sender: str | None,
    actor: Actor,
) -> None:
    """Scan a text a platform already forwarded itself (from its SMS notice).

    What it carried is audited as `relay.sms_pii` (`forwarded: true`): too late to redact,
    not too late to alert.
    """
    scrubbed = scrub(text.reveal(), canonical(sender))
    if not scrubbed.types:
        return
    from_courier = record.caller_ref is not None and record.caller_ref == binding.a_ref
    details = {
        "binding_id": binding.binding_id,
        "number_id": record.number_id,
        "call_id": record.call_id,
        "principal_id": binding.courier_id if from_courier else None,
        "caller": record.caller_masked,
        "forwarded": True,
    }
    audit_pii(rt, session, actor, scrubbed, binding.shipment_id, details)


def audit_pii(
    rt: Runtime,
    session: Session,
    actor: Actor,
    scrubbed: Scrubbed,
    shipment_id: str | None,
    details: dict[str, Any],
) -> None:
    """Audit `relay.sms_pii`: what a text carried (types only), and whose data it was."""
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "relay.sms_pii",
            "shipment",
            shipment_id,
            decision="deny",
            reason="others_pii" if scrubbed.others else "own_number",
            details={**details, "types": list(scrubbed.types)},
        ),
    )
