"""Relay use cases: the one module the delivery layer and other domains call.

`on_lifecycle` reacts to the vault's lifecycle (bind when a parcel goes out, end after
delivery) and `on_person_erased` to an erasure; the composition root subscribes both.
Webhooks go through `handle_call` and `handle_status`; forensics takes canary numbers with
`reserve_canary_numbers`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.service import SYSTEM, Actor
from parcelguard.db import new_id
from parcelguard.errors import Conflict, Denied, InvalidInput, NotFound
from parcelguard.relay import (
    bindings,
    calls,
    conditions,
    inventory,
    providers,
    recordings,
    routing,
    sms,
)
from parcelguard.relay.config import RelayConfig, config_for
from parcelguard.relay.erasure import forget_phone
from parcelguard.relay.inventory import CanaryNumber, PoolRow, import_numbers, read_pool_file
from parcelguard.relay.models import Binding, CallRecord, RelayNumber
from parcelguard.relay.numbers import mask_waybill
from parcelguard.relay.pool import PoolExhausted
from parcelguard.relay.providers import WebhookReply, WebhookRequest, provider_for
from parcelguard.relay.providers.aliyun import AliyunProvider
from parcelguard.relay.providers.base import CallEvent, StatusEvent
from parcelguard.relay.providers.cloud import Receipt
from parcelguard.relay.providers.demo import CALL_PROGRESS, DemoCarrier
from parcelguard.relay.providers.mns import MnsQueues
from parcelguard.relay.receipt_queue import QueuePoller, Round
from parcelguard.relay.results import (
    BindingView,
    RecordingView,
    RelayCheck,
    RelayDoctor,
    SimulatedCall,
    StatusApplied,
)
from parcelguard.relay.routing import Decision, provider_actor, route
from parcelguard.relay.sweeping import CALLED, CallRouted, LazySweeper, sweep
from parcelguard.relay.verification import verify
from parcelguard.runtime import Runtime
from parcelguard.vault import service as vault_service
from parcelguard.vault.lifecycle import Stepped
from parcelguard.vault.retention import PersonErased

log = logging.getLogger("parcelguard.relay")
ENDING_EVENTS = ("delivered", "returned", "at_station")

__all__ = [
    "CALLED",
    "CallRouted",
    "CanaryNumber",
    "Decision",
    "LazySweeper",
    "PoolExhausted",
    "PoolRow",
    "bind_waybill",
    "doctor",
    "forget_phone",
    "handle_call",
    "handle_receipts",
    "handle_status",
    "import_numbers",
    "in_use",
    "list_bindings",
    "pool_status",
    "read_pool_file",
    "release_binding",
    "reserve",
    "reserve_canary_numbers",
    "reveal_recording",
    "route",
    "simulate",
    "sweep",
    "unreserve",
    "verify",
]
pool_status = inventory.status
reserve = inventory.reserve
unreserve = inventory.unreserve


def on_lifecycle(step: Stepped) -> None:
    """Bind on out_for_delivery, end after delivery, release on reassignment."""
    rt, session, shipment, event_type = step.rt, step.session, step.shipment, step.type
    now = rt.clock.now()
    if event_type == "out_for_delivery" and config_for(rt).auto_bind:
        if not in_use(rt, session):
            return  # no relay in this deployment: nothing to bind, nothing to complain about
        try:
            kind = config_for(rt).auto_kind
            bindings.bind_shipment(rt, session, SYSTEM, shipment, kind=kind, automatic=True)
        except (Conflict, NotFound, InvalidInput) as exc:
            # The parcel still goes out; the refusal is audited, an exhaustion alerts once per
            # episode (not per parcel), and `relay bind` can retry once a number is free.
            first = bindings.record_refusal(rt, session, SYSTEM, shipment, exc, automatic=True)
            if first or not isinstance(exc, PoolExhausted):
                log.warning("relay: no binding for a parcel going out (%s)", exc.code)
    elif event_type in ENDING_EVENTS:
        bindings.schedule_end(rt, session, shipment, shipment.delivered_at or now)
    elif event_type in ("assigned", "transferred"):
        for kind in ("axb", "axe"):
            for binding in bindings.active_for_shipment(
                session, rt.tenant, shipment.shipment_id, kind
            ):
                if binding.courier_id != shipment.courier_id:
                    bindings.release(rt, session, SYSTEM, binding, "reassigned", now)


def in_use(rt: Runtime, session: Session) -> bool:
    """Say whether this deployment uses the relay (`enabled`, or else: it has a pool)."""
    enabled = config_for(rt).enabled
    if enabled is not None:
        return enabled
    return conditions.has_pool(session, rt.tenant)


def on_person_erased(erased: PersonErased) -> None:
    """End the erased person's bindings and forget their number (in the erasure's transaction)."""
    forget_phone(erased.rt, erased.session, erased.actor, erased.phone)


def bind_waybill(
    rt: Runtime,
    actor: Actor,
    waybill: str,
    *,
    kind: str = "axb",
    ttl_seconds: int | None = None,
    courier_id: str | None = None,
) -> BindingView:
    """Bind a shipment on request (its own transaction: an exhaustion event commits, then raises).

    With `courier_id`, only a shipment assigned to that courier may be bound.
    """
    refused: PoolExhausted | None = None
    with rt.db.session() as session:
        shipment = vault_service.get_or_raise(session, rt.tenant, waybill)
        # Concurrent requests for one parcel queue here, so it never gets two bindings.
        session.refresh(shipment, with_for_update=True)
        if courier_id is not None and shipment.courier_id != courier_id:
            raise Denied("the shipment is not assigned to you", code="not_assigned")
        try:
            binding = bindings.bind_shipment(
                rt, session, actor, shipment, kind=kind, ttl_seconds=ttl_seconds
            )
            number = session.get(RelayNumber, (rt.tenant, binding.number_id))
            return bindings.view(binding, number, shipment.waybill_no)
        except PoolExhausted as exc:
            bindings.record_refusal(rt, session, actor, shipment, exc, automatic=False)
            refused = exc
    raise refused


def release_binding(rt: Runtime, session: Session, actor: Actor, binding_id: str) -> BindingView:
    """End a binding now (its number and parties cool)."""
    binding = session.get(Binding, (rt.tenant, binding_id), with_for_update=True)
    if binding is None:
        raise NotFound("no such binding", code="binding_not_found")
    bindings.release(rt, session, actor, binding, "released", rt.clock.now())
    return _view(rt, session, binding)


def list_bindings(
    rt: Runtime, session: Session, *, waybill: str | None = None, status: str | None = "active"
) -> list[BindingView]:
    """Return bindings (of one shipment, or the latest 200 of the tenant)."""
    query = select(Binding).where(Binding.tenant_id == rt.tenant)
    if waybill is not None:
        shipment = vault_service.get_or_raise(session, rt.tenant, waybill)
        query = query.where(Binding.shipment_id == shipment.shipment_id)
    if status is not None:
        query = query.where(Binding.status == status)
    found = session.scalars(query.order_by(Binding.created_at.desc()).limit(200))
    return [_view(rt, session, b) for b in found]


def _view(rt: Runtime, session: Session, binding: Binding) -> BindingView:
    number = session.get(RelayNumber, (rt.tenant, binding.number_id))
    shipment = vault_service.get_by_id(session, rt.tenant, binding.shipment_id)
    return bindings.view(binding, number, shipment.waybill_no if shipment else None)


def handle_call(
    rt: Runtime, provider_name: str, request: WebhookRequest, channel: str
) -> WebhookReply:
    """Authenticate a provider's call or SMS webhook, route it, and answer the provider."""
    if channel not in routing.CHANNELS:
        raise InvalidInput("channel must be voice or sms", code="invalid_channel")
    provider = provider_for(rt, provider_name)
    provider.authenticate(request, time.time())
    event = provider.call_event(request, channel)
    with rt.db.session() as session:
        decision = route(
            rt,
            session,
            provider_actor(provider.name),
            event.caller,
            event.to,
            channel=channel,
            call_id=event.call_id,
            provider=provider.name,
            extension=event.extension,
            attempt=event.attempt,
            text=event.text,
        )
    rt.hooks.emit(CALLED, CallRouted(rt))
    return provider.reply(decision, event, request)  # only once the decision is durable


