"""Key rotation: new KEK at once, every sealed table rewrapped in batches, unused KEKs destroyed.

A new KEK wraps new data keys at once; rotation then walks the registry of sealed tables
(`crypto.sealed_tables()`, declared by each domain beside its models) and rewraps, batch by
batch, every row under an older KEK or an older sealed-value format; a KEK version is destroyed
only when no row of any registered table (every tenant) and no keyring entry uses it. Rows whose
retention epoch is destroyed are shredded already: they need no KEK and are left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, func, inspect, or_, select
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.crypto import Envelope, Keyring, SealedTable, sealed_tables
from parcelguard.crypto.sealed_format import FORMAT
from parcelguard.errors import IntegrityError
from parcelguard.runtime import Runtime
from parcelguard.vault.results import KeysStatus

BATCH = 500


def status(rt: Runtime) -> KeysStatus:
    """Return the keyring state and how many data keys still wait for a rewrap."""
    keyring = rt.keyring.status()
    return {
        "active": keyring.active,
        "versions": keyring.versions,
        "pending_rewrap": pending_count(rt),
        "provider": keyring.provider,
        "created_at": {str(v): t for v, t in keyring.created_at.items()},
        "epochs": keyring.epochs,
        "destroyed_epochs": keyring.destroyed_epochs,
        "development": keyring.development,
        "min_format": rt.keyring.policy.min_format,
    }


def rotate(rt: Runtime, actor: Actor, advance: Callable[[int], None] | None = None) -> KeysStatus:
    """Add a KEK version, rewrap every registered sealed table under it, retire unused ones."""
    version = rt.keyring.rotate()
    with rt.db.session() as session:
        auditor_for(rt).record(
            session, actor, Entry("keys.rotate", "keyring", None, details={"active": version})
        )
    rewrap_pending(rt, advance)
    retire_unused(rt, actor)
    return status(rt)


def pending_count(rt: Runtime) -> int:
    """Return how many of the tenant's data keys wait for the active KEK or current format."""
    active = rt.keyring.kms.active_version()
    total = 0
    with rt.db.session() as session:
        for table in sealed_tables():
            query = select(func.count()).select_from(table.model)
            total += int(session.scalar(query.where(_pending(rt, table, active))) or 0)
    return total


def rewrap_pending(rt: Runtime, advance: Callable[[int], None] | None = None) -> int:
    """Rewrap every registered table's pending rows of the tenant; return how many."""
    return sum(rewrap_table(rt, table, advance) for table in sealed_tables())


def rewrap_table(
    rt: Runtime, table: SealedTable, advance: Callable[[int], None] | None = None
) -> int:
    """Rewrap, batch by batch (one transaction each), one table's rows under an old KEK/format."""
    envelope = Envelope(rt.keyring, rt.tenant, table)
    done = 0
    while True:
        active = rt.keyring.kms.active_version()
        with rt.db.session() as session:
            query = select(table.model).where(_pending(rt, table, active)).limit(BATCH)
            batch = list(session.scalars(query))
            for row in batch:
                envelope.rewrap(row)
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
        check_registry_covers(session)
        used = versions_in_use(session, keyring) | keyring.store_versions_in_use()
        retired = [v for v in keyring.kms.versions() if v != active and v not in used]
        for version in retired:
            keyring.remove_kek(version)
        if retired:
            auditor_for(rt).record(
                session, actor, Entry("keys.retire", "keyring", None, details={"versions": retired})
            )
    return retired


def versions_in_use(session: Session, keyring: Keyring) -> set[int]:
    """Return the KEK versions any registered table still needs (every tenant shares them)."""
    used: set[int] = set()
    for table in sealed_tables():
        kek = getattr(table.model, table.kek_column)
        if table.epoch_column is None:
            used |= {
                int(v) for v in session.scalars(select(kek).where(kek.is_not(None)).distinct())
            }
            continue
        epoch = getattr(table.model, table.epoch_column)
        pairs = session.execute(select(kek, epoch).where(kek.is_not(None)).distinct())
        # A row whose retention epoch is destroyed is shredded: no KEK can open it again.
        used |= {int(v) for v, day in pairs if not keyring.is_destroyed(day)}
    return used


def check_registry_covers(session: Session) -> None:
    """Refuse to retire a KEK while the database holds wrapped keys no registration names."""
    registered = {(t.name, t.kek_column) for t in sealed_tables()}
    schema = inspect(session.connection())
    for name in schema.get_table_names():
        for column in schema.get_columns(name):
            if column["name"].endswith("kek_version") and (name, column["name"]) not in registered:
                raise IntegrityError(
                    f"table {name} holds wrapped keys ({column['name']}) but no sealed-column "
                    "registration: no KEK is retired until its domain registers it",
                    code="unregistered_sealed_table",
                )


def _pending(rt: Runtime, table: SealedTable, active: int) -> ColumnElement[bool]:
    """Rows of the tenant whose key waits for the active KEK or format (shredded rows never)."""
    model = table.model
    kek = getattr(model, table.kek_column)
    version = getattr(model, table.format_column)
    clauses = [
        getattr(model, table.tenant_column) == rt.tenant,
        kek.is_not(None),
        or_(kek != active, version != FORMAT),
    ]
    if table.epoch_column is not None:
        destroyed = rt.keyring.destroyed_epochs()
        if destroyed:
            clauses.append(getattr(model, table.epoch_column).not_in(destroyed))
    return and_(*clauses)
