"""Call recordings: sealed like other personal data, kept for a while, shown to an officer.

A platform records a call only when `record_calls` asked it to. ParcelGuard downloads the
recording once (a duplicate receipt finds it already kept), seals it under a data key of its
own wrapped by the keyring under the retention epoch of its expiry day, and keeps only the
call's keyed party references beside it. It is kept `recording_retention_days` (30 by
default), then erased; it is opened only for a security officer under an open investigation
case, each time audited; erasing a person erases the recordings of their calls.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from parcelguard.access import cases
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.clock import CHINA
from parcelguard.crypto import Envelope
from parcelguard.db import insert_ignoring_conflict, new_id
from parcelguard.errors import Denied, IntegrityError, NotFound
from parcelguard.relay.config import config_for
from parcelguard.relay.models import RECORDING_SEALING, CallRecord, Recording
from parcelguard.relay.results import RecordingView
from parcelguard.runtime import Runtime

MAX_BYTES = 50 * 1024 * 1024
OFFICER = "security_officer"


def known(session: Session, tenant_id: str, provider: str, provider_recording_id: str) -> bool:
    """Say whether this recording is already kept (or was, and has been erased)."""
    query = select(Recording.recording_id).where(
        Recording.tenant_id == tenant_id,
        Recording.provider == provider,
        Recording.provider_recording_id == provider_recording_id[:64],
    )
    return session.execute(query).first() is not None


def keep(
    rt: Runtime,
    session: Session,
    provider: str,
    provider_recording_id: str,
    call: CallRecord,
    content: bytes,
    media_type: str,
) -> str | None:
    """Seal and store a recording of `call`; return its id (None if another writer won)."""
    if len(content) > MAX_BYTES:
        raise Denied("the recording is too large to keep", code="recording_too_large")
    now = rt.clock.now()
    expires = now + timedelta(days=config_for(rt).recording_retention_days)
    recording_id = new_id()
    epoch = expires.astimezone(CHINA).date()
    # The envelope seals text: the audio travels base64-encoded inside it.
    envelope = Envelope(rt.keyring, rt.tenant, RECORDING_SEALING)
    audio = base64.b64encode(content).decode()
    sealed = envelope.seal_new({"recording_id": recording_id}, {"audio": audio}, epoch)
    insert_ignoring_conflict(
        session,
        Recording.__table__,
        {
            "tenant_id": rt.tenant,
            "recording_id": recording_id,
            "provider": provider[:16],
            "provider_recording_id": provider_recording_id[:64],
            "call_id": call.call_id,
            "binding_id": call.binding_id,
            "shipment_id": call.shipment_id,
            "caller_ref": call.caller_ref,
            "callee_ref": call.callee_ref,
            "content_type": media_type[:32],
            "size": len(content),
            **sealed,
            "recorded_at": now,
            "expires_at": expires,
            "erased_at": None,
            "erase_reason": None,
        },
    )
    stored = session.get(Recording, (rt.tenant, recording_id))
    if stored is None:
        return None
    auditor_for(rt).record(
        session,
        Actor(f"telephony:{provider}"[:64], "system"),
        Entry(
            "relay.recording_kept",
            "shipment",
            call.shipment_id,
            details={
                "recording_id": recording_id,
                "call_id": call.call_id,
                "size": len(content),
                "expires_at": expires.isoformat(),
            },
        ),
    )
    return recording_id


def _refusal(session: Session, tenant_id: str, actor: Actor, case_id: str | None) -> Denied | None:
    """Apply the one rule for recordings: a security officer naming an open case."""
    if actor.role != OFFICER:
        return Denied("only a security officer may hear a recording", code="not_an_officer")
    if not cases.is_open(session, tenant_id, case_id):
        return Denied("name an open investigation case", code="case_required")
    return None


def show(
    rt: Runtime,
    session: Session,
    actor: Actor,
    case_id: str | None,
    *,
    recording_id: str | None = None,
    shipment_id: str | None = None,
    call_id: str | None = None,
) -> list[RecordingView]:
    """List recordings (no audio) by id, parcel or call, under the rule of `reveal`; audited."""
    refusal: Denied | NotFound | None = _refusal(session, rt.tenant, actor, case_id)
    found: list[Recording] = []
    if refusal is None:
        query = select(Recording).where(Recording.tenant_id == rt.tenant)
        for column, value in (
            (Recording.recording_id, recording_id),
            (Recording.shipment_id, shipment_id),
            (Recording.call_id, call_id),
        ):
            if value is not None:
                query = query.where(column == value)
        found = list(session.scalars(query.order_by(Recording.recorded_at).limit(200)))
        if not found:
            refusal = NotFound("no such recording", code="recording_not_found")
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "relay.recording_show",
            "shipment",
            found[0].shipment_id if found else shipment_id,
            decision="deny" if refusal else "allow",
            reason=refusal.code if refusal else None,
            purpose="investigation",
            details={
                "case_id": case_id,
                "recording_id": recording_id,
                "call_id": call_id,
                "count": len(found),
            },
        ),
    )
    if refusal is not None:
        session.commit()  # the refused attempt stays on record
        raise refusal
    return [view(recording) for recording in found]


def reveal(
    rt: Runtime, session: Session, actor: Actor, recording_id: str, case_id: str | None
) -> tuple[bytes, str]:
    """Open a recording for a security officer under an open case; audited either way."""
    recording = session.get(Recording, (rt.tenant, recording_id))
    refusal: Denied | NotFound | None = _refusal(session, rt.tenant, actor, case_id)
    if refusal is None and (recording is None or recording.sealed is None):
        refusal = NotFound("no such recording", code="recording_not_found")
    auditor_for(rt).record(
        session,
        actor,
        Entry(
            "relay.recording_reveal",
            "shipment",
            recording.shipment_id if recording is not None else None,
            decision="deny" if refusal else "allow",
            reason=refusal.code if refusal else None,
            purpose="investigation",
            details={"recording_id": recording_id, "case_id": case_id},
        ),
    )
    if refusal is not None:
        session.commit()  # the refused attempt stays on record
        raise refusal
    assert recording is not None and recording.sealed is not None
    try:
        opened = Envelope(rt.keyring, rt.tenant, RECORDING_SEALING).open(recording, ["audio"])
    except IntegrityError as exc:
        if exc.code == "shredded":
            raise NotFound("the recording was shredded", code="recording_not_found") from None
        raise
    return base64.b64decode(opened["audio"].reveal()), recording.content_type


def erase(session: Session, tenant_id: str, condition: Any, now: Any, reason: str) -> int:
    """Erase the recordings matching `condition` (the sealed audio and its key go)."""
    result = session.execute(
        update(Recording)
        .where(Recording.tenant_id == tenant_id, Recording.sealed.is_not(None), condition)
        .values(
            sealed=None,
            key_blob=None,
            kek_version=None,
            seal_format=None,
            caller_ref=None,
            callee_ref=None,
            erased_at=now,
            erase_reason=reason[:16],
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def expire(rt: Runtime, session: Session) -> int:
    """Erase recordings whose retention is over."""
    now = rt.clock.now()
    return erase(session, rt.tenant, Recording.expires_at <= now, now, "expired")


def forget(rt: Runtime, session: Session, ref: bytes) -> int:
    """Erase the recordings of calls a person took part in."""
    now = rt.clock.now()
    mine = or_(Recording.caller_ref == ref, Recording.callee_ref == ref)
    return erase(session, rt.tenant, mine, now, "erased")


def view(recording: Recording) -> RecordingView:
    """Return what a list shows of a recording (no audio, no party)."""
    return {
        "recording_id": recording.recording_id,
        "call_id": recording.call_id,
        "binding_id": recording.binding_id,
        "size": recording.size,
        "content_type": recording.content_type,
        "recorded_at": recording.recorded_at.isoformat(),
        "expires_at": recording.expires_at.isoformat(),
        "erased": recording.sealed is None,
    }
