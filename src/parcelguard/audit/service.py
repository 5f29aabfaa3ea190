"""Audit use cases: record events, checkpoint and cosign, verify, prove, and query access.

Every domain records through `auditor_for(rt).record(session, actor, Entry(...))` (or
`record_many`); the event lands in the caller's transaction. The log itself is a Merkle
tree with signed checkpoints and witnesses: see `auditor.py`, `verify.py`, `proofs.py`.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from parcelguard.audit.auditor import PENDING, Auditor, LogKeys, event_payload
from parcelguard.audit.checkpoints import NEW_CHECKPOINT
from parcelguard.audit.config import origin_for
from parcelguard.audit.cosign import CosignResult, cosign_newest
from parcelguard.audit.entry import SYSTEM, Actor, Entry
from parcelguard.audit.models import AuditEvent as AuditEvent  # the record `search` hands out
from parcelguard.audit.models import AuditHead
from parcelguard.audit.proofs import build_proof
from parcelguard.audit.results import InclusionProof, PublicKeys
from parcelguard.audit.verify import VerifyResult, verify_log
from parcelguard.audit.witnesses import WitnessClient, witnesses_for
from parcelguard.runtime import Committed, RolledBack, Runtime

STALE_FACTOR = 3.0

__all__ = [
    "PENDING",
    "SYSTEM",
    "Actor",
    "Auditor",
    "Entry",
    "LogKeys",
    "VerifyResult",
    "auditor_for",
    "cosign",
    "cosign_new_checkpoint",
    "count_events",
    "event_payload",
    "events_for_targets",
    "forget_new_checkpoint",
    "head_of",
    "log_keys",
    "prove",
    "public_keys",
    "search",
    "take_pending",
    "verify",
]


def log_keys(rt: Runtime) -> LogKeys:
    """Return the tenant's log keys (from the keyring; the origin from `[audit]`)."""
    return LogKeys.from_keyring(rt.keyring, origin_for(rt.settings, rt.tenant))


def auditor_for(rt: Runtime) -> Auditor:
    """Return an auditor for the runtime's tenant (cheap: the signer is unwrapped when used)."""
    return Auditor(
        rt.tenant,
        rt.clock,
        log_keys(rt),
        checkpoint_every=rt.settings.audit_checkpoint_every,
        checkpoint_minutes=rt.settings.audit_checkpoint_minutes,
    )


def witnesses(rt: Runtime, *, create: bool = True) -> list[WitnessClient]:
    """Return the runtime's witnesses (the local one is set up on first use when `create`)."""
    return witnesses_for(rt, create=create)


def cosign(rt: Runtime) -> list[CosignResult]:
    """Ask every witness to cosign the newest checkpoint (after it committed)."""
    return cosign_newest(rt.db, rt.tenant, witnesses(rt))


def cosign_new_checkpoint(event: Committed) -> None:
    """After a commit that signed a checkpoint, ask the witnesses (failures only log)."""
    if event.session.info.pop(NEW_CHECKPOINT, None):
        cosign(event.rt)


def forget_new_checkpoint(event: RolledBack) -> None:
    """After a rollback, forget the checkpoint it would have signed."""
    event.session.info.pop(NEW_CHECKPOINT, None)


def verify(rt: Runtime, *, stale_factor: float = STALE_FACTOR) -> VerifyResult:
    """Verify the tenant's log against its checkpoints and witnesses (changes nothing)."""
    stale = timedelta(minutes=rt.settings.audit_checkpoint_minutes * stale_factor)
    found = witnesses(rt, create=False)
    with rt.db.read_session() as session:
        return verify_log(
            session,
            rt.tenant,
            log_keys(rt),
            found,
            now=rt.clock.now(),
            stale_after=stale,
            cadence=(
                rt.settings.audit_checkpoint_every,
                timedelta(minutes=rt.settings.audit_checkpoint_minutes),
            ),
            url=None if rt.db.in_memory else rt.db.url,
        )


def prove(rt: Runtime, session: Session, seq: int) -> InclusionProof:
    """Return the inclusion proof document of event `seq` (see docs/audit.md)."""
    return build_proof(session, rt.tenant, seq, log_keys(rt), witnesses(rt, create=False))


def public_keys(rt: Runtime) -> PublicKeys:
    """Return what a verifier needs and may trust once published: the log's and witnesses' keys."""
    keys = log_keys(rt)
    return {
        "origin": keys.origin,
        "public_key": keys.signer.verifier.vkey(),
        "witnesses": [
            {"name": w.label, "public_key": w.verifier.vkey()} for w in witnesses(rt, create=False)
        ],
    }


def take_pending(session: Session) -> list[dict[str, Any]]:
    """Remove and return the events recorded in this session, for publishing after commit."""
    pending: list[dict[str, Any]] = session.info.pop(PENDING, [])
    return pending


def events_for_targets(
    session: Session,
    tenant_id: str,
    target_ids: Iterable[str],
    actions: Iterable[str] | None = None,
) -> list[AuditEvent]:
    """Return the events about these targets, newest first ("who accessed my data")."""
    ids = list(target_ids)
    if not ids:
        return []
    query = select(AuditEvent).where(
        AuditEvent.tenant_id == tenant_id, AuditEvent.target_id.in_(ids)
    )
    if actions is not None:
        query = query.where(AuditEvent.action.in_(list(actions)))
    return list(session.scalars(query.order_by(AuditEvent.seq.desc())))


def search(
    session: Session,
    tenant_id: str,
    *,
    actor_id: str | None = None,
    action: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
    actor_ids: Collection[str] | None = None,
    actor_prefix: str | None = None,
    actions: Collection[str] | None = None,
    target_type: str | None = None,
    waybill: str | None = None,
) -> list[AuditEvent]:
    """Return matching events, newest first (for the security centre).

    Every filter narrows the result. `actor_ids` is a set of principals (an empty set matches
    nothing); `actor_prefix` the first hex digits of an actor id as a page shows it; `actions`
    the codes a word in the catalogue stands for; `waybill` an event about that waybill,
    as its target or in its details' `waybill` key.
    """
    query = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
    for column, value in (
        (AuditEvent.actor_id, actor_id),
        (AuditEvent.action, action),
        (AuditEvent.target_id, target_id),
        (AuditEvent.target_type, target_type),
    ):
        if value is not None:
            query = query.where(column == value)
    if actor_ids is not None:
        query = query.where(AuditEvent.actor_id.in_(sorted(set(actor_ids)) or [""]))
    if actor_prefix is not None:
        query = query.where(AuditEvent.actor_id.startswith(actor_prefix, autoescape=True))
    if actions is not None:
        query = query.where(AuditEvent.action.in_(sorted(set(actions)) or [""]))
    if waybill is not None:
        stored = json.dumps({"waybill": waybill}, ensure_ascii=False)[1:-1]
        query = query.where(
            or_(
                AuditEvent.target_id == waybill,
                AuditEvent.details.contains(stored, autoescape=True),
            )
        )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    return list(session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit)))


def head_of(session: Session, tenant_id: str) -> AuditHead | None:
    """Return the tenant's head row without locking it."""
    return session.get(AuditHead, tenant_id)


def count_events(session: Session, tenant_id: str) -> int:
    """Return how many events the tenant's log holds."""
    return int(
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
        )
        or 0
    )
