"""One row in every registered sealed table, each made by its own domain's sealing path.

`SEEDERS` names a seeder per registered table; `test_sealed_registry` fails when a table is
registered without one, so a new sealed table is always part of the rotation test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from parcelguard.complaints.models import Complaint
from parcelguard.complaints.service import sealer_for as complaint_sealer
from parcelguard.relay import recordings
from parcelguard.relay.models import CallRecord
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import CliResult, write_csv

Cli = Callable[..., CliResult]


def seed_parties(rt: Runtime, cli: Cli, tmp_path: Path) -> None:
    """Import three parcels (six party rows, one with a sender ID number)."""
    rows = list(Faker(21).rows(3, prefix="SEAL"))
    assert (
        cli("import", str(write_csv(tmp_path / "seal.csv", rows)), "--json").json["imported"] == 3
    )


def seed_principals(rt: Runtime, cli: Cli, tmp_path: Path) -> None:
    """Add two couriers with their own phones (and an admin without one)."""
    for name, phone in (("李师傅", "13911112222"), ("王师傅", "13922223333")):
        made = cli("users", "add", "--name", name, "--role", "courier", "--phone", phone, "--json")
        assert made.code == 0
    assert cli("users", "add", "--name", "管理员", "--role", "admin", "--json").code == 0


def seed_complaints(rt: Runtime, cli: Cli, tmp_path: Path) -> None:
    """File two complaints through the complaint sealer; answer one."""
    now = rt.clock.now()
    sealer = complaint_sealer(rt)
    with rt.db.session() as session:
        for i, text in enumerate(("有人冒充快递员打电话", "面单照片被发到网上")):
            complaint = Complaint(
                tenant_id=rt.tenant,
                complaint_id=f"C-SEAL-{i}",
                complainant_digest=bytes(16),
                kind="scam_call",
                waybills=json.dumps([]),
                created_at=now,
                updated_at=now,
                due_at=now + timedelta(days=7),
                appeal_deadline=date(2027, 12, 31),
            )
            sealer.seal_new(complaint, date(2027, 6, 1), f"1380013800{i}", text)
            if i == 0:
                sealer.seal_answer(complaint, "已核实并处理")
            session.add(complaint)


def seed_recordings(rt: Runtime, cli: Cli, tmp_path: Path) -> None:
    """Keep one call recording through the relay's sealing path."""
    call = CallRecord(
        tenant_id=rt.tenant,
        call_id="CA-SEAL",
        channel="voice",
        provider="huawei",
        status="completed",
        started_at=rt.clock.now(),
    )
    with rt.db.session() as session:
        made = recordings.keep(rt, session, "huawei", "seal.wav", call, b"RIFF-audio", "audio/wav")
    assert made is not None


SEEDERS: dict[str, Callable[[Runtime, Cli, Path], None]] = {
    "parties": seed_parties,
    "principals": seed_principals,
    "complaints": seed_complaints,
    "relay_recordings": seed_recordings,
}


def seed_every_table(rt: Runtime, cli: Cli, tmp_path: Path) -> None:
    """Run every seeder."""
    for seed in SEEDERS.values():
        seed(rt, cli, tmp_path)


def primary_key(row: Any) -> tuple[Any, ...]:
    """Return a row's primary key values."""
    return tuple(getattr(row, c.key) for c in row.__table__.primary_key.columns)
