"""Trace end to end: the leaker ranks first with evidence, outside leaks accuse nobody, audited."""

from __future__ import annotations

import json
import random
from pathlib import Path

from sqlalchemy import select
from tests.forensics.conftest import Tenant, cli_json, leak_rows, outsiders, write_leak

from parcelguard.audit.models import AuditEvent
from parcelguard.runtime import Runtime


def insider_leak(tenant: Tenant, path: Path) -> Path:
    """25 records the busy agent revealed (5 masked), 8 outsiders, noise, in a shuffled order."""
    leaker = tenant.agents[0].principal_id
    mine = sorted(set(tenant.revealed[leaker]))[:25]
    people = [tenant.people[w] for w in mine]
    rows = leak_rows(people, masked=5) + leak_rows(outsiders(99, 8))
    rows += [{"note": "好评返现"}, {"note": "——"}, {"name": "", "phone": "12345"}]
    random.Random(5).shuffle(rows)
    return write_leak(path, rows, order=["address", "note", "phone", "name"], encoding="gb18030")


def test_the_leaking_agent_ranks_first_with_evidence(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    path = insider_leak(tenant, tmp_path / "leak.csv")
    document = cli_json(cli, "trace", str(path), "--report-dir", str(tmp_path / "out"))
    assert document["matched"] == 25 and document["unmatched"] == 8
    top = document["suspects"][0]
    assert top["principal_id"] == tenant.agents[0].principal_id
    assert top["accused"] and top["kind"] == "principal" and top["coverage"] == 1.0
    assert document["accused"] == [tenant.agents[0].principal_id]
    kinds = {e["type"] for e in top["evidence"]}
    assert {"coverage", "accesses", "peers", "events"} <= kinds
    reveals = next(e for e in top["evidence"] if e["type"] == "accesses")
    assert reveals["action"] == "reveal" and reveals["fields"] == ["recipient.phone"]
    events = next(e for e in top["evidence"] if e["type"] == "events")["events"]
    assert all(isinstance(e["seq"], int) and e["waybill"].startswith("PGT") for e in events)


def test_an_outside_leak_accuses_nobody(cli, tenant: Tenant, tmp_path: Path) -> None:
    ours = random.Random(8).sample(sorted(tenant.people), 40)
    rows = leak_rows([tenant.people[w] for w in ours]) + leak_rows(outsiders(77, 30))
    path = write_leak(tmp_path / "outside.csv", rows, order=["name", "phone", "address"])
    document = cli_json(cli, "trace", str(path))
    assert document["matched"] == 40
    assert document["accused"] == []
    assert all(not s["accused"] for s in document["suspects"])


def test_the_trace_is_audited_without_personal_data(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    path = insider_leak(tenant, tmp_path / "leak.csv")
    document = cli_json(cli, "trace", str(path))
    with rt.db.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "forensics.trace")
        ).one()
    details = json.loads(event.details)
    assert details["leak_id"] == document["leak_id"] and details["matched"] == 25
    leaked = [p.phone for p in tenant.people.values()] + [p.name for p in tenant.people.values()]
    assert not any(value in event.details for value in leaked)


def test_the_html_report_shows_masked_forms_only(cli, tenant: Tenant, tmp_path: Path) -> None:
    path = insider_leak(tenant, tmp_path / "leak.csv")
    out = tmp_path / "out"
    document = cli_json(cli, "trace", str(path), "--report-dir", str(out))
    html = (out / f"trace-{document['leak_id']}.html").read_text(encoding="utf-8")
    detailed = (out / f"trace-{document['leak_id']}.json").read_text(encoding="utf-8")
    assert "泄露溯源报告" in html and "Leak trace report" in html
    for person in list(tenant.people.values()) + outsiders(99, 8):
        for text in (html, detailed):
            assert person.phone not in text and person.name not in text
            assert person.address[-8:] not in text
    assert "******" in html


def test_records_seen_in_a_list_count_as_accessed(
    cli, rt: Runtime, tenant: Tenant, tmp_path: Path
) -> None:
    from parcelguard.audit.service import Actor, Entry, auditor_for

    clerk = Actor("clerk-lists", "station_clerk", "S-HZ")
    listed = sorted(tenant.people)[100:140]
    with rt.db.session() as session:
        for page in (listed[:20], listed[20:]):
            details = {"waybills": page, "page": 1}
            auditor_for(rt).record(
                session, clerk, Entry("shipment.list", "shipments", None, details=details)
            )
    rows = leak_rows([tenant.people[w] for w in listed[:30]])
    document = cli_json(
        cli, "trace", str(write_leak(tmp_path / "l.csv", rows, order=["name", "phone", "address"]))
    )
    top = document["suspects"][0]
    assert top["principal_id"] == "clerk-lists" and top["covered"] == 30 and top["accused"]
    listing = next(e for e in top["evidence"] if e["type"] == "accesses")
    assert listing["action"] == "shipment.list" and listing["count"] == 30