def handle_status(rt: Runtime, provider_name: str, request: WebhookRequest) -> StatusApplied:
    """Authenticate a status callback and apply it to the call record (idempotently)."""
    provider = provider_for(rt, provider_name)
    provider.authenticate(request, time.time())
    event = provider.status_event(request)
    with rt.db.session() as session:
        record = _apply_report(rt, session, event.call_id, event, provider.name)
        return {"call_id": record.call_id, "status": record.status}


def _apply_report(
    rt: Runtime, session: Session, call_id: str, report: StatusEvent | Receipt, provider: str
) -> CallRecord:
    """Apply what a provider reports of a call (a status callback or a receipt) to its record."""
    return calls.apply_status(
        rt,
        session,
        call_id,
        report.status,
        channel=report.channel,
        provider=provider,
        at=report.at,
        duration=report.duration,
        caller=report.caller,
        to=report.to,
    )


def handle_receipts(rt: Runtime, provider_name: str, request: WebhookRequest) -> WebhookReply:
    """Authenticate a cloud platform's receipts and apply them, each once, in any order.

    Call states only move forward (a late "ringing" after "completed" changes nothing); a
    recording is downloaded and sealed the first time it is announced, never again.
    """
    provider = providers.cloud_provider(rt, provider_name)
    if provider is None:
        raise NotFound("no such platform", code="unknown_provider")
    if provider_name == "aliyun" and config_for(rt).aliyun_receipts == "mns":
        raise NotFound("receipts are read from the MNS queues", code="receipts_by_queue")
    provider.authenticate(request, time.time())
    apply_receipts(rt, provider, provider.receipts(request))
    media, body = provider.acknowledge()
    return WebhookReply(media, body)


