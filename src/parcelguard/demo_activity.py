"""Demo activity: what makes the demo tenant's pages worth opening on the first visit.

Couriers reveal addresses and scan labels, one courier pokes at parcels that are not his (the
monitor raises alerts and suspends him), the demo recipient files two complaints (one
answered), canaries go to a few channels, and a leaked list of one courier's parcels is
written to the home folder for the leak trace. Everything goes through the same use cases as
production, so the audit log, the alerts and "who viewed my data" are the real ones.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from parcelguard.access import keys as access_keys
from parcelguard.access import service as access_service
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Actor
from parcelguard.complaints import service as complaints
from parcelguard.errors import ParcelGuardError
from parcelguard.forensics import service as forensics
from parcelguard.labels import scan
from parcelguard.labels import service as labels_service
from parcelguard.monitor import service as monitor_service
from parcelguard.pii.normalize import normalize_phone
from parcelguard.portal.sessions import caller_for as person_caller
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault import service as vault_service
from parcelguard.vault.reveal import reveal
from parcelguard.vault.synthetic import Faker

log = logging.getLogger("parcelguard.demo")
LEAK_FILE = "demo-leak.csv"
HANDLED = ("assigned", "out_for_delivery", "at_station", "delivered", "returned")
LEAKER = 2  # the courier (by position) whose parcels appear in the demo leak
PRYING = 4  # the courier who looks at other couriers' parcels
COMPLAINTS = (
    (
        "scam_call",
        "昨天有人自称快递员给我打电话，说包裹破损要理赔，让我报验证码。号码不是平时的派送号码。",
    ),
    ("leak", "最近总接到推销电话，对方能说出我的姓名和收货地址，怀疑是快递环节泄露了我的信息。"),
)
ANSWER = (
    "您好，我们已核查：该来电不是本公司快递员。请勿向任何人提供验证码。"
    "本包裹的派送号码可在“核实来电”页面查询。"
)


def run(
    rt: Runtime,
    staff: dict[str, list[str]],
    rows: Sequence[dict[str, str]],
    recipient_phone: str,
    service_key: str,
) -> Path:
    """Play the demo activity; return the path of the leaked list it wrote."""
    bus = monitor_service.install(rt, ensure_bus=True)  # alerts from here on
    couriers = staff["courier"]
    _reveals(rt, couriers, recipient_phone)
    _scans(rt, couriers)
    _prying(rt, couriers[PRYING], couriers)
    drain = getattr(rt.publisher, "drain", None)
    if bus is not None and callable(drain):
        drain(30.0)
    _complaints(rt, recipient_phone, staff["customer_service"][0])
    _canaries(rt, couriers, service_key)
    return _leak_file(rt, rows, couriers[LEAKER])


def _caller(rt: Runtime, principal_id: str) -> Caller:
    with rt.db.read_session() as session:
        principal = access_service.get_or_raise(session, rt.tenant, principal_id)
        return access_service.caller_for(principal, via="api_key")


def _out_for_delivery(rt: Runtime, courier: str) -> list[str]:
    with rt.db.read_session() as session:
        found = vault_service.list_for_courier(session, rt.tenant, courier, ("out_for_delivery",))
        return [s.waybill_no for s in found]


def _recipient_waybills(rt: Runtime, phone: str) -> set[str]:
    with rt.db.read_session() as session:
        ids = set(vault_service.shipment_ids_for_phone(rt, session, phone))
        return {
            s.waybill_no
            for s in (vault_service.get_by_id(session, rt.tenant, i) for i in ids)
            if s is not None
        }


def _reveals(rt: Runtime, couriers: list[str], recipient_phone: str) -> None:
    """Each courier reveals two addresses on the route, and the demo recipient's parcels."""
    theirs = _recipient_waybills(rt, recipient_phone)
    for courier in couriers:
        caller = _caller(rt, courier)
        route = _out_for_delivery(rt, courier)
        for waybill in [*route[:2], *[w for w in route[2:] if w in theirs]]:
            reveal(rt, caller, waybill, ["recipient.address"], "delivery")


def _scans(rt: Runtime, couriers: list[str]) -> None:
    """Print the labels of the first couriers' parcels; the courier and a stranger scan them."""
    for courier in couriers[:3]:
        route = _out_for_delivery(rt, courier)[:3]
        if not route:
            continue
        job = labels_service.PrintJob(route)
        with rt.db.session() as session:
            contents = labels_service.label_contents(rt, session, Actor(courier, "courier"), job)
        caller = _caller(rt, courier)
        for content in contents:
            token = content.qr_url.rsplit("/", 1)[-1]
            scan.scan(rt, caller, token, "192.0.2.10")
            scan.scan(rt, None, token, "198.51.100.7")


def _prying(rt: Runtime, prying: str, couriers: list[str]) -> None:
    """One courier asks for addresses of other couriers' parcels: refused, and alerted."""
    caller = _caller(rt, prying)
    others = [w for c in couriers if c != prying for w in _out_for_delivery(rt, c)[:2]]
    for waybill in others[:14]:
        # Refused by the policy, as it should be; the monitor sees every refusal.
        with contextlib.suppress(ParcelGuardError):
            reveal(rt, caller, waybill, ["recipient.address"], "delivery")


def _complaints(rt: Runtime, phone: str, agent: str) -> None:
    """File two complaints as the demo recipient; customer service answers the first."""
    normalized = normalize_phone(phone)
    if normalized is None:
        return
    digest = rt.keyring.index.digest(rt.tenant, "phone", normalized.e164)
    person = person_caller(digest)
    theirs = sorted(_recipient_waybills(rt, phone))
    filed = []
    for (kind, text), waybill in zip(COMPLAINTS, theirs[3:], strict=False):
        filed.append(complaints.file(rt, person, Sensitive(phone), kind, [waybill], text))
    if filed:
        complaints.answer(rt, Actor(agent, "customer_service"), filed[0]["id"], ANSWER)


def _canaries(rt: Runtime, couriers: list[str], service_key: str) -> None:
    """Give canaries to two couriers, both stations and the warehouse system's API key."""
    with rt.db.read_session() as session:
        stations = sorted(
            {
                p.station_id
                for p in access_service.list_principals(session, rt.tenant)
                if p.station_id
            }
        )
    parts = access_keys.split_key(service_key)
    channels: list[tuple[str, str]] = [("courier", couriers[0]), ("courier", couriers[-1])]
    channels += [("station", s) for s in stations]
    if parts is not None:
        channels.append(("api_key", parts[0]))
    operator = Actor("demo-seeder", "operator")
    for kind, channel in channels:
        forensics.seed_canaries(rt, operator, kind, channel, 1)


def _leak_file(rt: Runtime, rows: Sequence[dict[str, Any]], leaker: str) -> Path:
    """Write a leaked list: most of one courier's parcels and a few strangers (fictional)."""
    with rt.db.read_session() as session:
        held = vault_service.list_for_courier(session, rt.tenant, leaker, HANDLED)
        waybills = {s.waybill_no for s in held}
    leaked = [r for r in rows if r["waybill_no"] in waybills][:20]
    strangers = list(Faker(4242).rows(6))
    path = Path(rt.settings.home) / LEAK_FILE
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        os.chmod(path, 0o600)
        writer = csv.writer(fh)
        writer.writerow(["收货人", "联系手机", "收货地址", "备注"])
        for i, row in enumerate([*leaked, *strangers]):
            note = "回头客" if i % 3 == 0 else ""
            writer.writerow(
                [row["recipient_name"], row["recipient_phone"], row["recipient_address"], note]
            )
    return path
