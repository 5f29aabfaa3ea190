"""1,000 concurrent bind requests on PostgreSQL: never one number for two active bindings of
the same party, never two active bindings for one parcel, and an audit chain that verifies."""

from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from parcelguard.audit import service as audit
from parcelguard.audit.service import SYSTEM
from parcelguard.relay import service
from parcelguard.relay.models import Binding, Seat
from parcelguard.relay.pool import PoolExhausted
from parcelguard.runtime import Runtime
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Faker
from tests.relay.conftest import add_courier, add_numbers, configure, pool_numbers

PARCELS = 1000
COURIERS = 10  # 100 parcels each: every courier needs 100 distinct numbers
RECIPIENTS = 200  # 5 parcels each
NUMBERS = 130
THREADS = 16


def seed(rt: Runtime) -> list[str]:
    configure(rt)
    faker = Faker(99)
    phones = [faker.mobile() for _ in range(RECIPIENTS)]
    rows = list(faker.rows(PARCELS, prefix="CC"))
    for i, row in enumerate(rows):
        row["recipient_phone"] = phones[i % RECIPIENTS]
    report = import_shipments(rt, SYSTEM, (RawRow(i + 2, r) for i, r in enumerate(rows)))
    assert report.imported == PARCELS
    couriers = [add_courier(rt, f"快递员{i}", f"1390000{i:04d}") for i in range(COURIERS)]
    with rt.db.session() as session:
        session.execute(
            text(
                "UPDATE shipments SET courier_id = :courier, status = 'assigned' "
                "WHERE tenant_id = :tenant AND waybill_no = :waybill"
            ),
            [
                {
                    "courier": couriers[i % COURIERS].id,
                    "tenant": rt.tenant,
                    "waybill": r["waybill_no"],
                }
                for i, r in enumerate(rows)
            ],
        )
    add_numbers(rt, pool_numbers(NUMBERS, start=7000))
    return [r["waybill_no"] for r in rows]


@pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_thousand_concurrent_binds_never_share_a_party_on_one_number(rt: Runtime) -> None:
    waybills = seed(rt)
    requests = waybills + random.Random(5).sample(waybills, 100)  # some parcels twice at once
    random.Random(7).shuffle(requests)

    def bind(waybill: str) -> tuple[str, str | None]:
        try:
            return waybill, service.bind_waybill(rt, SYSTEM, waybill)["binding_id"]
        except PoolExhausted:
            return waybill, None

    with ThreadPoolExecutor(THREADS) as executor:
        outcomes = list(executor.map(bind, requests))

    made = {w: b for w, b in outcomes if b is not None}
    exhausted = sum(1 for _, b in outcomes if b is None)
    print(f"bound {len(made)} parcels; {exhausted} requests found the pool exhausted")
    assert len(made) >= 0.95 * PARCELS, f"{exhausted} requests found the pool exhausted"
    with rt.db.session() as session:
        active = list(
            session.scalars(
                select(Binding).where(Binding.status == "active", Binding.tenant_id == rt.tenant)
            )
        )
        seats = list(session.scalars(select(Seat).where(Seat.until.is_(None))))
    chain = audit.verify(rt)
    # One active binding per parcel, even for the parcels asked for twice at once.
    assert len(active) == len(made) == len({b.shipment_id for b in active})
    # For each number, at most one active binding per party, whatever its role.
    parties = Counter((b.number_id, b.a_ref) for b in active) + Counter(
        (b.number_id, b.b_ref) for b in active
    )
    assert max(parties.values()) == 1
    assert {(s.number_id, s.party_ref) for s in seats} == set(parties)
    per_courier = Counter(b.courier_id for b in active)
    assert max(per_courier.values()) <= 100
    assert chain.ok, chain.reason
    with rt.db.session() as session:
        used = session.scalar(select(func.count(func.distinct(Binding.number_id))))
    assert used is not None and used <= NUMBERS
