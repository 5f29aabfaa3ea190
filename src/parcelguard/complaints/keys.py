"""Complaint data keys and KEK rotation: `complaints rewrap-keys` rewraps this table alone.

Rotation itself needs nothing from here: `COMPLAINT_SEALING` (models.py) registers the table,
and `vault.keys` walks every registered table when it rewraps and before it retires a KEK.
"""

from __future__ import annotations

from parcelguard.complaints.models import COMPLAINT_SEALING
from parcelguard.runtime import Runtime
from parcelguard.vault import keys as vault_keys


def rewrap_pending(rt: Runtime) -> int:
    """Rewrap, batch by batch, every complaint key of the tenant under an old KEK or format."""
    return vault_keys.rewrap_table(rt, COMPLAINT_SEALING)
