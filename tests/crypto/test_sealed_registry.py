"""The sealed-column registry: every sealed column is registered, and rotation reaches them all."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, LargeBinary, select, text

from parcelguard.audit.service import SYSTEM
from parcelguard.crypto import Envelope, sealed_tables
from parcelguard.crypto.sealed_format import FORMAT
from parcelguard.errors import IntegrityError
from parcelguard.migrations.all_models import metadata
from parcelguard.runtime import Runtime
from parcelguard.vault import keys
from tests.crypto.legacy import downgrade_row
from tests.crypto.sealed_world import SEEDERS, Cli, primary_key, seed_every_table

# Columns that look sealed but are not under the keyring, each with the reason.
NOT_KEYRING_SEALED = {
    # Sealed under a key derived from the browser's cookie: without the cookie nobody, not even
    # the keyring's holder, can open it; it lives only as long as the portal session.
    ("portal_session_phones", "phone_ct"),
    ("passkeys", "public_key"),  # a WebAuthn public key: not secret
}


def looks_sealed(name: str, column: Any) -> bool:
    """Return whether a column is, by the naming convention, a ciphertext or a wrapped key."""
    if isinstance(column.type, LargeBinary):
        return name.endswith(("_ct", "_key", "key_blob"))
    return isinstance(column.type, Integer) and name.endswith("kek_version")


def test_every_sealed_column_in_the_schema_is_registered() -> None:
    registered = {(t.name, c) for t in sealed_tables() for c in t.columns()}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if looks_sealed(column.name, column) and (table.name, column.name) not in (
                NOT_KEYRING_SEALED
            ):
                assert (table.name, column.name) in registered, (
                    f"{table.name}.{column.name} looks sealed: declare it with "
                    "register_sealed(SealedTable(...)) beside its model (docs/development.md)"
                )


def test_every_registered_table_has_a_seeder_for_the_rotation_test() -> None:
    assert set(SEEDERS) == {t.name for t in sealed_tables()}, (
        "add a seeder for the new sealed table to tests/crypto/sealed_world.py"
    )


def opened_everything(rt: Runtime) -> dict[tuple[str, tuple[Any, ...]], dict[str, str]]:
    """Open every sealed field of every row of the tenant, in every registered table."""
    found: dict[tuple[str, tuple[Any, ...]], dict[str, str]] = {}
    with rt.db.session() as session:
        for table in sealed_tables():
            envelope = Envelope(rt.keyring, rt.tenant, table)
            model = table.model
            kek = getattr(model, table.kek_column)
            query = select(model).where(model.tenant_id == rt.tenant, kek.is_not(None))
            for row in session.scalars(query):
                values = envelope.open(row, table.fields)
                found[(table.name, primary_key(row))] = {k: v.reveal() for k, v in values.items()}
    return found


def envelope_state(rt: Runtime) -> set[tuple[str, int, int]]:
    """Return the distinct (table, KEK version, format) of every sealed row."""
    state: set[tuple[str, int, int]] = set()
    with rt.db.session() as session:
        for table in sealed_tables():
            kek = getattr(table.model, table.kek_column)
            version = getattr(table.model, table.format_column)
            rows = session.execute(select(kek, version).where(kek.is_not(None)).distinct())
            state |= {(table.name, int(k), int(f)) for k, f in rows}
    return state


def downgrade_every_other_row(rt: Runtime) -> None:
    """Rewrite half the rows of every table as an older release (format 1) sealed them."""
    with rt.db.session() as session:
        for table in sealed_tables():
            kek = getattr(table.model, table.kek_column)
            rows = session.scalars(select(table.model).where(kek.is_not(None)))
            for i, row in enumerate(rows):
                if i % 2 == 0:
                    downgrade_row(rt.keyring, rt.tenant, table, row)


def test_rotation_reaches_every_registered_table_and_retires_the_old_kek(
    rt: Runtime, cli: Cli, tmp_path: Path
) -> None:
    seed_every_table(rt, cli, tmp_path)
    downgrade_every_other_row(rt)  # stored data of an older release, still in format 1
    before = opened_everything(rt)
    assert {name for name, _ in before} == {t.name for t in sealed_tables()}
    assert {f for _, _, f in envelope_state(rt)} == {1, 2}
    assert keys.pending_count(rt) > 0  # format-1 rows wait for a rewrap under the same KEK
    status = cli("keys", "rotate", "--json").json
    assert status["versions"] == [2] and status["pending_rewrap"] == 0
    assert envelope_state(rt) == {(t.name, 2, FORMAT) for t in sealed_tables()}
    assert opened_everything(rt) == before


def test_after_rotation_the_watermark_can_refuse_format_1(
    rt: Runtime, cli: Cli, tmp_path: Path
) -> None:
    seed_every_table(rt, cli, tmp_path)
    downgrade_every_other_row(rt)
    before = opened_everything(rt)
    (rt.settings.home / "config.toml").write_text("[keys]\nmin_format = 2\n", encoding="utf-8")
    settings = type(rt.settings).load(
        home=rt.settings.home, database_url=rt.settings.database_url, tenant=rt.tenant
    )
    strict = Runtime.from_settings(settings, clock=rt.clock)  # a process started with it
    assert strict.keyring.policy.min_format == 2
    with pytest.raises(IntegrityError) as caught:  # not migrated yet: format 1 is refused
        opened_everything(strict)
    assert caught.value.code == "ciphertext_mismatch"
    cli("keys", "rotate", "--json")  # the lenient process migrates every table
    assert opened_everything(strict) == before
    strict.close()


def test_a_shredded_row_neither_blocks_rotation_nor_keeps_its_kek(
    rt: Runtime, cli: Cli, tmp_path: Path
) -> None:
    seed_every_table(rt, cli, tmp_path)
    rt.keyring.destroy_epochs(before=date(2027, 7, 1))  # complaints' day
    status = cli("keys", "rotate", "--json").json
    assert status["versions"] == [2] and status["pending_rewrap"] == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_an_unregistered_wrapped_key_column_stops_kek_retirement(
    rt: Runtime, cli: Cli, tmp_path: Path
) -> None:
    with rt.db.session() as session:  # a table some future domain forgot to register
        session.execute(
            text("CREATE TABLE gadgets (tenant_id TEXT, id TEXT, kek_version INTEGER, blob BLOB)")
        )
    rt.keyring.rotate()
    with pytest.raises(IntegrityError) as caught:
        keys.retire_unused(rt, SYSTEM)
    assert caught.value.code == "unregistered_sealed_table" and "gadgets" in str(caught.value)
    assert rt.keyring.kms.versions() == [1, 2]  # the old KEK is kept
