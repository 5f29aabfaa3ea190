"""Relay HTTP: the telephony webhooks under /relay/ and the admin API under /api/v1/relay."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response

from parcelguard.access.principals import Caller
from parcelguard.access.roles import Role
from parcelguard.errors import Denied
from parcelguard.relay import service
from parcelguard.relay.numbers import canonical, party_ref
from parcelguard.relay.providers import WebhookRequest
from parcelguard.relay.providers.neutral import CallIn, StatusIn
from parcelguard.relay.results import (
    BindingList,
    BindingView,
    CallerVerdict,
    PoolImport,
    Reserved,
    StatusApplied,
)
from parcelguard.relay.schemas import (
    TEXT,
    BindIn,
    BindingOut,
    BindingsOut,
    PoolImportIn,
    PoolImportOut,
    ReserveIn,
    ReserveOut,
    RouteOut,
    VerifyIn,
    VerifyOut,
)
from parcelguard.runtime import Runtime
from parcelguard.web.deps import RequireRole, get_runtime, json_body_doc
from parcelguard.web.writers import run_writing

webhooks = APIRouter(prefix="/relay", tags=["relay webhooks"])
router = APIRouter(prefix="/api/v1/relay", tags=["relay"])
RelayAdmin = Annotated[Caller, RequireRole(Role.ADMIN, scope="relay")]
Officer = Annotated[Caller, RequireRole(Role.OFFICER, scope="relay")]
Binder = Annotated[Caller, RequireRole(Role.ADMIN, Role.COURIER, scope="relay")]
# Recipients verify a caller through the portal (relay.service checks them there).
Verifier = Annotated[
    Caller, RequireRole(Role.CUSTOMER_SERVICE, Role.OFFICER, Role.ADMIN, scope="relay")
]


async def _webhook(request: Request) -> WebhookRequest:
    body = await request.body()
    form: dict[str, str] = {}
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    headers = {k.lower(): v for k, v in request.headers.items()}
    return WebhookRequest(str(request.url), headers, body, form)


async def _call(request: Request, provider: str, channel: str) -> Response:
    rt: Runtime = request.app.state.runtime
    incoming = await _webhook(request)
    reply = await run_writing(rt, service.handle_call, rt, provider, incoming, channel)
    return Response(reply.body, media_type=reply.media_type)


@webhooks.post("/voice", response_model=RouteOut, openapi_extra=json_body_doc(CallIn))
async def voice(request: Request) -> Response:
    """Route a call to a pool number: `{from, to, call_id}` → `{action, number, reason}`."""
    return await _call(request, "neutral", "voice")


@webhooks.post("/sms", response_model=RouteOut, openapi_extra=json_body_doc(CallIn))
async def sms(request: Request) -> Response:
    """Route an SMS to a pool number, like a call."""
    return await _call(request, "neutral", "sms")


@webhooks.post("/status", openapi_extra=json_body_doc(StatusIn))
async def status(request: Request) -> StatusApplied:
    """Apply a call or SMS status callback (idempotent per call id)."""
    rt: Runtime = request.app.state.runtime
    incoming = await _webhook(request)
    return await run_writing(rt, service.handle_status, rt, "neutral", incoming)


@webhooks.post("/twilio/voice", response_class=Response)
async def twilio_voice(request: Request) -> Response:
    """Twilio voice webhook: TwiML `<Dial>` the other party, or a spoken rejection."""
    return await _call(request, "twilio", "voice")


@webhooks.post("/twilio/sms", response_class=Response)
async def twilio_sms(request: Request) -> Response:
    """Twilio messaging webhook: TwiML `<Message>` forwarded to the other party."""
    return await _call(request, "twilio", "sms")


@webhooks.post("/twilio/status", status_code=204, response_class=Response)
async def twilio_status(request: Request) -> Response:
    """Twilio status callback (call or message)."""
    rt: Runtime = request.app.state.runtime
    incoming = await _webhook(request)
    await run_writing(rt, service.handle_status, rt, "twilio", incoming)
    return Response(status_code=204)


@webhooks.get("/health")
async def health() -> dict[str, str]:
    """Say the relay's webhooks are reachable (what `relay doctor` asks from outside)."""
    return {"status": "ok"}


async def _receipts(request: Request, provider: str) -> Response:
    rt: Runtime = request.app.state.runtime
    incoming = await _webhook(request)
    reply = await run_writing(rt, service.handle_receipts, rt, provider, incoming)
    return Response(reply.body, media_type=reply.media_type)


