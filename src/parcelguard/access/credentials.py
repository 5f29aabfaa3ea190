"""A person's passkeys as an admin manages them: list, and revoke a lost one after recovery."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from parcelguard.access.models import Passkey, WebSession
from parcelguard.access.results import PasskeyView
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import InvalidInput, NotFound
from parcelguard.runtime import Runtime

PREFIX = 16  # how much of a credential id is shown and accepted


def list_for(session: Session, tenant_id: str, principal_id: str) -> list[PasskeyView]:
    """Return a person's passkeys (short id, label, dates), oldest first."""
    query = select(Passkey).where(
        Passkey.tenant_id == tenant_id, Passkey.principal_id == principal_id
    )
    return [
        {
            "id": p.credential_id[:PREFIX],
            "label": p.label,
            "created_at": p.created_at.isoformat(),
            "last_used_at": p.last_used_at.isoformat() if p.last_used_at else None,
        }
        for p in session.scalars(query.order_by(Passkey.created_at))
    ]


def revoke(
    rt: Runtime,
    session: Session,
    actor: Actor,
    principal_id: str,
    short_id: str,
    *,
    end_sessions: bool = True,
) -> None:
    """Remove one passkey by the short id `list_for` shows; optionally sign the person out."""
    if len(short_id) < 8:
        raise InvalidInput(
            "give at least the first 8 characters of the passkey id", code="ambiguous_id"
        )
    query = select(Passkey).where(
        Passkey.tenant_id == rt.tenant,
        Passkey.principal_id == principal_id,
        Passkey.credential_id.startswith(short_id, autoescape=True),
    )
    found = list(session.scalars(query))
    if len(found) != 1:
        raise NotFound(
            "no single passkey of that person starts with that id", code="passkey_not_found"
        )
    session.delete(found[0])
    if end_sessions:
        session.execute(
            delete(WebSession).where(
                WebSession.tenant_id == rt.tenant, WebSession.principal_id == principal_id
            )
        )
    auditor_for(rt).record(
        session,
        actor,
        Entry("passkey.revoke", "principal", principal_id, details={"passkey": short_id[:PREFIX]}),
    )
