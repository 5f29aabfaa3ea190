"""SIEM export: OCSF and CEF, a JSON-lines file, and rsyslog over TLS with a restart mid-stream."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from parcelguard.audit.service import SYSTEM, Actor, Entry, auditor_for
from parcelguard.siem import service
from parcelguard.siem.cef import to_cef
from parcelguard.siem.config import Destination, SiemConfig
from parcelguard.siem.ocsf import to_ocsf
from parcelguard.siem.record import Record, record_of
from parcelguard.siem.sinks import SyslogSink
from tests.siem.rsyslog import Receiver, receiver

OFFICER = Actor("P-officer", "security_officer")
COURIER = Actor("P-courier", "courier", "HZ-01")


def record_events(rt, count: int) -> None:
    """Write a realistic mix: sign-ins, reveals (one denied), account changes and an alert."""
    kinds = [
        (
            COURIER,
            Entry(
                "session.sign_in",
                "principal",
                COURIER.id,
                decision="allow",
                details={"method": "oidc"},
            ),
        ),
        (
            COURIER,
            Entry(
                "reveal",
                "shipment",
                "SF100",
                decision="allow",
                purpose="delivery",
                details={"fields": ["recipient.address"]},
            ),
        ),
        (
            COURIER,
            Entry(
                "reveal",
                "shipment",
                "SF101",
                decision="deny",
                reason="not_assigned",
                purpose="delivery",
            ),
        ),
        (OFFICER, Entry("principal.create", "principal", "P-new", details={"role": "courier"})),
        (
            SYSTEM,
            Entry(
                "monitor.alert",
                "incident",
                "I-1",
                reason="reveal_burst",
                details={"rule": "reveal_burst", "severity": "high", "principal_id": COURIER.id},
            ),
        ),
    ]
    with rt.db.session() as session:
        for i in range(count):
            actor, entry = kinds[i % len(kinds)]
            auditor_for(rt).record(session, actor, entry)


def configure(rt, *destinations: Destination, batch_size: int = 50) -> SiemConfig:
    config = SiemConfig(enabled=True, batch_size=batch_size, destinations=list(destinations))
    rt.settings.sections["siem"] = config.model_dump(mode="json")
    return config


def all_uids(rt) -> set[str]:
    from sqlalchemy import select

    from parcelguard.audit.models import AuditEvent

    with rt.db.session() as session:
        seqs = session.scalars(select(AuditEvent.seq).where(AuditEvent.tenant_id == rt.tenant))
        return {f"pg:{rt.tenant}:{s}" for s in seqs}


def test_ocsf_classes_for_authentication_data_access_api_and_alerts(rt) -> None:
    record_events(rt, 5)
    from sqlalchemy import select

    from parcelguard.audit.models import AuditEvent

    with rt.db.session() as session:
        events = [
            to_ocsf(record_of(e))
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        ]
    assert [(e["class_uid"], e["activity_id"], e["status_id"]) for e in events] == [
        (3002, 1, 1),  # Authentication: logon
        (6005, 2, 1),  # Datastore Activity: read (a reveal)
        (6005, 2, 2),  # a denied reveal: failure
        (6003, 1, 1),  # API Activity: create
        (2004, 1, 1),  # Detection Finding: the alert
    ]
    assert events[2]["status_detail"] == "not_assigned" and events[2]["severity_id"] == 3
    assert events[4]["severity_id"] == 4 and events[4]["finding_info"]["title"] == "reveal_burst"
    assert events[0]["type_uid"] == 300201 and events[0]["auth_protocol"] == "oidc"
    assert len({e["metadata"]["uid"] for e in events}) == 5


def test_cef_line_escapes_and_carries_the_stable_id(rt) -> None:
    record: Record = {
        "tenant_id": "t1",
        "seq": 7,
        "at": rt.clock.now(),
        "actor_id": "P|1",
        "actor_role": "courier",
        "station_id": None,
        "action": "reveal",
        "target_type": "shipment",
        "target_id": "SF=1",
        "decision": "deny",
        "reason": "a\\b",
        "purpose": None,
        "reference": None,
        "details": {"note": "x=y\nz"},
    }
    line = to_cef(record)
    assert line.startswith("CEF:0|ParcelGuard|ParcelGuard|")
    assert "|reveal|reveal|6|" in line
    assert "externalId=pg:t1:7" in line and "suser=P|1" in line
    assert "duser=SF\\=1" in line and "reason=a\\\\b" in line and "\n" not in line


def test_file_export_is_at_least_once_with_a_cursor_in_the_database(rt, tmp_path: Path) -> None:
    out = tmp_path / "siem" / "events.jsonl"
    dest = Destination(name="shipper", kind="file", path=out)
    configure(rt, dest, batch_size=4)
    record_events(rt, 10)
    first = service.export(rt, dest)
    assert (first.sent, first.last_seq, first.error) == (10, 10, None)
    assert service.cursor_of(rt, "shipper") == 10
    record_events(rt, 3)
    assert service.export(rt, dest).sent == 3  # only what is new
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["uid"] for line in lines] == [f"pg:t1:{s}" for s in range(1, 14)]
    assert lines[0]["event"]["metadata"]["uid"] == lines[0]["uid"]
    assert out.stat().st_mode & 0o777 == 0o600


def test_cli_exports_every_destination_as_cef(rt, cli, tmp_path: Path) -> None:
    out = tmp_path / "cef.jsonl"
    configure(rt, Destination(name="cef", kind="file", format="cef", path=out))
    record_events(rt, 5)
    answer = cli("siem", "export", "--json")
    assert answer.code == 0, answer.stdout
    assert answer.json["destinations"][0]["sent"] >= 5
    assert all(
        json.loads(line)["event"].startswith("CEF:0|") for line in out.read_text().splitlines()
    )


@pytest.fixture
def rsyslog(tmp_path: Path):
    receiver_ = receiver(tmp_path / "rsyslog")
    receiver_.start()
    yield receiver_
    receiver_.stop()


def syslog_destination(rsyslog: Receiver) -> Destination:
    return Destination(
        name="siem",
        kind="syslog",
        host="127.0.0.1",
        port=rsyslog.port,
        ca_file=rsyslog.ca,
        server_name="localhost",
        timeout_seconds=5,
    )


def received_uids(rsyslog: Receiver, expected: int, wait: float = 10) -> list[str]:
    deadline = time.monotonic() + wait
    while True:
        uids = [
            line.split('uid="', 1)[1].split('"', 1)[0]
            for line in rsyslog.lines()
            if 'uid="' in line
        ]
        if len(set(uids)) >= expected or time.monotonic() > deadline:
            return uids
        time.sleep(0.1)


@pytest.mark.slow
def test_syslog_over_tls_reaches_rsyslog(rt, rsyslog: Receiver) -> None:
    dest = syslog_destination(rsyslog)
    configure(rt, dest)
    record_events(rt, 12)
    assert service.export(rt, dest).sent == 12
    uids = received_uids(rsyslog, 12)
    assert sorted(uids) == sorted(all_uids(rt))
    line = rsyslog.lines()[0]
    assert line.startswith("<110>1 ") and " parcelguard - audit [pg@32473 " in line
    body = json.loads(line.split("\ufeff", 1)[1])
    assert body["class_uid"] == 3002 and body["metadata"]["uid"] == uids[0]
    alert = next(x for x in rsyslog.lines() if " alert [" in x)
    assert alert.startswith("<107>1 ")  # facility log audit, severity error for a high alert


class RestartingSink:
    """The real syslog sink, with the receiver restarted while batch 3 is on the wire."""

    def __init__(self, sink: SyslogSink, rsyslog: Receiver) -> None:
        self.sink, self.rsyslog, self.batches = sink, rsyslog, 0

    def deliver(self, records: list[Record]) -> None:
        self.batches += 1
        if self.batches == 3:
            stopper = threading.Thread(target=self.rsyslog.stop)
            stopper.start()
            try:
                time.sleep(0.05)
                self.sink.deliver(records)
            finally:
                stopper.join()
            return
        self.sink.deliver(records)


@pytest.mark.slow
def test_receiver_restart_mid_stream_loses_nothing(rt, rsyslog: Receiver) -> None:
    dest = syslog_destination(rsyslog)
    config = configure(rt, dest, batch_size=40)
    record_events(rt, 200)
    flaky = RestartingSink(SyslogSink(dest, config), rsyslog)
    first = service.export(rt, dest, sink=flaky)
    assert first.error == "siem_delivery_failed" and first.sent in (80, 120)
    assert service.cursor_of(rt, "siem") == first.sent  # only what the receiver confirmed

    rsyslog.start()  # the SIEM is back
    second = service.export(rt, dest)
    assert second.error is None and second.last_seq == 200
    uids = received_uids(rsyslog, 200)
    assert set(uids) == all_uids(rt)  # nothing lost
    duplicates = len(uids) - len(set(uids))
    assert duplicates <= 40  # at most the one cut batch, recognisable by its ids


def test_server_exporter_thread_delivers_new_events(rt, tmp_path: Path) -> None:
    from parcelguard.siem.runner import start_exporter

    out = tmp_path / "live.jsonl"
    configure_live = SiemConfig(
        enabled=True,
        interval_seconds=0.05,
        destinations=[Destination(name="live", kind="file", path=out)],
    )
    rt.settings.sections["siem"] = configure_live.model_dump(mode="json")
    exporter = start_exporter(rt)
    assert exporter is not None
    try:
        record_events(rt, 5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and service.cursor_of(rt, "live") < 5:
            time.sleep(0.05)
    finally:
        exporter.stop()
    assert len(out.read_text().splitlines()) == 5


def test_exporter_is_off_without_configuration(rt) -> None:
    from parcelguard.siem.runner import start_exporter

    assert start_exporter(rt) is None


def test_file_that_cannot_be_written_keeps_the_cursor(rt, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    dest = Destination(name="shipper", kind="file", path=blocked)  # a folder: the write fails
    configure(rt, dest)
    record_events(rt, 3)
    result = service.export(rt, dest)
    assert (result.sent, result.error) == (0, "siem_delivery_failed")
    assert service.cursor_of(rt, "shipper") == 0
