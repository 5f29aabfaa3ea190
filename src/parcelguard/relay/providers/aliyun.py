"""Alibaba Cloud 号码隐私保护 (Dypls, API version 2017-05-25): bind, unbind, query, receipts.

Requests are RPC calls signed as Alibaba's "signature mechanism" for RPC APIs publishes:
every parameter but `Signature` sorted by name, names and values percent-encoded (RFC 3986:
only A-Z a-z 0-9 - _ . ~ stay as they are, a space is %20), joined with `&` and `=` into the
canonicalized query string; the string to sign is `POST&%2F&` + percentEncode(that string);
`Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`; `SignatureNonce` is a
fresh UUID and `Timestamp` UTC ISO 8601, so a captured request cannot be replayed.

Receipts come by "HTTP batch push" (HTTP批量推送): a JSON array per request, one callback
URL per message type (SecretStartReport, SecretRingReport, SecretPickUpReport, SecretReport,
SecretRecording). Alibaba signs none of them, so the callback URL carries a secret token
(`aliyun_receipt_token`) compared in constant time; receipts may come twice and out of order
("回执消息不保证幂等性"), which the call records absorb. Success is `{"code": 0, "msg": "成功"}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from parcelguard.clock import CHINA
from parcelguard.errors import Denied, InvalidInput
from parcelguard.relay.numbers import national
from parcelguard.relay.providers import cloud
from parcelguard.relay.providers.base import WebhookRequest
from parcelguard.relay.providers.mns import Token, token_from

ENDPOINT = "https://dyplsapi.aliyuncs.com"
VERSION = "2017-05-25"
ACTIONS = {"axb": "BindAxb", "axn": "BindAxn", "axe": "BindAxnExtension", "axg": "BindAxg"}
# The message types of HTTP batch push, and the call state each one reports.
MESSAGE_TYPES = {
    "SecretStartReport": "initiated",
    "SecretRingReport": "ringing",
    "SecretPickUpReport": "in-progress",
    "SecretReport": "completed",
    "SecretRecording": None,
}
RECORDING_QUERY = "aliyun-query:"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # China time, as Alibaba writes it


def percent_encode(value: str) -> str:
    """Encode as Alibaba's RPC signature requires (RFC 3986 unreserved characters kept)."""
    return quote(value, safe="-_.~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    """Return the string to sign of an RPC request."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(secret: str, method: str, params: dict[str, str]) -> str:
    """Return `Base64(HMAC-SHA1(secret + "&", StringToSign))`."""
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


class AliyunProvider(cloud.CloudProvider):
    """号码隐私保护 through its RPC API and HTTP batch-push receipts."""

    name = "aliyun"

    def __init__(
        self,
        access_key_id: str | None,
        access_key_secret: str | None,
        pool_key: str | None,
        receipt_token: str | None,
        *,
        endpoint: str = ENDPOINT,
        region: str = "cn-hangzhou",
        groups: dict[str, str] | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        super().__init__(http)
        self._key_id = access_key_id
        self._secret = access_key_secret
        self._pool_key = pool_key
        self._token = receipt_token
        self._endpoint = endpoint.rstrip("/")
        self._region = region
        self.groups = groups or {}

    # -- the RPC API -----------------------------------------------------------------------

    def call(self, action: str, *, endpoint: str | None = None, **params: str) -> dict[str, Any]:
        """Make one signed RPC call; return its JSON answer or raise `ProviderError`.

        `endpoint` names another product of the same API version (Dybaseapi for queue tokens);
        the pool's `PoolKey` goes to Dypls only.
        """
        if not (self._key_id and self._secret):
            raise cloud.ProviderError(
                "Alibaba Cloud credentials are not configured", code="not_configured"
            )
        signed = {
            "Action": action,
            "Version": VERSION,
            "Format": "JSON",
            "AccessKeyId": self._key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "RegionId": self._region,
            **({"PoolKey": self._pool_key} if self._pool_key and endpoint is None else {}),
            **params,
        }
        signed["Signature"] = signature(self._secret, "POST", signed)
        try:
            response = self._http.post(f"{(endpoint or self._endpoint).rstrip('/')}/", data=signed)
        except httpx.HTTPError as exc:
            raise cloud.ProviderError(
                "Alibaba Cloud did not answer", details={"error": type(exc).__name__}
            ) from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code != 200 or answer.get("Code") != "OK":
            raise cloud.ProviderError(
                "Alibaba Cloud refused the request",
                details={"action": action, "code": str(answer.get("Code", response.status_code))},
            )
        return dict(answer)

    def bind(self, request: cloud.BindRequest) -> cloud.ProviderBinding:
        """BindAxb / BindAxn / BindAxnExtension / BindAxg with X chosen by ParcelGuard."""
        params: dict[str, str] = {
            "PhoneNoX": national(request.x),
            "Expiration": request.expires_at.astimezone(CHINA).strftime(TIME_FORMAT),
            "IsRecordingEnabled": "true" if request.record else "false",
            "OutId": request.out_id,
        }
        recipient = national(request.b.reveal())
        courier = national(request.a.reveal()) if request.a is not None else None
        if request.kind == "axb":
            params |= {"PhoneNoA": courier or "", "PhoneNoB": recipient}
        elif request.kind == "axn":  # the recipient is A: anyone (N) calling X reaches them
            params |= {"PhoneNoA": recipient}
        elif request.kind == "axe":  # N dials X + extension to reach A; A calling X reaches B
            params |= {"PhoneNoA": recipient, "Extension": request.extension or ""}
            if courier:
                params["PhoneNoB"] = courier
        elif request.kind == "axg":
            group = self.groups.get(request.group or "")
            if not group:
                raise cloud.ProviderError(
                    "no Alibaba G group is configured for the station", code="no_provider_group"
                )
            params |= {"PhoneNoA": recipient, "GroupId": group}
        answer = self.call(ACTIONS[request.kind], **params)
        dto = answer.get("SecretBindDTO") or {}
        if not dto.get("SubsId"):
            raise cloud.ProviderError("Alibaba Cloud returned no SubsId", code="provider_error")
        return cloud.ProviderBinding(str(dto["SubsId"]), dto.get("Extension") or request.extension)

    def unbind(self, ref: str, x: str, kind: str | None = None) -> None:
        """UnbindSubscription (one action for every kind)."""
        self.call("UnbindSubscription", SubsId=ref, SecretNo=national(x))

    def query(self, x: str) -> str | None:
        """QuerySubsId: the binding id on X."""
        answer = self.call("QuerySubsId", PhoneNoX=national(x))
        return str(answer["SubsId"]) if answer.get("SubsId") else None

    def credentials_check(self) -> cloud.Check:
        """Ask QuerySubsId about a number that is not ours: a signature error says it all."""
        try:
            self.call("QuerySubsId", PhoneNoX="17000000000")
        except cloud.ProviderError as exc:
            code = exc.details.get("code") if isinstance(exc.details, dict) else None
            if code in ("SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound", None) or (
                exc.code == "not_configured"
            ):
                return cloud.Check("aliyun credentials", False, f"refused ({code or exc.code})")
            return cloud.Check("aliyun credentials", True, f"signed requests accepted ({code})")
        return cloud.Check("aliyun credentials", True, "signed requests accepted")

    # -- receipts --------------------------------------------------------------------------

    def authenticate(self, request: WebhookRequest, now: float) -> None:
        """Refuse a receipt whose URL does not carry the configured token."""
        query = dict(parse_qsl(urlsplit(request.url).query))
        given = query.get("token", "")
        if not self._token or not hmac.compare_digest(given.encode(), self._token.encode()):
            raise Denied("receipt token missing or wrong", code="bad_signature")

    def receipts(self, request: WebhookRequest) -> list[cloud.Receipt]:
        """Read a batch push; the message type is the last segment of the callback path."""
        kind = urlsplit(request.url).path.rstrip("/").rsplit("/", 1)[-1]
        if kind not in MESSAGE_TYPES:
            raise InvalidInput("unknown receipt type", code="invalid_webhook")
        items = cloud.parse_json(request.body)
        if not isinstance(items, list):
            raise InvalidInput("a receipt batch is a JSON array", code="invalid_webhook")
        return [r for item in items if isinstance(item, dict) if (r := _receipt(kind, item))]

    def acknowledge(self) -> tuple[str, str]:
        """Answer as the batch push expects."""
        return "application/json", json.dumps({"code": 0, "msg": "成功"}, ensure_ascii=False)

    # -- MNS queue mode ---------------------------------------------------------------------

    def queue_token(self, message_type: str, queue: str, endpoint: str) -> Token:
        """`QueryTokenForMnsQueue` (Dybaseapi): the temporary credentials of one queue."""
        answer = self.call(
            "QueryTokenForMnsQueue", endpoint=endpoint, MessageType=message_type, QueueName=queue
        )
        return token_from(answer)

    def queue_receipts(self, message_type: str, body: str) -> list[cloud.Receipt]:
        """Read one queue message: a receipt (a JSON object, or an array), maybe Base64-wrapped."""
        if message_type not in MESSAGE_TYPES:
            raise InvalidInput("unknown receipt type", code="invalid_webhook")
        data = _queue_json(body)
        items = data if isinstance(data, list) else [data]
        return [
            r for item in items if isinstance(item, dict) if (r := _receipt(message_type, item))
        ]

    def fetch_recording(self, location: str) -> tuple[bytes, str]:
        """Resolve a SecretRecording through QueryRecordFileDownloadUrl, then download it."""
        if location.startswith(RECORDING_QUERY):
            call_id, call_time = location[len(RECORDING_QUERY) :].split("|", 1)
            answer = self.call("QueryRecordFileDownloadUrl", CallId=call_id, CallTime=call_time)
            location = str(answer.get("DownloadUrl") or "")
            if not location:
                raise cloud.ProviderError("Alibaba Cloud has no recording for the call")
        return super().fetch_recording(location)


def _queue_json(body: str) -> Any:
    """Parse a queue message body: JSON, or JSON wrapped in Base64 (as MNS SDKs may send it)."""
    text = body.strip()
    if not text.startswith(("{", "[")):
        try:
            text = base64.b64decode(text, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput(
                "the queue message is not a receipt", code="invalid_webhook"
            ) from None
    data = cloud.parse_json(text.encode())
    if not isinstance(data, dict | list):
        raise InvalidInput("the queue message is not a receipt", code="invalid_webhook")
    return data


def _receipt(kind: str, item: dict[str, Any]) -> cloud.Receipt | None:
    call_id = str(item.get("call_id") or "").strip()
    if not call_id:
        return None
    sub_id = str(item["sub_id"]) if item.get("sub_id") is not None else None
    secret = item.get("secret_no")
    inbound = str(item.get("call_type")) == "1"  # the peer called A through X
    caller = item.get("peer_no") if inbound else item.get("phone_no")
    if kind == "SecretRecording":
        if str(item.get("status", "true")).lower() not in ("true", "1"):
            return None
        location = f"{RECORDING_QUERY}{call_id}|{item.get('call_time', '')}"
        return cloud.Receipt(
            call_id, "", binding_ref=sub_id, recording=location, recording_id=call_id
        )
    status = MESSAGE_TYPES[kind] or "completed"
    at = _time(item.get("release_time") if kind == "SecretReport" else None) or _time(
        item.get("start_time") or item.get("ring_time") or item.get("call_time")
    )
    duration = None
    channel = "sms" if int(item.get("sms_number") or 0) > 0 else "voice"
    if kind == "SecretReport":
        start, end = _time(item.get("start_time")), _time(item.get("release_time"))
        duration = int((end - start).total_seconds()) if start and end else None
        if str(item.get("unconnected_cause", 0)) not in ("0", "") or duration == 0:
            status = "no-answer" if channel == "voice" else "delivered"
            duration = 0 if channel == "voice" else None
        elif channel == "sms":
            status = "delivered"
    recording = item.get("record_url") if kind == "SecretReport" else None
    return cloud.Receipt(
        call_id,
        status,
        channel,
        at,
        duration,
        str(caller) if caller else None,
        str(secret) if secret else None,
        sub_id,
        str(recording) if recording else None,
        f"{call_id}" if recording else None,
    )


def _time(text: Any) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(str(text), TIME_FORMAT).replace(tzinfo=CHINA)
    except ValueError:
        return None
