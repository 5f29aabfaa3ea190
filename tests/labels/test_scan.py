"""The scan landing page `/s/{token}`: strangers learn nothing personal, couriers go on to the
reveal flow, other staff are refused, dead tokens get one neutral 404, every scan is audited."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

import pytest

from parcelguard.access import sessions
from parcelguard.audit.service import SYSTEM
from parcelguard.labels import service
from parcelguard.labels.api import ScanPathFilter


@pytest.fixture
def scan_path(rt, imported) -> str:
    """Print one label of the first imported shipment; return its QR URL's path."""
    with rt.db.session() as session:
        job = service.PrintJob([imported[0]["waybill_no"]])
        (content,) = service.label_contents(rt, session, SYSTEM, job)
    return urlsplit(content.qr_url).path


def _personal_values(cli, row: dict[str, str]) -> list[str]:
    shown = cli("show", row["waybill_no"], "--json").json
    values = []
    for role in ("recipient", "sender"):
        values += [row[f"{role}_name"], row[f"{role}_phone"], row[f"{role}_address"]]
        values += [shown[role]["name"], shown[role]["phone"], shown[role]["address"]]
        values += [row[f"{role}_phone"][-4:], shown[role]["region"]["district"]]
    return values


def test_a_stranger_sees_protection_carrier_and_status_and_nothing_personal(
    cli, client, imported, scan_path: str, audit_log
) -> None:
    page = client.get(scan_path)
    assert page.status_code == 200
    assert "受包裹隐私卫士保护" in page.text and "联系快递员" in page.text
    assert imported[0]["carrier"] in page.text and "运输中" in page.text
    for value in _personal_values(cli, imported[0]):
        assert value not in page.text
    assert imported[0]["waybill_no"] not in page.text
    assert "*" not in re.sub(r"<[^>]+>", "", page.text)  # not even a masked form
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    assert "noindex" in page.headers["x-robots-tag"]
    (event,) = audit_log("label.scan")
    assert event["actor_id"] == "anonymous" and event["actor_role"] == "anonymous"
    details = event["details"]
    assert details["outcome"] == "anonymous" and details["waybill"] == imported[0]["waybill_no"]
    assert re.fullmatch(r"[0-9a-f]{12}", details["token_ref"])
    assert re.fullmatch(r"[0-9a-f]{16}", details["ip_digest"])
    token = scan_path.rsplit("/", 1)[1]
    assert token not in str(details) and "testclient" not in str(details)


def test_the_page_speaks_english_on_request(client, scan_path: str) -> None:
    page = client.get(scan_path, params={"lang": "en"})
    assert "This parcel is protected by ParcelGuard" in page.text and "In transit" in page.text


def test_the_assigned_courier_goes_on_to_the_reveal_flow(
    cli, client, imported, scan_path: str, add_user, audit_log
) -> None:
    waybill = imported[0]["waybill_no"]
    courier, key = add_user("courier")
    cli("event", waybill, "assigned", "--courier", courier, "--json")
    cli("event", waybill, "out_for_delivery", "--json")
    page = client.get(scan_path, headers={"Authorization": f"Bearer {key}"})
    assert page.status_code == 200
    assert f'href="/console?reveal={waybill}"' in page.text and "派送中" in page.text
    for value in _personal_values(cli, imported[0]):
        assert value not in page.text
    (event,) = audit_log("label.scan")
    assert event["actor_id"] == courier and event["details"]["outcome"] == "assigned_courier"


def test_a_signed_in_browser_session_counts_as_the_courier(
    rt, cli, client, imported, scan_path: str, add_user, audit_log
) -> None:
    courier, _key = add_user("courier")
    cli("event", imported[0]["waybill_no"], "assigned", "--courier", courier, "--json")
    with rt.db.session() as session:
        opened = sessions.open_session(rt, session, courier, "courier", step_up_at=None)
    client.cookies.set("pg_session", opened.token)
    page = client.get(scan_path)
    assert page.status_code == 200 and "/console?reveal=" in page.text
    assert audit_log("label.scan")[0]["details"]["via"] == "session"


@pytest.mark.parametrize("role", ["courier", "station_clerk", "customer_service", "admin"])
def test_staff_not_assigned_to_the_parcel_are_refused(
    cli, client, imported, scan_path: str, add_user, audit_log, role: str
) -> None:
    waybill = imported[0]["waybill_no"]
    somebody_else, _ = add_user("courier")
    cli("event", waybill, "assigned", "--courier", somebody_else, "--json")
    principal, key = add_user(role, **({"station": "st1"} if role == "station_clerk" else {}))
    page = client.get(scan_path, headers={"Authorization": f"Bearer {key}"})
    assert page.status_code == 403 and "未分配给您" in page.text
    assert "/console?reveal=" not in page.text and waybill not in page.text
    (event,) = audit_log("label.scan")
    assert event["actor_id"] == principal and event["details"]["outcome"] == "staff_not_assigned"


def test_a_bad_bearer_key_is_a_stranger(client, scan_path: str, audit_log) -> None:
    page = client.get(scan_path, headers={"Authorization": "Bearer pg_nope_nope"})
    assert page.status_code == 200 and "受包裹隐私卫士保护" in page.text
    assert audit_log("label.scan")[0]["details"]["outcome"] == "anonymous"


def test_unknown_revoked_and_expired_tokens_get_the_same_neutral_404(
    cli, rt, client, imported, scan_path: str, audit_log
) -> None:
    waybill = imported[0]["waybill_no"]
    unknown = client.get("/s/" + "A" * 22)
    malformed = client.get("/s/short")
    assert cli("labels", "revoke", waybill, "--json").json == {"revoked": 1}
    revoked = client.get(scan_path)
    with rt.db.session() as session:
        job = service.PrintJob([imported[1]["waybill_no"]])
        (content,) = service.label_contents(rt, session, SYSTEM, job)
    other = imported[1]["waybill_no"]
    cli("event", other, "at_station", "--station", "st1", "--json")
    cli("event", other, "delivered", "--reason", "handed_in_person", "--json")
    rt.clock.advance(days=8)
    expired = client.get(urlsplit(content.qr_url).path)
    pages = [unknown, malformed, revoked, expired]
    assert [p.status_code for p in pages] == [404] * 4
    assert len({p.text for p in pages}) == 1 and "无效或已失效" in unknown.text
    assert waybill not in revoked.text
    outcomes = [e["details"]["outcome"] for e in audit_log("label.scan")]
    assert outcomes == ["unknown", "unknown", "revoked", "expired"]
    refs = [e["details"]["token_ref"] for e in audit_log("label.scan")]
    assert refs[1] == "malformed" and all(len(r) == 12 for r in refs[:1] + refs[2:])


def test_scans_are_rate_limited_per_client_and_a_flood_is_audited_once(
    rt, client, scan_path: str, audit_log
) -> None:
    rt.settings.sections["ratelimit"] = {"limits": {"label_scan": {"limit": 3, "window": 60}}}
    statuses = [client.get(scan_path).status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]
    outcomes = [e["details"]["outcome"] for e in audit_log("label.scan")]
    assert outcomes == ["anonymous"] * 3 + ["rate_limited"]


def test_the_access_log_never_holds_a_token() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("203.0.113.7:5000", "GET", "/s/abcdefghijklmnopqrstuv", "1.1", 200),
        None,
    )
    assert ScanPathFilter().filter(record)
    assert "abcdefghij" not in record.getMessage() and "/s/…" in record.getMessage()
