"""The forensics domain's reaction to the relay: tell it whose canary a called number is.

Subscribed to `relay.routing.CANARY` by the composition root (`assembly`); a call or SMS to a
canary number is then audited by the relay as `relay.canary_hit` naming the canary, its
channel kind and the principal that holds the channel (ids only, never a person).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from parcelguard.forensics.models import Canary
from parcelguard.relay.results import CanaryOwner
from parcelguard.relay.routing import CanaryCalled


def on_canary_called(called: CanaryCalled) -> CanaryOwner | None:
    """Answer the relay with the canary a reserved number belongs to (None: not ours)."""
    return resolve_canary(called.session, called.rt.tenant, called.number_id, called.label)


def resolve_canary(
    session: Session, tenant_id: str, number_id: str, label: str | None
) -> CanaryOwner | None:
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
