"""`parcelguard doctor`: passes on the default, fails on each deliberately weakened setting."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from parcelguard.app import create_app
from parcelguard.audit.models import AuditEvent
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.doctor.check import Check, DoctorContext, Finding
from parcelguard.doctor.registry import BUILTIN, CHECKS, Registry
from parcelguard.doctor.schedule import DoctorSchedule, start_schedule
from parcelguard.doctor.service import examine
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv
from tests.hardening.conftest import bearer


def doctor(cli) -> tuple[int, dict[str, dict]]:
    result = cli("doctor", "--json")
    report = result.json
    assert set(report) >= {"ok", "checks"}
    assert report["ok"] == (result.code == 0)
    assert all(set(c) == {"name", "status", "detail"} for c in report["checks"])
    return result.code, {c["name"]: c for c in report["checks"]}


def status(cli, name: str) -> str:
    return doctor(cli)[1][name]["status"]


def add(cli, role: str, *extra: str) -> dict:
    made = cli("users", "add", "--name", f"测试{role}", "--role", role, "--json", *extra)
    assert made.code == 0, made.stdout
    return made.json


def events(rt: Runtime, n: int) -> None:
    for i in range(n):
        with rt.db.session() as session:
            auditor_for(rt).record(
                session, Actor("p1", "courier"), Entry("reveal", "shipment", f"s{i}")
            )


@pytest.fixture
def ready(cli) -> None:
    add(cli, "admin", "--trained-until", "2027-12-31")


def test_default_deployment_passes(cli, ready) -> None:
    code, checks = doctor(cli)
    assert code == 0
    assert [c for c in checks.values() if c["status"] == "fail"] == []
    assert list(checks) == [cls.name for cls in BUILTIN]
    assert checks["keyring.permissions"]["status"] == "pass"
    assert checks["audit.chain"]["status"] == "pass"


def test_world_readable_keyring_fails(cli, rt: Runtime, ready) -> None:
    os.chmod(rt.settings.keyring_path, 0o644)
    try:
        code, checks = doctor(cli)
    finally:
        os.chmod(rt.settings.keyring_path, 0o600)
    assert code == 1
    assert checks["keyring.permissions"]["status"] == "fail"
    assert "chmod 600" in checks["keyring.permissions"]["detail"]


def test_demo_mode_fails(cli, rt: Runtime, ready) -> None:
    rt.settings.demo_mode = True
    code, checks = doctor(cli)
    assert code == 1 and checks["keyring.development"]["status"] == "fail"


def test_development_keys_fail_in_production_only(cli, rt: Runtime, ready) -> None:
    rt.keyring._data["development"] = True  # as a demo home's keyring says
    assert status(cli, "keyring.development") == "warn"
    rt.settings.environment = "production"
    assert status(cli, "keyring.development") == "fail"


def test_production_needs_tls_secure_cookies_and_hsts(cli, rt: Runtime, ready) -> None:
    rt.settings.environment = "production"
    code, checks = doctor(cli)
    assert code == 1
    detail = checks["transport.tls"]["detail"]
    assert "not https" in detail and "secure_cookies" in detail and "hsts" in detail
    assert checks["keyring.provider"]["status"] == "warn"  # a local key file in production
    rt.settings.base_url, rt.settings.secure_cookies, rt.settings.hsts = (
        "https://pg.example",
        True,
        True,
    )
    assert status(cli, "transport.tls") == "pass"


def test_stale_checkpoint_fails_until_signed(cli, rt: Runtime, clock, ready) -> None:
    events(rt, 3)  # the first append signs a checkpoint; the next two wait for the next one
    clock.advance(minutes=rt.settings.audit_checkpoint_minutes * 3 + 1)
    code, checks = doctor(cli)
    assert code == 1 and checks["audit.checkpoint"]["status"] == "fail"
    assert "parcelguard audit checkpoint" in checks["audit.checkpoint"]["detail"]
    assert cli("audit", "checkpoint", "--json").json["signed"] is True
    assert status(cli, "audit.checkpoint") == "pass"


def test_tampered_audit_log_fails(cli, rt: Runtime, ready) -> None:
    events(rt, 5)
    with rt.db.session() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(action="hidden"))
    code, checks = doctor(cli)
    assert code == 1
    assert checks["audit.chain"]["status"] == "fail"
    assert "event 3" in checks["audit.chain"]["detail"]


def test_readable_database_file_fails(cli, rt: Runtime, ready) -> None:
    db = Path(rt.db.engine.url.database or "")
    os.chmod(db, 0o644)
    code, checks = doctor(cli)
    assert code == 1 and checks["storage.permissions"]["status"] == "fail"
    assert str(db) in checks["storage.permissions"]["detail"]


def test_readable_home_fails(cli, rt: Runtime, ready) -> None:
    os.chmod(rt.settings.home, 0o755)  # noqa: S103 - deliberately weakened
    assert status(cli, "storage.permissions") == "fail"


def test_old_kek_is_due_for_rotation(cli, clock, ready) -> None:
    # KEK versions are stamped with the wall clock when made.
    clock.set(datetime.now(UTC) + timedelta(days=400))
    assert status(cli, "keys.kek_age") == "warn"
    assert cli("keys", "rotate", "--json").code == 0
    clock.set(datetime.now(UTC))
    assert status(cli, "keys.kek_age") == "pass"


def test_retention_backlog_warns_then_fails(cli, clock, tmp_path: Path, ready) -> None:
    rows = list(Faker(8).rows(3))
    assert cli("import", str(write_csv(tmp_path / "s.csv", rows)), "--json").code == 0
    clock.advance(days=181)  # undelivered parcels are kept 180 days
    assert status(cli, "retention.backlog") == "warn"
    clock.advance(days=2)
    code, checks = doctor(cli)
    assert code == 1 and checks["retention.backlog"]["status"] == "fail"
    assert cli("purge", "--json").code == 0
    assert status(cli, "retention.backlog") == "pass"


def test_dormant_privileged_account_warns(cli, rt: Runtime, clock, ready) -> None:
    admin = add(cli, "admin", "--trained-until", "2027-12-31")["id"]
    clock.advance(days=91)
    _, checks = doctor(cli)
    assert checks["access.dormant_privileged"]["status"] == "warn"
    assert "2 admin" in checks["access.dormant_privileged"]["detail"]
    assert admin in checks["access.dormant_privileged"]["detail"]
    with rt.db.session() as session:  # e.g. a passkey sign-in: audited, no key touched
        auditor_for(rt).record(session, Actor(admin, "admin"), Entry("auth.sign_in", "principal"))
    _, checks = doctor(cli)
    assert "1 admin" in checks["access.dormant_privileged"]["detail"]
    assert admin not in checks["access.dormant_privileged"]["detail"]


def test_untrained_staff_warns(cli, ready) -> None:
    add(cli, "courier")
    add(cli, "customer_service", "--trained-until", "2020-01-01")
    _, checks = doctor(cli)
    assert checks["access.training"]["status"] == "warn"
    assert "courier 1" in checks["access.training"]["detail"]
    assert "customer_service 1" in checks["access.training"]["detail"]


def test_admin_count(cli) -> None:
    assert status(cli, "access.admins") == "warn"  # a fresh home: nobody yet
    add(cli, "courier", "--trained-until", "2027-12-31")
    assert status(cli, "access.admins") == "fail"
    for _ in range(6):
        add(cli, "admin")
    assert status(cli, "access.admins") == "warn"


def test_open_high_alerts_fail_and_a_missing_monitor_warns(cli, monkeypatch, ready) -> None:
    import parcelguard.monitor.service as monitor

    monkeypatch.setattr(monitor, "open_counts", lambda session, tenant: {"high": 2, "low": 1})
    assert status(cli, "monitor.open_alerts") == "fail"
    monkeypatch.setattr(monitor, "open_counts", lambda session, tenant: {"medium": 3})
    assert status(cli, "monitor.open_alerts") == "pass"
    monkeypatch.delattr(monitor, "open_counts")
    checks = doctor(cli)[1]
    assert checks["monitor.open_alerts"]["status"] == "warn"
    assert checks["monitor.open_alerts"]["detail"].startswith("not installed")


def test_outbox_lag_warns_when_nats_is_configured(cli, rt: Runtime, ready) -> None:
    rt.settings.nats_url = "nats://127.0.0.1:1"
    rt.settings.sections["doctor"] = {"outbox_max_lag": 2}
    events(rt, 3)
    assert status(cli, "audit.outbox") == "warn"
    events(rt, 20)
    assert status(cli, "audit.outbox") == "fail"


class Exploding(Check):
    name = "test.exploding"

    def run(self, ctx: DoctorContext) -> Finding:
        raise RuntimeError("secret 13812345678")


class Fine(Check):
    name = "test.fine"

    def run(self, ctx: DoctorContext) -> Finding:
        return self.passed("fine")


def exploding(_rt: Runtime) -> Check:
    return Exploding()


def fine(_rt: Runtime) -> Check:
    return Fine()


def test_plugins_register_and_a_crashing_check_is_a_failure(rt: Runtime, ready) -> None:
    rt.hooks.subscribe(CHECKS, exploding)
    rt.hooks.subscribe(CHECKS, fine)
    rt.hooks.subscribe(CHECKS, fine)  # subscribing twice keeps one
    report = examine(rt)
    found = {f.name: f for f in report.findings}
    assert found["test.fine"].status == "pass"
    assert found["test.exploding"].status == "fail"
    assert found["test.exploding"].detail == "could not run: RuntimeError"
    assert not report.ok and report.failing() == ["test.exploding"]
    with pytest.raises(ValueError):
        Registry([Fine(), Fine()])


def test_api_for_admins_and_officers_only(cli, rt: Runtime, ready) -> None:
    client = TestClient(create_app(rt))
    admin = add(cli, "admin", "--trained-until", "2027-12-31")["api_key"]
    officer = add(cli, "security_officer", "--trained-until", "2027-12-31")["api_key"]
    courier = add(cli, "courier", "--trained-until", "2027-12-31")["api_key"]
    for key in (admin, officer):
        answer = client.get("/api/v1/doctor", headers=bearer(key))
        assert answer.status_code == 200
        assert answer.json()["ok"] is True
        assert {c["name"] for c in answer.json()["checks"]} >= {
            "audit.chain",
            "keyring.permissions",
        }
    assert client.get("/api/v1/doctor", headers=bearer(courier)).status_code == 403
    assert client.get("/api/v1/doctor").status_code == 401


def test_scheduled_run_audits_failures_once_and_signs_checkpoints(
    cli, rt: Runtime, clock, ready
) -> None:
    events(rt, 3)
    clock.advance(minutes=rt.settings.audit_checkpoint_minutes + 1)
    rt.settings.demo_mode = True  # a failing configuration
    schedule = DoctorSchedule(rt, interval_s=3600)
    report = schedule.run_once()
    assert report.failing() == ["keyring.development"]  # the checkpoint was signed first
    schedule.run_once()
    failed = cli("audit", "log", "--action", "doctor.failed", "--json").json["events"]
    assert len(failed) == 1
    assert failed[0]["details"]["checks"] == ["keyring.development"]
    assert failed[0]["actor_id"] == "doctor"
    clock.advance(hours=1)
    schedule.run_once()
    assert len(cli("audit", "log", "--action", "doctor.failed", "--json").json["events"]) == 2


def test_schedule_thread_runs_and_stops(rt: Runtime, ready) -> None:
    rt.settings.sections["doctor"] = {"interval_minutes": 60, "first_run_seconds": 0}
    schedule = start_schedule(rt)
    assert schedule is not None
    try:
        deadline = time.monotonic() + 20
        while schedule.last is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert schedule.last is not None and schedule.last.ok
    finally:
        schedule.stop()
    again = start_schedule(rt)  # a stopped schedule is replaced, not reused
    assert again is not None and again is not schedule
    again.stop()
    rt.settings.sections["doctor"] = {"interval_minutes": 0}
    assert start_schedule(rt) is None


def test_findings_never_hold_pii(cli, rt: Runtime, tmp_path: Path, clock, ready) -> None:
    rows = list(Faker(9).rows(2))
    cli("import", str(write_csv(tmp_path / "s.csv", rows)), "--json")
    add(cli, "courier")
    clock.advance(days=400)
    text = cli("doctor", "--json").stdout
    for row in rows:
        for field in ("recipient_phone", "recipient_name", "sender_id_no", "sender_address"):
            assert row.get(field, "\0") not in text
    assert "测试courier" not in text
