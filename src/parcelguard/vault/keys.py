"""Key rotation: new KEK at once, old data keys rewrapped in batches, unused versions destroyed.

A new KEK wraps new data keys at once; old wrapped keys are rewrapped in batches with
progress; a retired KEK version is destroyed only when nothing uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from parcelguard.access import service as access_service
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Party
from parcelguard.vault.service import sealer_for

BATCH = 500
USERS_KEY = "keys.users"  # callables (session) -> set of KEK versions still in use
REWRAPPERS_KEY = "keys.rewrappers"  # callables (rt) -> number of keys rewrapped


def add_key_user(
    rt: Runtime, versions_in_use: Callable[[Any], set[int]], rewrap: Callable[[Runtime], int]
) -> None:
    """Let another domain's wrapped keys take part in rotation (rewrap, then retirement)."""
    for key, hook in ((USERS_KEY, versions_in_use), (REWRAPPERS_KEY, rewrap)):
        hooks = rt.extras.setdefault(key, [])
        if hook not in hooks:
            hooks.append(hook)


def status(rt: Runtime) -> dict[str, Any]:
    """Return the keyring state and how many data keys still wait for a rewrap."""
    keyring = rt.keyring.status()
    with rt.db.session() as session:
        pending = _pending(session, rt.tenant, keyring.active)
    return {
        "active": keyring.active,
        "versions": keyring.versions,
        "pending_rewrap": pending,
        "provider": keyring.provider,
        "created_at": {str(v): t for v, t in keyring.created_at.items()},
        "epochs": keyring.epochs,
        "destroyed_epochs": keyring.destroyed_epochs,
        "development": keyring.development,
    }


def rotate(
    rt: Runtime, actor: Actor, advance: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Add a KEK version, rewrap every data key under it, then retire unused versions."""
    version = rt.keyring.rotate()
    with rt.db.session() as session:
        auditor_for(rt).record(
            session, actor, Entry("keys.rotate", "keyring", None, details={"active": version})
        )
    rewrap_pending(rt, advance)
    access_service.rewrap_phone_keys(rt)
    for rewrap in rt.extras.get(REWRAPPERS_KEY, []):
        rewrap(rt)
    retire_unused(rt, actor)
    return status(rt)


def pending_count(rt: Runtime) -> int:
    """Return how many data keys are wrapped under a KEK other than the active one."""
    with rt.db.session() as session:
        return _pending(session, rt.tenant, rt.keyring.kms.active_version())


def rewrap_pending(rt: Runtime, advance: Callable[[int], None] | None = None) -> int:
    """Rewrap, batch by batch (one transaction each), every data key under an old KEK."""
    active = rt.keyring.kms.active_version()
    sealer = sealer_for(rt)
    done = 0
    while True:
        with rt.db.session() as session:
            batch = list(
                session.scalars(
                    select(Party)
                    .where(Party.tenant_id == rt.tenant, Party.kek_version != active)
                    .limit(BATCH)
                )
            )
            for party in batch:
                sealer.rewrap(party)
        if not batch:
            return done
        done += len(batch)
        if advance:
            advance(len(batch))


def retire_unused(rt: Runtime, actor: Actor) -> list[int]:
    """Destroy every non-active KEK version that no data key or keyring entry uses."""
    keyring = rt.keyring
    active = keyring.kms.active_version()
    with rt.db.session() as session:
        # Every tenant shares the keyring, so a version is free only when no tenant uses it.
        used = set(session.scalars(select(Party.kek_version).distinct()))
        used |= keyring.store_versions_in_use()
        used |= access_service.kek_versions_in_use(session)
        for user in rt.extras.get(USERS_KEY, []):
            used |= user(session)
        retired = [v for v in keyring.kms.versions() if v != active and v not in used]
        for version in retired:
            keyring.remove_kek(version)
        if retired:
            auditor_for(rt).record(
                session, actor, Entry("keys.retire", "keyring", None, details={"versions": retired})
            )
    return retired


def _pending(session: Any, tenant: str, active: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Party)
            .where(Party.tenant_id == tenant, Party.kek_version != active)
        )
        or 0
    )
