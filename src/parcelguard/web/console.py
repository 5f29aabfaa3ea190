"""Staff console pages: passkey sign-in, enrolment by a one-time link, and the courier's list.

Pages are rendered on the server; the ceremonies run in `static/webauthn.js` and
`static/console.js` (no inline script: the pages' CSP allows scripts from this origin only).
A courier sees the assigned parcels that are out for delivery, masked; "reveal address" asks
for a passkey step-up, then calls the reveal API, which decides and audits as for any caller.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from parcelguard.access import enrolment, passkeys, sessions
from parcelguard.access import service as access_service
from parcelguard.access.principals import Caller
from parcelguard.errors import NotAuthenticated
from parcelguard.runtime import Runtime
from parcelguard.vault import service as vault_service
from parcelguard.web.deps import get_runtime
from parcelguard.web.pages import language, templates

router = APIRouter(prefix="/console", include_in_schema=False)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",  # enrolment links carry their token in the path
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

TEXT: dict[str, dict[str, Any]] = {
    "zh": {
        "title": "包裹隐私卫士",
        "switch": "English",
        "console": "员工控制台",
        "login_title": "员工登录",
        "login_hint": "使用通行密钥（指纹、面容或设备 PIN）登录，无需密码。",
        "sign_in": "使用通行密钥登录",
        "enrol_title": "注册通行密钥",
        "enrol_hint": "此链接只能使用一次。注册后即可用这台设备上的通行密钥登录。",
        "enrol_label": "通行密钥名称（可选，例如“工作手机”）",
        "enrol_button": "在这台设备上创建通行密钥",
        "enrol_invalid": "此注册链接无效、已使用或已过期。请联系管理员重新签发。",
        "whoami": "当前登录",
        "name": "姓名",
        "role": "岗位",
        "employee_no": "工号",
        "station": "站点",
        "passkeys": "通行密钥",
        "add_passkey": "再添加一个通行密钥",
        "sign_out": "退出登录",
        "parcels": "派送中的包裹",
        "reveal_note": "查看完整地址前需用通行密钥再次验证；每次查看都会被记录。",
        "no_parcels": "目前没有派送中的包裹。",
        "waybill": "运单号",
        "recipient": "收件人",
        "phone": "电话",
        "address": "地址",
        "reveal": "查看完整地址",
        "needs_js": "此页面需要启用 JavaScript 才能使用通行密钥。",
        "msg_working": "请在设备上完成验证……",
        "msg_cancelled": "已取消或超时，请重试。",
        "msg_unsupported": "此浏览器不支持通行密钥。",
        "msg_failed": "操作失败",
        "msg_added": "已添加通行密钥。",
        "msg_revealed": "已显示完整地址（本次查看已记录）。",
        "roles": {
            "courier": "快递员",
            "station_clerk": "驿站店员",
            "customer_service": "客服",
            "security_officer": "安全专员",
            "admin": "管理员",
        },
    },
    "en": {
        "title": "ParcelGuard",
        "switch": "中文",
        "console": "Staff console",
        "login_title": "Staff sign-in",
        "login_hint": "Sign in with a passkey (fingerprint, face or device PIN); no password.",
        "sign_in": "Sign in with a passkey",
        "enrol_title": "Register a passkey",
        "enrol_hint": "This link works once. Afterwards, sign in with the passkey on this device.",
        "enrol_label": "Passkey name (optional, e.g. “work phone”)",
        "enrol_button": "Create a passkey on this device",
        "enrol_invalid": "This enrolment link is not valid, was used or expired. Ask an admin.",
        "whoami": "Signed in",
        "name": "Name",
        "role": "Role",
        "employee_no": "Employee no.",
        "station": "Station",
        "passkeys": "Passkeys",
        "add_passkey": "Add another passkey",
        "sign_out": "Sign out",
        "parcels": "Parcels out for delivery",
        "reveal_note": "Revealing an address asks for your passkey again; every look is recorded.",
        "no_parcels": "No parcels out for delivery right now.",
        "waybill": "Waybill",
        "recipient": "Recipient",
        "phone": "Phone",
        "address": "Address",
        "reveal": "Reveal address",
        "needs_js": "This page needs JavaScript for passkeys.",
        "msg_working": "Confirm on your device…",
        "msg_cancelled": "Cancelled or timed out; try again.",
        "msg_unsupported": "This browser does not support passkeys.",
        "msg_failed": "Failed",
        "msg_added": "Passkey added.",
        "msg_revealed": "Full address shown (this look was recorded).",
        "roles": {
            "courier": "Courier",
            "station_clerk": "Station clerk",
            "customer_service": "Customer service",
            "security_officer": "Security officer",
            "admin": "Admin",
        },
    },
}


def _page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        name,
        {"t": TEXT[lang], "lang": lang, "csrf": "", **context},
        status_code=status_code,
        headers=SECURITY_HEADERS,
    )
    response.set_cookie("lang", lang, samesite="lax")
    return response


def _signed_in(rt: Runtime, request: Request) -> tuple[Caller, str] | None:
    """Return the caller of a live session cookie and its CSRF token, or None."""
    token = request.cookies.get(sessions.COOKIE) or ""
    with rt.db.read_session() as session:
        live = sessions.find_live(rt, session, token)
        if live is None:
            return None
        try:
            return sessions.authenticate_session(rt, session, token), live.csrf_token
        except NotAuthenticated:
            return None


@router.get("/login", response_model=None)
def login_page(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the passkey sign-in page (or go to the console when already signed in)."""
    if _signed_in(rt, request) is not None:
        return RedirectResponse("/console", status_code=303)
    return _page(request, "console/login.html", {})


@router.get("/enrol/{token}")
def enrol_page(token: str, request: Request, rt: Runtime = Depends(get_runtime)) -> HTMLResponse:
    """Show the page that registers a passkey with a one-time link (the link is not spent)."""
    with rt.db.read_session() as session:
        try:
            enrolment.redeemable(rt, session, token)
            valid = True
        except NotAuthenticated:
            valid = False
    signed = _signed_in(rt, request)
    context = {"token": token if valid else "", "csrf": signed[1] if signed else ""}
    return _page(request, "console/enrol.html", context, 200 if valid else 404)


@router.get("", response_model=None)
def home(request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show who is signed in and, for a courier, the parcels out for delivery (masked)."""
    signed = _signed_in(rt, request)
    if signed is None:
        return RedirectResponse("/console/login", status_code=303)
    caller, csrf = signed
    with rt.db.read_session() as session:
        me = access_service.get_or_raise(session, rt.tenant, caller.principal_id)
        parcels = []
        if caller.role == "courier":
            assigned = vault_service.list_for_courier(
                session, rt.tenant, caller.principal_id, ("out_for_delivery",)
            )
            parcels = [vault_service.view(session, shipment) for shipment in assigned]
        context = {
            "me": access_service.public_view(me),
            "courier": caller.role == "courier",
            "parcels": parcels,
            "passkey_count": len(passkeys.list_passkeys(session, rt.tenant, me.principal_id)),
            "csrf": csrf,
        }
    return _page(request, "console/home.html", context)


def mount(app: FastAPI) -> None:
    """Add the console pages."""
    app.include_router(router)
