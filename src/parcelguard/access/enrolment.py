"""One-time enrolment links: how an admin lets a person register a passkey (first or recovery).

The link carries 256 random bits; only their SHA-256 is stored. A link works once, for one
person, until it expires; using it is settled by a conditional update so two browsers racing
with the same link cannot both win. The token rides in the URL's fragment
(`/console/enrol#<token>`), which browsers never send to a server, and reaches us only in POST
bodies, so no access log (ours, a proxy's) ever holds it; a token that does arrive in a path
was exposed on the way and is cancelled (`cancel_exposed`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from parcelguard.access import service
from parcelguard.access.guards import STAFF
from parcelguard.access.models import EnrolmentLink
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import InvalidInput, NotAuthenticated
from parcelguard.runtime import Runtime

DEFAULT_HOURS = 24
MAX_HOURS = 7 * 24


@dataclass(frozen=True)
class IssuedLink:
    """A new enrolment link: the URL is shown this once."""

    principal_id: str
    url: str = field(repr=False)
    expires_at: datetime


def link_hash(token: str) -> bytes:
    """Return the stored form of a link's token."""
    return hashlib.sha256(token.encode()).digest()


def url_for(base_url: str, token: str) -> str:
    """Return the console page that opens an enrolment link, the token in its fragment."""
    return f"{base_url.rstrip('/')}/console/enrol#{token}"


def issue(
    rt: Runtime, session: Session, actor: Actor, principal_id: str, *, hours: int = DEFAULT_HOURS
) -> IssuedLink:
    """Issue a one-time link with which an active member of staff registers a passkey."""
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"hours must be between 1 and {MAX_HOURS}", code="invalid_hours")
    principal = service.get_or_raise(session, rt.tenant, principal_id)
    if principal.role not in STAFF or principal.status != "active":
        raise InvalidInput(
            "only active members of staff use passkeys", code="passkeys_for_staff_only"
        )
    token = secrets.token_urlsafe(32)
    now = rt.clock.now()
    link = EnrolmentLink(
        tenant_id=rt.tenant,
        token_hash=link_hash(token),
        principal_id=principal_id,
        created_by=actor.id[:32],
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(link)
    auditor_for(rt).record(
        session,
        actor,
        Entry("enrolment.issue", "principal", principal_id, details={"hours": hours}),
    )
    session.flush()
    return IssuedLink(principal_id, url_for(rt.settings.base_url, token), link.expires_at)


def redeemable(rt: Runtime, session: Session, token: str) -> EnrolmentLink:
    """Return the link a token stands for if it is unused and unexpired, else refuse."""
    link = None
    if token and len(token) <= 128:
        link = session.get(EnrolmentLink, (rt.tenant, link_hash(token)))
    if link is None:
        raise NotAuthenticated("this enrolment link is not valid", code="enrolment_link_invalid")
    if link.used_at is not None:
        raise NotAuthenticated("this enrolment link was used", code="enrolment_link_used")
    if link.expires_at <= rt.clock.now():
        raise NotAuthenticated("this enrolment link expired", code="enrolment_link_expired")
    return link


def cancel_exposed(rt: Runtime, session: Session, token: str) -> bool:
    """Spend a live link whose token arrived in a URL path (logs on the way hold it).

    Audited as `enrolment.cancel` with the reason `token_in_url`; answers whether a live link
    was cancelled. The admin issues a new one.
    """
    try:
        link = redeemable(rt, session, token)
    except NotAuthenticated:
        return False
    use(rt, session, link)
    auditor_for(rt).record(
        session,
        Actor("unauthenticated", "anonymous"),
        Entry(
            "enrolment.cancel",
            "principal",
            link.principal_id,
            decision="deny",
            reason="token_in_url",
        ),
    )
    session.flush()
    return True


def use(rt: Runtime, session: Session, link: EnrolmentLink) -> None:
    """Spend a link, exactly once even under concurrent use (the ceremony audits it)."""
    spent = session.execute(
        update(EnrolmentLink)
        .where(
            EnrolmentLink.tenant_id == link.tenant_id,
            EnrolmentLink.token_hash == link.token_hash,
            EnrolmentLink.used_at.is_(None),
        )
        .values(used_at=rt.clock.now())
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        raise NotAuthenticated("this enrolment link was used", code="enrolment_link_used")
