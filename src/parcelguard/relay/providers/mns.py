r"""Alibaba Cloud MNS (消息服务, now Simple Message Queue) queues, as 号码隐私保护 uses them.

Besides HTTP batch push, Alibaba delivers 号码隐私保护 receipts into MNS queues, one per
message type (`Alicom-Queue-<id>-SecretReport` …), read with a temporary token that the RPC
action `QueryTokenForMnsQueue` (Dybaseapi, 2017-05-25) hands out for each queue:
`MessageTokenDTO {AccessKeyId, AccessKeySecret, SecurityToken, ExpireTime}`.

The queue API is MNS's REST API (x-mns-version 2015-06-06): `ReceiveMessage` (`GET
/queues/<q>/messages?numOfMessages=&waitseconds=`), `DeleteMessage` (`DELETE
/queues/<q>/messages?ReceiptHandle=`) and `ChangeMessageVisibility` (`PUT
/queues/<q>/messages?receiptHandle=&visibilityTimeout=`), each signed as MNS publishes:

    Authorization: MNS <AccessKeyId>:Base64(HMAC-SHA1(AccessKeySecret,
        METHOD + "\n" + Content-MD5 + "\n" + Content-Type + "\n" + Date + "\n"
        + CanonicalizedMNSHeaders + CanonicalizedResource))

CanonicalizedMNSHeaders are the `x-mns-*` headers, names lower-cased, sorted, `name:value\n`
each; CanonicalizedResource is the path with its query string; Date is RFC 1123 GMT (MNS
refuses one more than 15 minutes off). The temporary token travels as `security-token`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import httpx

from parcelguard.relay.providers.base import Quiet
from parcelguard.relay.providers.cloud import TIMEOUT, ProviderError

VERSION = "2015-06-06"
CONTENT_TYPE = "text/xml;charset=utf-8"
NAMESPACE = "{http://mns.aliyuncs.com/doc/v1/}"
# A token is renewed this long before Alibaba says it expires.
RENEW_BEFORE = 120.0
_UNSAFE_XML = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)


def string_to_sign(
    method: str,
    content_md5: str,
    content_type: str,
    date: str,
    headers: dict[str, str],
    resource: str,
) -> str:
    """Return MNS's string to sign (see the module docstring)."""
    mns = "".join(
        f"{name}:{value}\n"
        for name, value in sorted((k.lower(), v.strip()) for k, v in headers.items())
        if name.startswith("x-mns-")
    )
    return f"{method}\n{content_md5}\n{content_type}\n{date}\n{mns}{resource}"


def signature(secret: str, to_sign: str) -> str:
    """Return `Base64(HMAC-SHA1(AccessKeySecret, StringToSign))`."""
    mac = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


@dataclass(frozen=True, repr=False)
class Token(Quiet):
    """A queue's temporary credentials (`MessageTokenDTO`)."""

    SHOWN = ("key_id",)

    key_id: str
    secret: str
    security_token: str | None
    expires: float  # epoch seconds


@dataclass(frozen=True, repr=False)
class QueueMessage(Quiet):
    """One received message: its id, the handle that deletes it, its body, its deliveries."""

    SHOWN = ("message_id",)

    message_id: str
    receipt_handle: str
    body: str
    dequeue_count: int