@webhooks.post("/aliyun/receipts/{kind}", response_class=Response)
async def aliyun_receipts(
    request: Request, kind: str = Path(pattern="^[A-Za-z]{1,40}$")
) -> Response:
    """Alibaba Cloud 号码隐私保护 HTTP batch push (one URL per message type, `?token=`)."""
    return await _receipts(request, "aliyun")


@webhooks.post("/huawei/events", response_class=Response)
@webhooks.post("/huawei/sms", response_class=Response)
async def huawei_events(request: Request) -> Response:
    """Huawei Cloud 隐私保护通话 call event, fee and SMS (Notify) notices (AKSK-signed)."""
    return await _receipts(request, "huawei")


@router.get("/recordings/{recording_id}", response_class=Response)
def recording(
    caller: Officer,
    recording_id: str = Path(pattern="^[0-9a-f]{32}$"),
    case_id: str | None = Query(None, max_length=32, pattern="^[A-Za-z0-9]{1,32}$"),
    rt: Runtime = Depends(get_runtime),
) -> Response:
    """Return a call recording to a security officer under an open case (audited)."""
    with rt.db.session() as session:
        audio, media = service.reveal_recording(rt, session, caller.actor, recording_id, case_id)
    return Response(audio, media_type=media, headers={"Cache-Control": "no-store"})


@router.get("/pool")
def pool_status(caller: RelayAdmin, rt: Runtime = Depends(get_runtime)) -> dict[str, Any]:
    """Count the pool's numbers by state."""
    with rt.db.session() as session:
        return service.pool_status(rt, session)


@router.post("/pool", response_model=PoolImportOut)
def pool_import(
    caller: RelayAdmin, body: PoolImportIn, rt: Runtime = Depends(get_runtime)
) -> PoolImport:
    """Add numbers to the pool (`{"numbers": [{"number", "city"?}]}`)."""
    rows = (service.PoolRow(i + 1, n.number, n.city) for i, n in enumerate(body.numbers))
    with rt.db.session() as session:
        return service.import_numbers(
            rt, session, caller.actor, rows, mode=body.mode, group=body.group
        )


@router.post("/pool/reserve", response_model=ReserveOut)
def pool_reserve(
    caller: RelayAdmin, body: ReserveIn, rt: Runtime = Depends(get_runtime)
) -> Reserved:
    """Set numbers aside as canaries (never bound; any call to one is a canary hit)."""
    with rt.db.session() as session:
        taken = service.reserve(
            rt,
            session,
            caller.actor,
            count=body.count,
            numbers=body.numbers,
            label=body.label,
            city=body.city,
        )
    return {"reserved": [vars(n) for n in taken]}


@router.post("/bindings", response_model=BindingOut)
def bind(caller: Binder, body: BindIn, rt: Runtime = Depends(get_runtime)) -> BindingView:
    """Bind a shipment's courier and recipient (a courier: only their own parcels)."""
    own = caller.principal_id if caller.role == Role.COURIER else None
    return service.bind_waybill(
        rt, caller.actor, body.waybill, kind=body.kind, ttl_seconds=body.ttl, courier_id=own
    )


@router.get("/bindings", response_model=BindingsOut)
def bindings(
    caller: RelayAdmin,
    waybill: str | None = Query(None, max_length=40, pattern=TEXT),
    status: str | None = Query("active", pattern="^(active|ended)$"),
    rt: Runtime = Depends(get_runtime),
) -> BindingList:
    """List bindings (of one waybill, or the latest 200)."""
    with rt.db.session() as session:
        return {"bindings": service.list_bindings(rt, session, waybill=waybill, status=status)}


@router.delete("/bindings/{binding_id}", response_model=BindingOut)
def release(
    caller: RelayAdmin,
    binding_id: str = Path(pattern="^[0-9a-f]{32}$"),
    rt: Runtime = Depends(get_runtime),
) -> BindingView:
    """End a binding now."""
    with rt.db.session() as session:
        return service.release_binding(rt, session, caller.actor, binding_id)


@router.post("/verify", response_model=VerifyOut)
def verify(caller: Verifier, body: VerifyIn, rt: Runtime = Depends(get_runtime)) -> CallerVerdict:
    """Is the number that called this recipient really one of their couriers?"""
    if caller.role == "recipient":
        number = canonical(body.recipient_phone)
        if number is None or caller.phone_digest != party_ref(rt, number):
            raise Denied("recipients verify calls to their own phone only", code="not_own_phone")
    with rt.db.session() as session:
        return service.verify(rt, session, caller.actor, body.recipient_phone, body.caller)


def mount(app: FastAPI) -> None:
    """Add the relay webhooks and API."""
    app.include_router(webhooks)
    app.include_router(router)
