"""Complaint data keys and KEK rotation: which KEK versions they use, and rewrapping them.

`vault.keys.retire_unused` destroys a KEK version only when nothing uses it; complaint keys
count through `rt.extras["keys.users"]`, which `install()` fills.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.complaints.models import Complaint
from parcelguard.runtime import Runtime

BATCH = 500


def kek_versions_in_use(session: Session) -> set[int]:
    """Return the KEK versions wrapping complaint data keys (every tenant)."""
    return {int(v) for v in session.scalars(select(Complaint.kek_version).distinct())}


def rewrap_pending(rt: Runtime) -> int:
    """Rewrap, batch by batch, every complaint key of the tenant under an old KEK."""
    from parcelguard.complaints.service import sealer_for

    active = rt.keyring.kms.active_version()
    done = 0
    while True:
        with rt.db.session() as session:
            batch = list(
                session.scalars(
                    select(Complaint)
                    .where(Complaint.tenant_id == rt.tenant, Complaint.kek_version != active)
                    .limit(BATCH)
                )
            )
            for complaint in batch:
                sealer_for(rt).rewrap(complaint)
        if not batch:
            return done
        done += len(batch)


def install(rt: Runtime) -> None:
    """Make key rotation rewrap complaint keys and keep the KEK versions they still use."""
    from parcelguard.vault.keys import add_key_user

    add_key_user(rt, kek_versions_in_use, rewrap_pending)
