"""Canaries: seeded per channel, hidden from normal views and labels, named with certainty."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.forensics.conftest import Person, Tenant, cli_json, leak_rows, outsiders, write_leak

from parcelguard.assembly import install
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import Actor
from parcelguard.errors import Denied
from parcelguard.forensics import canaries
from parcelguard.forensics.models import Canary
from parcelguard.runtime import Runtime
from parcelguard.vault import service as vault_service


def canary_person(rt: Runtime, canary_id: str) -> Person:
    """Open a canary's recipient (the test plays the leaker who copied it)."""
    with rt.db.session() as session:
        canary = session.get(Canary, (rt.tenant, canary_id))
        assert canary is not None
        shipment = vault_service.get_or_raise(session, rt.tenant, canary.waybill_no)
        opened = vault_service.open_fields(
            rt,
            session,
            shipment,
            [("recipient", "name"), ("recipient", "phone"), ("recipient", "address")],
        )
    values = {field: value.reveal() for (_role, field), value in opened.items()}
    return Person(values["name"], values["phone"], values["address"], canary.waybill_no)


def events(rt: Runtime, action: str) -> list[dict]:
    with rt.db.session() as session:
        found = session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        )
        return [json.loads(e.details) for e in found]


def test_a_courier_canary_is_assigned_to_that_courier_and_audited(
    cli, rt: Runtime, tenant: Tenant
) -> None:
    courier = tenant.couriers["3301"][0]
    made = cli_json(cli, "canaries", "seed", "--courier", courier, "--count", "2")["canaries"]
    assert [c["channel"] for c in made] == [f"courier:{courier}"] * 2
    assert all(c["phone"].count("*") >= 6 and c["number_source"] == "range" for c in made)
    with rt.db.session() as session:
        shipment = vault_service.get_or_raise(session, rt.tenant, made[0]["waybill_no"])
        assert (shipment.kind, shipment.courier_id, shipment.status) == (
            "canary",
            courier,
            "assigned",
        )
    seeded = events(rt, "forensics.canary_seed")
    assert [e["channel"] for e in seeded] == [f"courier:{courier}"] * 2
    person = canary_person(rt, made[0]["canary_id"])
    assert person.phone.startswith("17499") and person.address[:2] in ("浙江", "江苏")
    listed = cli_json(cli, "canaries", "list")["canaries"]
    assert {c["canary_id"] for c in listed} == {c["canary_id"] for c in made}


def test_canaries_stay_out_of_find_and_labels(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    made = cli_json(cli, "canaries", "seed", "--station", "S-HZ")["canaries"][0]
    person = canary_person(rt, made["canary_id"])
    assert cli_json(cli, "find", "--phone", person.phone)["waybills"] == []
    label = cli("label", made["waybill_no"], "--out", str(tmp_path / "l.pdf"), "--json")
    assert label.code != 0 and not (tmp_path / "l.pdf").exists()


def test_a_canary_in_a_leak_names_its_channel_with_certainty(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    courier = tenant.couriers["3201"][1]
    made = cli_json(cli, "canaries", "seed", "--courier", courier)["canaries"][0]
    person = canary_person(rt, made["canary_id"])
    ours = [tenant.people[w] for w in sorted(tenant.people)[:6]]
    rows = leak_rows([*ours, person]) + leak_rows(outsiders(5, 4))
    document = cli_json(
        cli, "trace", str(write_leak(tmp_path / "l.csv", rows, order=["phone", "name", "address"]))
    )
    assert document["canaries"][0]["channel"] == f"courier:{courier}"
    assert document["canaries"][0]["principal_id"] == courier
    top = document["suspects"][0]
    assert top["certain"] and top["accused"] and top["principal_id"] == courier
    assert _alert_for(cli, courier)
    hit = events(rt, "forensics.canary_hit")
    assert hit == [
        {
            "canary_id": made["canary_id"],
            "channel": f"courier:{courier}",
            "principal_id": courier,
            "leak_id": document["leak_id"],
        }
    ]


def _alert_for(cli, principal_id: str) -> bool:
    """Wait for the monitor (on the in-process bus) to raise the canary alert."""
    for _ in range(50):
        alerts = cli_json(cli, "alerts")["alerts"]
        if any(
            a.get("rule") == "canary_hit" and a.get("principal_id") == principal_id for a in alerts
        ):
            return True
        time.sleep(0.1)
    return False


def test_a_masked_canary_still_hits_and_a_retired_one_too(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    key_id = tenant.service[2]
    made = cli_json(cli, "canaries", "seed", "--api-key", key_id)["canaries"][0]
    assert made["principal_id"] == tenant.service[0]
    person = canary_person(rt, made["canary_id"])
    with rt.db.session() as session:
        assert canaries.visible_to(session, rt.tenant, tenant.service[0]) == [made["waybill_no"]]
    rotated = cli_json(cli, "canaries", "rotate")
    assert rotated["retired"] == [made["canary_id"]] and len(rotated["seeded"]) == 1
    with rt.db.session() as session:
        assert vault_service.get_or_raise(session, rt.tenant, made["waybill_no"]).status == "purged"
    rows = leak_rows([person], masked=1)
    document = cli_json(
        cli, "trace", str(write_leak(tmp_path / "l.csv", rows, order=["name", "address", "phone"]))
    )
    assert [c["canary_id"] for c in document["canaries"]] == [made["canary_id"]]
    assert document["canaries"][0]["channel"] == f"api_key:{key_id}"


def test_a_namesake_without_the_number_is_no_canary_hit(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    made = cli_json(cli, "canaries", "seed", "--station", "S-NJ")["canaries"][0]
    person = canary_person(rt, made["canary_id"])
    namesake = Person(person.name, "13912340000", person.address)
    document = cli_json(
        cli,
        "trace",
        str(
            write_leak(
                tmp_path / "l.csv", leak_rows([namesake]), order=["name", "phone", "address"]
            )
        ),
    )
    assert document["canaries"] == []


def test_a_canary_number_from_the_relay_pool_is_reserved_and_a_call_names_it(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    pool = tmp_path / "pool.csv"
    pool.write_text("number,city\n17012345601,\n17012345602,\n", encoding="utf-8")
    assert cli("relay", "pool", "import", str(pool), "--json").code == 0
    install(rt)
    made = cli_json(cli, "canaries", "seed", "--station", "S-HZ")["canaries"][0]
    assert made["number_source"] == "relay"
    person = canary_person(rt, made["canary_id"])
    assert person.phone in ("17012345601", "17012345602")
    status = cli_json(cli, "relay", "pool", "status")
    assert status["reserved"] == 1
    cli("relay", "simulate", "--from", "13600000000", "--to", person.phone, "--json")
    hits = events(rt, "relay.canary_hit")
    assert (
        hits
        and hits[-1]["canary_id"] == made["canary_id"]
        and hits[-1]["channel_kind"] == "station"
    )


def test_only_security_officers_work_with_canaries(rt: Runtime, tenant: Tenant) -> None:
    with rt.db.session() as session, pytest.raises(Denied):
        channel = canaries.resolve_channel(session, rt.tenant, "station", "S-HZ")
        canaries.seed(rt, session, Actor("x", "admin"), channel)
