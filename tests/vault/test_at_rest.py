"""No plaintext at rest: the database file, its WAL and a pg_dump hold no phone, name, ID or
address detail of an imported file; ciphertexts cannot be moved between rows or fields."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, update
from tests.conftest import write_csv

from parcelguard.audit.service import SYSTEM
from parcelguard.errors import IntegrityError
from parcelguard.pii.divisions import resolve_region
from parcelguard.vault import ingest, service
from parcelguard.vault.models import Party
from parcelguard.vault.readers import read_rows
from parcelguard.vault.synthetic import Faker


def secrets_of(rows: list[dict[str, str]]) -> list[str]:
    """Return every value that must not appear at rest: phones, names, IDs, address details."""
    found = []
    for r in rows:
        found += [r["sender_phone"], r["recipient_phone"], r["sender_name"], r["recipient_name"]]
        if r.get("sender_id_no"):
            found.append(r["sender_id_no"])
        for key in ("sender_address", "recipient_address"):
            region = resolve_region(r[key])
            assert region is not None
            number = (
                region.detail[region.detail.index("路") + 1 :]
                if "路" in region.detail
                else region.detail
            )
            found += [r[key], region.detail, number]
    return [s for s in found if len(s) >= 2]


def assert_absent(blob: bytes, values: list[str], where: str) -> None:
    """Assert no value appears in `blob` in any encoding of six bytes or more.

    Shorter forms (a two-character name is four bytes in UTF-16 or GB18030) turn up by chance
    in megabytes of random nonces and ciphertext: about one run in ten would fail on noise.
    Six bytes leave a chance of about 2^-48 per position; the UTF-8 form of any name is six.
    """
    for value in values:
        for encoding in ("utf-8", "utf-16-le", "gb18030"):
            encoded = value.encode(encoding)
            if len(encoded) >= 6:
                assert encoded not in blob, f"a plaintext value appears in {where} ({encoding})"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_file_and_wal_hold_no_plaintext(cli, rt, tmp_path: Path) -> None:
    data = list(Faker(7).rows(200))
    path = write_csv(tmp_path / "s.csv", data)
    # In-process, connections left open: the WAL is still there to be searched.
    assert ingest.import_shipments(rt, SYSTEM, read_rows(path)).imported == 200
    db_file = Path(rt.settings.home / "parcelguard.db")
    wal = db_file.with_name(db_file.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the test must look at a live WAL too
    values = secrets_of(data)
    assert_absent(db_file.read_bytes(), values, "the database file")
    assert_absent(wal.read_bytes(), values, "the WAL")
    assert_absent((rt.settings.home / "keyring.json").read_bytes(), values, "the keyring")


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_pg_dump_holds_no_plaintext(cli, rt, tmp_path: Path) -> None:
    data = list(Faker(8).rows(200))
    cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json")
    url = rt.settings.database.replace("postgresql+psycopg://", "postgresql://")
    dump = subprocess.run(["pg_dump", "--data-only", url], check=True, capture_output=True).stdout
    assert b"COPY public.parties" in dump  # the dump really contains the vault
    assert_absent(dump, secrets_of(data), "pg_dump")


def test_ciphertext_moved_to_another_row_fails_to_open(cli, rt, tmp_path: Path) -> None:
    data = list(Faker(9).rows(2))
    cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json")
    with rt.db.session() as session:
        a = service.get_or_raise(session, rt.tenant, data[0]["waybill_no"])
        b = service.get_or_raise(session, rt.tenant, data[1]["waybill_no"])
        stolen = session.scalars(
            select(Party.phone_ct).where(
                Party.shipment_id == a.shipment_id, Party.role == "recipient"
            )
        ).one()
        session.execute(
            update(Party)
            .where(Party.shipment_id == b.shipment_id, Party.role == "recipient")
            .values(phone_ct=stolen)
        )
    with rt.db.session() as session:
        b = service.get_or_raise(session, rt.tenant, data[1]["waybill_no"])
        with pytest.raises(IntegrityError) as caught:
            service.open_fields(rt, session, b, [("recipient", "phone")])
    assert caught.value.code == "ciphertext_mismatch"
    assert data[0]["recipient_phone"] not in str(caught.value)


def test_ciphertext_moved_to_another_field_fails_to_open(cli, rt, tmp_path: Path) -> None:
    data = list(Faker(10).rows(1))
    cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json")
    with rt.db.session() as session:
        s = service.get_or_raise(session, rt.tenant, data[0]["waybill_no"])
        party = session.get(Party, (rt.tenant, s.shipment_id, "recipient"))
        assert party is not None
        party.name_ct = party.phone_ct
    with rt.db.session() as session, pytest.raises(IntegrityError):
        s = service.get_or_raise(session, rt.tenant, data[0]["waybill_no"])
        service.open_fields(rt, session, s, [("recipient", "name")])


def test_open_returns_exactly_the_imported_values(cli, rt, tmp_path: Path) -> None:
    data = list(Faker(11).rows(1))
    data[0]["sender_id_no"] = Faker(11).resident_id()
    cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json")
    with rt.db.session() as session:
        s = service.get_or_raise(session, rt.tenant, data[0]["waybill_no"])
        opened = service.open_fields(
            rt, session, s, [("recipient", "address"), ("sender", "id_no"), ("sender", "phone")]
        )
    assert opened[("recipient", "address")].reveal() == data[0]["recipient_address"]
    assert opened[("sender", "id_no")].reveal() == data[0]["sender_id_no"]
    assert opened[("sender", "phone")].reveal() == data[0]["sender_phone"]
    assert repr(opened[("sender", "phone")]) == "Sensitive('***')"