class MnsQueues:
    """The MNS REST API of one account endpoint, with a token per queue."""

    def __init__(self, endpoint: str, http: httpx.Client | None = None) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._http = http or httpx.Client(timeout=TIMEOUT + 30)

    def _request(self, token: Token, method: str, queue: str, query: str) -> httpx.Response:
        resource = f"/queues/{quote(queue, safe='')}/messages?{query}"
        date = format_datetime(datetime.now(UTC), usegmt=True)
        headers = {"x-mns-version": VERSION}
        to_sign = string_to_sign(method, "", CONTENT_TYPE, date, headers, resource)
        headers |= {
            "Date": date,
            "Content-Type": CONTENT_TYPE,
            "Authorization": f"MNS {token.key_id}:{signature(token.secret, to_sign)}",
        }
        if token.security_token:
            headers["security-token"] = token.security_token
        try:
            return self._http.request(method, self._endpoint + resource, headers=headers)
        except httpx.HTTPError as exc:
            raise ProviderError(
                "the MNS queue did not answer", details={"error": type(exc).__name__}
            ) from None

    def receive(
        self, token: Token, queue: str, *, batch: int = 16, wait_seconds: int = 0
    ) -> list[QueueMessage]:
        """`ReceiveMessage` (batch): up to `batch` messages, [] when the queue is empty."""
        query = f"numOfMessages={batch}&waitseconds={wait_seconds}"
        response = self._request(token, "GET", queue, query)
        if response.status_code == 404 and _error_code(response.content) == "MessageNotExist":
            return []
        _raise_unless(response, 200, "ReceiveMessage")
        root = _parse(response.content)
        found = [root] if _local(root.tag) == "Message" else list(root)
        return [_message(item) for item in found if _local(item.tag) == "Message"]

    def delete(self, token: Token, queue: str, receipt_handle: str) -> None:
        """`DeleteMessage`: the message is gone (an expired handle is an error)."""
        query = f"ReceiptHandle={quote(receipt_handle, safe='')}"
        _raise_unless(self._request(token, "DELETE", queue, query), 204, "DeleteMessage")

    def change_visibility(self, token: Token, queue: str, receipt_handle: str, seconds: int) -> str:
        """`ChangeMessageVisibility`: hide the message `seconds` longer; return its new handle."""
        query = f"receiptHandle={quote(receipt_handle, safe='')}&visibilityTimeout={seconds}"
        response = self._request(token, "PUT", queue, query)
        _raise_unless(response, 200, "ChangeMessageVisibility")
        return _text(_parse(response.content), "ReceiptHandle") or receipt_handle


def token_from(answer: dict[str, Any], now: float | None = None) -> Token:
    """Read `QueryTokenForMnsQueue`'s `MessageTokenDTO`."""
    dto = answer.get("MessageTokenDTO") or {}
    if not dto.get("AccessKeyId") or not dto.get("AccessKeySecret"):
        raise ProviderError("Alibaba Cloud gave no queue token", code="provider_error")
    expires = _expiry(dto.get("ExpireTime"), now)
    return Token(
        str(dto["AccessKeyId"]),
        str(dto["AccessKeySecret"]),
        str(dto["SecurityToken"]) if dto.get("SecurityToken") else None,
        expires,
    )


def _expiry(text: Any, now: float | None) -> float:
    """Return the token's expiry (`2026-12-03 20:00:00`, China time) as epoch seconds."""
    from parcelguard.clock import CHINA

    try:
        return datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA).timestamp()
    except ValueError:
        return (now if now is not None else time.time()) + 600.0  # unknown: ten minutes


def _parse(content: bytes) -> ElementTree.Element:
    if _UNSAFE_XML.search(content):  # no DTDs or entities: no expansion bombs
        raise ProviderError("the MNS answer is not plain XML", code="provider_error")
    try:
        return ElementTree.fromstring(content)  # noqa: S314 - DTD-free, checked above
    except ElementTree.ParseError:
        raise ProviderError("the MNS answer is not XML", code="provider_error") from None


def _local(tag: str) -> str:
    return tag.removeprefix(NAMESPACE)


def _text(element: ElementTree.Element, name: str) -> str | None:
    found = element.find(NAMESPACE + name)
    if found is None:
        found = element.find(name)
    return found.text if found is not None and found.text is not None else None


def _message(element: ElementTree.Element) -> QueueMessage:
    return QueueMessage(
        _text(element, "MessageId") or "",
        _text(element, "ReceiptHandle") or "",
        _text(element, "MessageBody") or "",
        int(_text(element, "DequeueCount") or 1),
    )


def _error_code(content: bytes) -> str | None:
    try:
        return _text(_parse(content), "Code")
    except ProviderError:
        return None


def _raise_unless(response: httpx.Response, status: int, action: str) -> None:
    if response.status_code != status:
        raise ProviderError(
            "the MNS queue refused the request",
            details={
                "action": action,
                "code": _error_code(response.content) or str(response.status_code),
            },
        )
