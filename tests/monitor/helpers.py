"""Builders for monitor tests: replay lines, engines with chosen rules, days of history."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

from parcelguard.clock import CHINA
from parcelguard.monitor.config import MonitorConfig
from parcelguard.monitor.detectors.base import Finding
from parcelguard.monitor.detectors.registry import RULES
from parcelguard.monitor.engine import Engine
from parcelguard.monitor.events import from_replay

DAY0 = datetime(2026, 9, 1, tzinfo=CHINA)  # a Tuesday
NATS_URL = "nats://127.0.0.1:4222"


async def _publish(tenant: str, payloads: list[dict[str, Any]], msg_id_suffix: str) -> None:
    import nats

    from parcelguard.audit.nats_outbox import ensure_stream, subject_for

    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    await ensure_stream(js)
    for p in payloads:
        headers = {"Nats-Msg-Id": f"{tenant}:{p['seq']}{msg_id_suffix}"}
        await js.publish(subject_for(tenant), json.dumps(p).encode(), headers=headers)
    await nc.close()


def publish(tenant: str, payloads: list[dict[str, Any]], msg_id_suffix: str = "") -> None:
    """Publish audit-event payloads to the real JetStream as the outbox would (message ids)."""
    asyncio.run(_publish(tenant, payloads, msg_id_suffix))


def line(at: datetime, action: str = "reveal", pid: str = "c1", **extra: Any) -> dict[str, Any]:
    """Return one replay line (defaults: a courier revealing an assigned parcel)."""
    base: dict[str, Any] = {
        "at": at.isoformat(),
        "principal_id": pid,
        "role": "courier",
        "station_id": "st1",
        "action": action,
        "waybill_no": "PG000000000001",
        "fields": ["recipient.address"],
        "outcome": "allowed",
        "assigned": True,
    }
    base.update(extra)
    return base


def config(*enabled: str, **rules: dict[str, Any]) -> MonitorConfig:
    """Return a config with only the named rules on (their tables from `rules`)."""
    tables: dict[str, dict[str, Any]] = {rule: {"enabled": rule in enabled} for rule in RULES}
    for rule, values in rules.items():
        tables[rule] = {**tables[rule], **values}
    return MonitorConfig.model_validate({"rules": tables})


def run(lines: list[dict[str, Any]], cfg: MonitorConfig, *, repeats: bool = False) -> list[Finding]:
    """Feed lines (sorted by time) through a fresh engine; return its findings."""
    engine = Engine(cfg)
    found: list[Finding] = []
    for item in sorted(lines, key=lambda x: x["at"]):
        event = from_replay(json.loads(json.dumps(item)))
        assert event is not None
        found.extend(engine.feed(event))
    found.extend(engine.flush())
    return [f for f in found if repeats or not f.repeat]


def workdays(
    days: int, pid: str = "c1", per_day: int = 20, start_hour: int = 9, hours: int = 8, **extra: Any
) -> list[dict[str, Any]]:
    """Return `days` days of ordinary work: `per_day` accesses spread over working hours."""
    out = []
    for d in range(days):
        day = DAY0 + timedelta(days=d)
        for i in range(per_day):
            at = day + timedelta(hours=start_hour, minutes=i * hours * 60 / per_day)
            out.append(line(at, pid=pid, waybill_no=f"PG{d * 1000 + i * 97:012d}", **extra))
    return out


def minutes(start: datetime, n: int, every: float) -> list[datetime]:
    """Return n instants `every` minutes apart from start."""
    return [start + timedelta(minutes=i * every) for i in range(n)]
