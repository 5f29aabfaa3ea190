"""Huawei Cloud 隐私保护通话 (PrivateNumber): AXB, AX (our AXN), AXE; call, fee, SMS notices.

Every request, both ways, carries Huawei's AKSK authentication as its API reference
documents it: `Authorization: AKSK realm="SDP",profile="UsernameToken",type="Appkey"` and
`X-AKSK: UsernameToken Username="<APP_Key>",PasswordDigest="<digest>",Nonce="<nonce>",
Created="<UTC yyyy-MM-ddTHH:mm:ssZ>"` with `PasswordDigest = Base64(HMAC-SHA256(APP_Secret,
Nonce + Created))`. Inbound notices are checked the same way, plus freshness of `Created`
and a nonce seen only once, so a captured notice cannot be replayed.

The platform pushes call events (`callin`, `callout`, `alerting`, `answer`, `disconnect`)
and fee notices (`eventType: "fee"`, a `feeLst` of call records naming the recording), and
retries up to six times: they arrive twice and out of order, and are applied idempotently.
SMS notices (短信通知, Notify mode: `{"appKey", "smsEvent": {"smsIdentifier", …}}`) become
SMS call records the same way.

Huawei publishes the modes AX, AXB, AXE, AXYB and X (the last "暂不支持申请"): ParcelGuard's
AXN is Huawei's AX mode (any caller of X reaches A, the recipient; X belongs to A alone, and
AX bindings carry no expiry, so ParcelGuard unbinds them when the binding ends). There is
no published AXG mode: an AXG binding is refused (`provider_error`, reason `unsupported_kind`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from parcelguard.errors import Denied, InvalidInput
from parcelguard.relay.providers import cloud
from parcelguard.relay.providers.base import WebhookRequest
from parcelguard.sensitive import Sensitive

ENDPOINT = "https://rtcpns.cn-north-1.myhuaweicloud.com"
AXB_URI = "/rest/caas/relationnumber/partners/v1.0"
AXE_URI = "/rest/caas/extendnumber/v1.0"
AX_URI = "/rest/provision/caas/privatenumber/v1.0"  # AX mode: ParcelGuard's AXN
UNBIND_URIS = {"axb": AXB_URI, "axe": AXE_URI, "axn": AX_URI}
RECORD_URI = "/rest/provision/voice/record/v1.0"
AUTHORIZATION = 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
EVENTS = {
    "callin": "initiated",
    "callout": "initiated",
    "alerting": "ringing",
    "answer": "in-progress",
    "disconnect": "completed",
}
RECORDING = "huawei-record:"
_FIELD = re.compile(r'(\w+)="([^"]*)"')
CREATED = "%Y-%m-%dT%H:%M:%SZ"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC, as Huawei writes event times
SMS_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # an SMS notice's timeStamp (UTC)


def digest(secret: str, nonce: str, created: str) -> str:
    """Return `Base64(HMAC-SHA256(APP_Secret, Nonce + Created))`."""
    mac = hmac.new(secret.encode(), (nonce + created).encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def aksk_headers(app_key: str, secret: str, now: float | None = None) -> dict[str, str]:
    """Return the two authentication headers of a request made now."""
    nonce = secrets.token_hex(16).upper()
    created = time.strftime(CREATED, time.gmtime(now if now is not None else time.time()))
    token = (
        f'UsernameToken Username="{app_key}",PasswordDigest="{digest(secret, nonce, created)}",'
        f'Nonce="{nonce}",Created="{created}"'
    )
    return {"Authorization": AUTHORIZATION, "X-AKSK": token}


def parse_aksk(header: str | None) -> dict[str, str]:
    """Return the fields of an X-AKSK header (empty when it is not one)."""
    if not header or not header.startswith("UsernameToken "):
        return {}
    return dict(_FIELD.findall(header))


class HuaweiProvider(cloud.CloudProvider):
    """隐私保护通话 through its REST API and pushed notices."""

    name = "huawei"

    def __init__(
        self,
        app_key: str | None,
        app_secret: str | None,
        *,
        endpoint: str = ENDPOINT,
        tolerance: int = 300,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(http)
        self._key = app_key
        self._secret = app_secret
        self._endpoint = endpoint.rstrip("/")
        self._tolerance = tolerance

    def _request(self, method: str, uri: str, **kwargs: Any) -> httpx.Response:
        if not (self._key and self._secret):
            raise cloud.ProviderError(
                "Huawei Cloud credentials are not configured", code="not_configured"
            )
        headers = {"Content-Type": "application/json;charset=UTF-8"}
        headers |= aksk_headers(self._key, self._secret)
        try:
            return self._http.request(
                method, self._endpoint + uri, headers=headers, follow_redirects=False, **kwargs
            )
        except httpx.HTTPError as exc:
            raise cloud.ProviderError(
                "Huawei Cloud did not answer", details={"error": type(exc).__name__}
            ) from None

    def _call(self, method: str, uri: str, **kwargs: Any) -> dict[str, Any]:
        response = self._request(method, uri, **kwargs)
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code != 200 or str(answer.get("resultcode")) != "0":
            raise cloud.ProviderError(
                "Huawei Cloud refused the request",
                details={"code": str(answer.get("resultcode", response.status_code))},
            )
        return dict(answer)

    def bind(self, request: cloud.BindRequest) -> cloud.ProviderBinding:
        """AXB: `callerNum` ↔ `calleeNum` through `relationNum`; AXE: `bindNum` behind X + E."""
        seconds = max(60, int(request.expires_at.timestamp() - time.time()))
        if request.kind == "axb":
            if request.a is None:
                raise cloud.ProviderError(
                    "an AXB binding needs both parties", code="provider_error"
                )
            body = {
                "relationNum": request.x,
                "callerNum": request.a.reveal(),
                "calleeNum": request.b.reveal(),
                "duration": seconds,
                "recordFlag": "true" if request.record else "false",
                "userData": request.out_id,
            }
            answer = self._call("POST", AXB_URI, json=body)
            return cloud.ProviderBinding(str(answer["subscriptionId"]))
        if request.kind == "axe":  # the courier dials X, then E, and reaches bindNum
            body = {
                "virtualNum": request.x,
                "bindNum": request.b.reveal(),
                "extendNum": request.extension or "",
                "timeUnit": "1",  # minutes
                "bindExpiredTime": max(1, seconds // 60),
                "recordFlag": "true" if request.record else "false",
                "userData": request.out_id,
            }
            answer = self._call("POST", AXE_URI, json=body)
            return cloud.ProviderBinding(
                str(answer["subscriptionId"]), str(answer.get("extendNum") or request.extension)
            )
        if request.kind == "axn":  # AX mode: anyone calling X reaches origNum (the recipient)
            body = {
                "origNum": request.b.reveal(),
                "privateNum": request.x,
                "recordFlag": "true" if request.record else "false",
            }
            answer = self._call("POST", AX_URI, json=body)
            return cloud.ProviderBinding(str(answer["subscriptionId"]))
        raise cloud.ProviderError(
            "Huawei Cloud publishes no mode for this binding kind",
            details={"reason": "unsupported_kind", "kind": request.kind},
        )

    def unbind(self, ref: str, x: str, kind: str | None = None) -> None:
        """Unbind by subscription id at the kind's URI (unknown kind: AXB, AXE, then AX)."""
        uris = [UNBIND_URIS[kind]] if kind in UNBIND_URIS else list(UNBIND_URIS.values())
        for uri in uris[:-1]:
            try:
                self._call("DELETE", uri, params={"subscriptionId": ref})
                return
            except cloud.ProviderError:
                continue
        self._call("DELETE", uris[-1], params={"subscriptionId": ref})

    def query(self, x: str) -> str | None:
        """Return a binding id on X (AXB bindings)."""
        answer = self._call("GET", AXB_URI, params={"relationNum": x})
        found = answer.get("subscriptionId")
        for item in answer.get("relationNumList") or ():
            found = found or item.get("subscriptionId")
        return str(found) if found else None

    def credentials_check(self) -> cloud.Check:
        """Query a number that is not ours: an authentication error says it all."""
        try:
            self._call("GET", AXB_URI, params={"relationNum": "+8617000000000"})
        except cloud.ProviderError as exc:
            code = exc.details.get("code") if isinstance(exc.details, dict) else None
            if exc.code == "not_configured" or str(code).startswith(("1010", "1023", "401")):
                return cloud.Check("huawei credentials", False, f"refused ({code or exc.code})")
            return cloud.Check(
                "huawei credentials", True, f"authenticated requests accepted ({code})"
            )
        return cloud.Check("huawei credentials", True, "authenticated requests accepted")

    def authenticate(self, request: WebhookRequest, now: float) -> None:
        """Check the notice's AKSK: our APP_Key, a fresh Created, a new Nonce, the digest."""
        fields = parse_aksk(request.header("x-aksk"))
        nonce, created = fields.get("Nonce", ""), fields.get("Created", "")
        ok = bool(self._key and self._secret and nonce and created)
        ok = ok and hmac.compare_digest(fields.get("Username", ""), self._key or "")
        try:
            at = datetime.strptime(created, CREATED).replace(tzinfo=UTC).timestamp()
        except ValueError:
            at = 0.0
        ok = ok and abs(now - at) <= self._tolerance
        expected = digest(self._secret or "", nonce, created) if ok else ""
        ok = ok and hmac.compare_digest(fields.get("PasswordDigest", ""), expected)
        if not ok or not self.first_use(nonce, 2 * self._tolerance):
            raise Denied("notice authentication missing, stale or invalid", code="bad_signature")

    def receipts(self, request: WebhookRequest) -> list[cloud.Receipt]:
        """Read a call event, a fee notice or an SMS notice."""
        data = cloud.parse_json(request.body)
        if isinstance(data, dict) and isinstance(data.get("smsEvent"), dict):
            found = _sms(data["smsEvent"])
            return [found] if found else []
        if not isinstance(data, dict) or not isinstance(data.get("eventType"), str):
            raise InvalidInput("a notice has an eventType", code="invalid_webhook")
        if data["eventType"] == "fee":
            return [r for item in data.get("feeLst") or () if (r := _fee(item))]
        status = EVENTS.get(data["eventType"])
        info = data.get("statusInfo") or {}
        if status is None or not info.get("sessionId"):
            return []
        return [
            cloud.Receipt(
                str(info["sessionId"])[:64],
                status,
                "voice",
                _time(info.get("timestamp")),
                None,
                info.get("caller"),
                None,
                info.get("subscriptionId"),
            )
        ]

    def acknowledge(self) -> tuple[str, str]:
        """Notify mode: an empty 200 answer."""
        return "application/json", ""

    def fetch_recording(self, location: str) -> tuple[bytes, str]:
        """Ask for the recording's download address (a 301), then download it."""
        if location.startswith(RECORDING):
            domain, name = location[len(RECORDING) :].split("|", 1)
            response = self._request(
                "GET", RECORD_URI, params={"recordDomain": domain, "fileName": name}
            )
            target = response.headers.get("location")
            if response.status_code not in (301, 302) or not target:
                raise cloud.ProviderError(
                    "Huawei Cloud gave no recording address",
                    details={"status": response.status_code},
                )
            location = target
        return super().fetch_recording(location)


