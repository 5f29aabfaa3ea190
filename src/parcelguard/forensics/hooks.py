"""The forensics domain's runtime hook: tell the relay whose canary a called number is.

Installed once per runtime by the entry points, like the labels and relay hooks; a call or SMS
to a canary number is then audited by the relay as `relay.canary_hit` naming the canary, its
channel kind and the principal that holds the channel (ids only, never a person).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from parcelguard.forensics.models import Canary
from parcelguard.runtime import Runtime


def install(rt: Runtime) -> None:
    """Register the canary resolver with the relay (idempotent; a no-op without the relay)."""
    try:
        from parcelguard.relay.service import add_canary_resolver
    except ImportError:
        return
    resolver = rt.extras.get("forensics.canary_resolver")
    if resolver is None:

        def resolver(session: Session, number_id: str, label: str | None) -> dict[str, Any] | None:
            return resolve_canary(session, rt.tenant, number_id, label)

        rt.extras["forensics.canary_resolver"] = resolver
    add_canary_resolver(rt, resolver)


def resolve_canary(
    session: Session, tenant_id: str, number_id: str, label: str | None
) -> dict[str, Any] | None:
    """Return the canary a reserved pool number belongs to, as the relay's audit wants it."""
    conditions = [Canary.relay_number_id == number_id] if number_id else []
    if label and label.startswith("canary:"):
        conditions.append(Canary.canary_id == label.split(":", 1)[1][:32])
    if not conditions:
        return None
    canary = session.scalars(
        select(Canary)
        .where(Canary.tenant_id == tenant_id, or_(*conditions))
        .order_by(Canary.seeded_at.desc())
    ).first()
    if canary is None:
        return None
    return {
        "canary_id": canary.canary_id,
        "holder_id": canary.principal_id or canary.channel_id,
        "channel_kind": canary.channel_kind,
    }
