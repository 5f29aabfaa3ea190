"""The labels domain's reactions to the vault, subscribed by the composition root (`assembly`).

Kept apart from `service` so subscribing them loads no renderer (reportlab, Pillow) on every
command: arrival allocates a pickup code, leaving closes it, delivery starts token expiry,
and a delivery's pickup code is checked against the code the parcel waits under.
"""

from __future__ import annotations

from parcelguard.labels import pickup, tokens
from parcelguard.vault.lifecycle import Stepped
from parcelguard.vault.transitions import PickupCodeOffered


def on_lifecycle(event: Stepped) -> None:
    """Allocate pickup codes on arrival; close them and start token expiry when parcels leave."""
    rt, session, shipment = event.rt, event.session, event.shipment
    if event.type in ("delivered", "returned"):
        tokens.expire_after_delivery(rt, session, shipment)
    pickup.on_lifecycle(rt, session, shipment, event.type)


def proves_delivery(event: PickupCodeOffered) -> bool:
    """Answer whether the offered code is the one the parcel waits under at its station."""
    return pickup.proves_delivery(event.rt, event.session, event.shipment, event.code)
