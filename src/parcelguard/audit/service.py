"""Audit use cases: append an event to the chain, checkpoint, verify, and query access."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.audit.chain import GENESIS, checkpoint_statement, event_hash
from parcelguard.audit.models import AuditEvent, AuditHead, Checkpoint
from parcelguard.clock import Clock
from parcelguard.crypto import CheckpointSigner
from parcelguard.db import insert_ignoring_conflict
from parcelguard.runtime import Runtime

PENDING = "parcelguard.audit.pending"


@dataclass(frozen=True)
class Actor:
    """Who did something: a principal id, its role and (for station staff) its station."""

    id: str
    role: str
    station_id: str | None = None


SYSTEM = Actor("system", "system")


@dataclass(frozen=True)
class Entry:
    """What happened, before it gets its place in the chain. Never holds plaintext PII."""

    action: str
    target_type: str
    target_id: str | None = None
    decision: str | None = None
    reason: str | None = None
    purpose: str | None = None
    reference: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VerifyResult:
    """What `audit verify` reports."""

    ok: bool
    events: int
    checkpoints: int
    first_bad_seq: int | None
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the contract's JSON shape."""
        return {
            "ok": self.ok,
            "events": self.events,
            "checkpoints": self.checkpoints,
            "first_bad_seq": self.first_bad_seq,
            "reason": self.reason,
        }


class Auditor:
    """Appends events to a tenant's chain inside the caller's transaction."""

    def __init__(
        self,
        tenant_id: str,
        clock: Clock,
        signer: CheckpointSigner,
        *,
        checkpoint_every: int = 1000,
        checkpoint_minutes: int = 10,
    ) -> None:
        self.tenant_id = tenant_id
        self.clock = clock
        self.signer = signer
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = timedelta(minutes=checkpoint_minutes)

    def record(self, session: Session, actor: Actor, entry: Entry) -> AuditEvent:
        """Append one event; it commits or rolls back with the caller's change."""
        return self.record_many(session, actor, [entry])[-1]

    def record_many(
        self, session: Session, actor: Actor, entries: Sequence[Entry]
    ) -> list[AuditEvent]:
        """Append several events under one lock of the head."""
        head = _lock_head(session, self.tenant_id)
        at = self.clock.now()
        made = []
        for entry in entries:
            fields = self._fields(head.seq + 1, at, actor, entry)
            event = AuditEvent(**fields, prev_hash=head.hash, hash=event_hash(head.hash, fields))
            session.add(event)
            head.seq, head.hash = event.seq, event.hash
            made.append(event)
        if self._checkpoint_due(head, at):
            self._checkpoint(session, head, at)
        session.flush()
        session.info.setdefault(PENDING, []).extend(event_payload(e) for e in made)
        return made

    def checkpoint(self, session: Session) -> Checkpoint | None:
        """Sign the current head now (when it moved since the last checkpoint)."""
        head = _lock_head(session, self.tenant_id)
        if head.seq == head.checkpoint_seq:
            return None
        return self._checkpoint(session, head, self.clock.now())

    def _fields(self, seq: int, at: datetime, actor: Actor, entry: Entry) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "seq": seq,
            "at": at,
            "actor_id": actor.id,
            "actor_role": actor.role,
            "station_id": actor.station_id,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "decision": entry.decision,
            "reason": entry.reason,
            "purpose": entry.purpose,
            "reference": entry.reference,
            "details": json.dumps(entry.details, sort_keys=True, ensure_ascii=False, default=str),
        }

    def _checkpoint_due(self, head: AuditHead, at: datetime) -> bool:
        if head.seq - head.checkpoint_seq >= self.checkpoint_every:
            return True
        last = head.checkpoint_at
        return last is None or at - last >= self.checkpoint_interval

    def _checkpoint(self, session: Session, head: AuditHead, at: datetime) -> Checkpoint:
        statement = checkpoint_statement(self.tenant_id, head.seq, head.hash, at)
        point = Checkpoint(
            tenant_id=self.tenant_id,
            seq=head.seq,
            at=at,
            head_hash=head.hash,
            key_id=self.signer.key_id,
            signature=self.signer.sign(statement),
        )
        session.add(point)
        head.checkpoint_seq, head.checkpoint_at = head.seq, at
        return point


def _lock_head(session: Session, tenant_id: str) -> AuditHead:
    """Lock the tenant's head row (FOR UPDATE on PostgreSQL; SQLite writers already queue)."""
    query = select(AuditHead).where(AuditHead.tenant_id == tenant_id).with_for_update()
    head = session.execute(query).scalar_one_or_none()
    if head is None:
        insert_ignoring_conflict(
            session,
            AuditHead.__table__,
            {
                "tenant_id": tenant_id,
                "seq": 0,
                "hash": GENESIS,
                "checkpoint_seq": 0,
                "published_seq": 0,
            },
        )
        head = session.execute(query.execution_options(populate_existing=True)).scalar_one()
    return head


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """Return the event as published on the bus (no hashes, no PII)."""
    return {
        "tenant_id": event.tenant_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "station_id": event.station_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "decision": event.decision,
        "reason": event.reason,
        "purpose": event.purpose,
        "reference": event.reference,
        "details": json.loads(event.details or "{}"),
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
) -> list[AuditEvent]:
    """Return matching events, newest first (for the security centre)."""
    query = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
    for column, value in (
        (AuditEvent.actor_id, actor_id),
        (AuditEvent.action, action),
        (AuditEvent.target_id, target_id),
    ):
        if value is not None:
            query = query.where(column == value)
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


def auditor_for(rt: Runtime) -> Auditor:
    """Return the runtime's auditor (one per runtime, built on first use)."""
    auditor = rt.extras.get("audit.auditor")
    if auditor is None:
        auditor = Auditor(
            rt.tenant,
            rt.clock,
            rt.keyring.signer,
            checkpoint_every=rt.settings.audit_checkpoint_every,
            checkpoint_minutes=rt.settings.audit_checkpoint_minutes,
        )
        rt.extras["audit.auditor"] = auditor
    return auditor
