"""The labels domain's lifecycle hook, installed once per runtime by the entry points.

Kept apart from `service` so installing it loads no renderer (reportlab, Pillow) on every
command: arrival allocates a pickup code, leaving closes it, delivery starts token expiry.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from parcelguard.labels import pickup, tokens
from parcelguard.runtime import Runtime
from parcelguard.vault.lifecycle import add_hook
from parcelguard.vault.models import Shipment
from parcelguard.vault.transitions import add_proof_check


def install(rt: Runtime) -> None:
    """Add the labels hook and the pickup-code proof of delivery to the runtime (idempotent)."""
    add_hook(rt, on_lifecycle)
    add_proof_check(rt, pickup.proves_delivery)


def on_lifecycle(rt: Runtime, session: Session, shipment: Shipment, event_type: str) -> None:
    """Allocate pickup codes on arrival; close them and start token expiry when parcels leave."""
    if event_type in ("delivered", "returned"):
        tokens.expire_after_delivery(rt, session, shipment)
    pickup.on_lifecycle(rt, session, shipment, event_type)