def apply_receipts(rt: Runtime, provider: providers.CloudProvider, receipts: list[Receipt]) -> None:
    """Apply a platform's receipts in one transaction (each idempotently, in any order)."""
    with rt.db.session() as session:
        for receipt in receipts:
            _apply_receipt(rt, session, provider, receipt)


def receipt_round() -> Round:
    """Return empty round counts (what `relay receipts poll` adds its rounds to)."""
    return Round()


def receipt_poller(rt: Runtime, queues: MnsQueues | None = None) -> QueuePoller:
    """Return the poller of Alibaba's MNS receipt queues (`aliyun_receipts = "mns"`)."""
    config = config_for(rt)
    provider = providers.cloud_provider(rt, "aliyun")
    if config.aliyun_receipts != "mns" or not config.aliyun_mns_queues:
        raise Conflict(
            'set [relay] aliyun_receipts = "mns" and aliyun_mns_queues first',
            code="receipts_not_queued",
        )
    if not isinstance(provider, AliyunProvider):  # pragma: no cover - "aliyun" is this class
        raise Conflict("no Alibaba Cloud provider", code="receipts_not_queued")
    return QueuePoller(
        config, provider, lambda found: apply_receipts(rt, provider, found), queues=queues
    )


def _apply_receipt(
    rt: Runtime, session: Session, provider: providers.CloudProvider, receipt: Receipt
) -> None:
    call_id = receipt.call_id[: calls.MAX_CALL_ID]
    seen = session.scalar(
        select(CallRecord.call_id).where(
            CallRecord.tenant_id == rt.tenant, CallRecord.call_id == call_id
        )
    )
    if receipt.status:
        record = _apply_report(rt, session, call_id, receipt, provider.name)
    else:
        record = calls.apply_status(rt, session, call_id, "routed", provider=provider.name)
    if record.binding_id is None and receipt.binding_ref:
        binding = session.scalars(
            select(Binding).where(
                Binding.tenant_id == rt.tenant, Binding.provider_ref == receipt.binding_ref[:64]
            )
        ).first()
        if binding is not None:
            record.binding_id, record.shipment_id = binding.binding_id, binding.shipment_id
            record.principal_id = record.principal_id or binding.courier_id
            if receipt.text is not None and seen is None:  # scanned once, at first sight
                actor = provider_actor(provider.name)
                sms.audit_forwarded(
                    rt, session, record, binding, receipt.text, receipt.caller, actor
                )
    if receipt.recording and receipt.recording_id and config_for(rt).record_calls:
        if recordings.known(session, rt.tenant, provider.name, receipt.recording_id):
            return  # a duplicate announcement: kept once already
        content, media = provider.fetch_recording(receipt.recording)
        recordings.keep(rt, session, provider.name, receipt.recording_id, record, content, media)


def reveal_recording(
    rt: Runtime, session: Session, actor: Actor, recording_id: str, case_id: str | None
) -> tuple[bytes, str]:
    """Open a sealed recording (security officers under an open case only; audited)."""
    return recordings.reveal(rt, session, actor, recording_id, case_id)


def show_recordings(
    rt: Runtime,
    session: Session,
    actor: Actor,
    case_id: str | None,
    *,
    recording_id: str | None = None,
    waybill: str | None = None,
    call_id: str | None = None,
) -> list[RecordingView]:
    """List recordings (no audio) for a security officer under an open case (audited)."""
    shipment_id = None
    if waybill is not None:
        shipment = vault_service.get(session, rt.tenant, waybill)
        shipment_id = shipment.shipment_id if shipment is not None else "-"
    return recordings.show(
        rt,
        session,
        actor,
        case_id,
        recording_id=recording_id,
        shipment_id=shipment_id,
        call_id=call_id,
    )