def _fee(item: Any) -> cloud.Receipt | None:
    if not isinstance(item, dict) or not item.get("sessionId"):
        return None
    answered, ended = _time(item.get("fwdAnswerTime")), _time(item.get("callEndTime"))
    duration = int((ended - answered).total_seconds()) if answered and ended else 0
    recording = None
    if str(item.get("recordFlag")) == "1" and item.get("recordObjectName"):
        recording = f"{RECORDING}{item.get('recordDomain', '')}|{item['recordObjectName']}"
    return cloud.Receipt(
        str(item["sessionId"])[:64],
        "completed" if answered else "no-answer",
        "voice",
        ended,
        duration,
        item.get("callerNum"),
        item.get("fwdDisplayNum"),
        item.get("subscriptionId"),
        recording,
        str(item.get("recordObjectName")) if recording else None,
    )


def _sms(event: dict[str, Any]) -> cloud.Receipt | None:
    """Read a Notify-mode SMS notice.

    A Block-mode one (X mode, which asks us to route the text) is not ours to answer.
    """
    if not event.get("smsIdentifier") or event.get("notificationMode", "Notify") != "Notify":
        return None
    result = event.get("sendResult")
    content = event.get("smsContent")
    return cloud.Receipt(
        str(event["smsIdentifier"])[:64],
        "delivered" if result in (None, 0, "0") else "undelivered",
        "sms",
        _time(event.get("timeStamp"), SMS_TIME_FORMAT),
        None,
        event.get("calling"),
        event.get("virtualNumber"),
        event.get("subscriptionId"),
        text=Sensitive(content) if isinstance(content, str) and content.strip() else None,
    )


def _time(text: Any, form: str = TIME_FORMAT) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(str(text), form).replace(tzinfo=UTC)
    except ValueError:
        return None