def doctor(rt: Runtime, *, callback_url: str | None = None) -> RelayDoctor:
    """Check the configured platform's credentials and that its callbacks can reach us."""
    config = config_for(rt)
    checks: list[Mapping[str, Any]] = []
    provider = providers.cloud_provider(rt)
    if provider is not None:
        checks.append(vars(provider.credentials_check()))
    elif config.provider == "twilio":
        ok = config.twilio_auth_token is not None
        checks.append(
            {
                "name": "twilio credentials",
                "ok": ok,
                "detail": "auth token set" if ok else "twilio_auth_token is not set",
            }
        )
    else:
        ok = config.webhook_secret is not None or bool(config.tenant_secrets)
        checks.append(
            {
                "name": "webhook secret",
                "ok": ok,
                "detail": "set" if ok else "webhook_secret is not set",
            }
        )
    if isinstance(provider, AliyunProvider) and config.aliyun_receipts == "mns":
        checks += _queue_checks(config, provider)  # receipts are pulled: no callback needed
    else:
        checks.append(_reachable(callback_url or config.public_base_url))
    return {"provider": config.provider, "ok": all(c["ok"] for c in checks), "checks": checks}


def _queue_checks(config: RelayConfig, provider: AliyunProvider) -> list[RelayCheck]:
    """Ask a token for each receipt queue (`QueryTokenForMnsQueue`): can the poller read it?"""
    if not config.aliyun_mns_queues:
        return [{"name": "mns queues", "ok": False, "detail": "aliyun_mns_queues is empty"}]
    checks: list[RelayCheck] = []
    for kind, queue in sorted(config.aliyun_mns_queues.items()):
        try:
            provider.queue_token(kind, queue, config.aliyun_token_endpoint)
        except Conflict as exc:
            code = exc.details.get("code") if isinstance(exc.details, dict) else None
            checks.append({"name": f"mns {kind}", "ok": False, "detail": f"refused ({code})"})
            continue
        checks.append({"name": f"mns {kind}", "ok": True, "detail": "queue token issued"})
    return checks


def _reachable(base: str | None) -> RelayCheck:
    """GET `<base>/relay/health`: the platform must reach that address to deliver receipts."""
    import httpx

    name = "callback reachability"
    if not base:
        return {"name": name, "ok": False, "detail": "public_base_url is not set"}
    url = base.rstrip("/") + "/relay/health"
    try:
        response = httpx.get(url, timeout=5.0)
    except httpx.HTTPError as exc:
        return {"name": name, "ok": False, "detail": f"{url} unreachable ({type(exc).__name__})"}
    ok = response.status_code == 200
    return {"name": name, "ok": ok, "detail": f"{url} answered {response.status_code}"}


def simulate(
    rt: Runtime, actor: Actor, caller: str, to: str, *, now: datetime | None = None
) -> SimulatedCall:
    """Place a call through the demo carrier; return, masked, who would be connected."""
    carrier = DemoCarrier()
    event = CallEvent(caller, to, f"demo-{new_id()}", "voice")
    with rt.db.session() as session:
        decision = route(
            rt, session, actor, caller, to, call_id=event.call_id, provider=carrier.name, now=now
        )
        if decision.action == "connect":
            for status in CALL_PROGRESS:
                calls.apply_status(
                    rt, session, event.call_id or "", status, provider=carrier.name, duration=0
                )
        shipment = (
            vault_service.get_by_id(session, rt.tenant, decision.shipment_id)
            if decision.shipment_id
            else None
        )
        waybill = mask_waybill(shipment.waybill_no) if shipment is not None else None
    rt.hooks.emit(CALLED, CallRouted(rt))
    return carrier.describe(decision, event, waybill)


def reserve_canary_numbers(
    rt: Runtime,
    session: Session,
    actor: Actor,
    count: int,
    *,
    label: str = "canary",
    city: str | None = None,
) -> list[CanaryNumber]:
    """Take `count` free numbers out of the pool for canary records (forensics calls this)."""
    return inventory.reserve(rt, session, actor, count=count, label=label, city=city)


def canary_numbers(session: Session, tenant_id: str) -> list[CanaryNumber]:
    """Return the tenant's reserved (canary) numbers."""
    query = select(RelayNumber).where(
        RelayNumber.tenant_id == tenant_id, RelayNumber.state == "reserved"
    )
    return [
        CanaryNumber(n.number_id, n.number, n.label or "canary") for n in session.scalars(query)
    ]
