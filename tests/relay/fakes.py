"""Local fake platforms: real HTTP servers that check requests exactly as the providers
document them, written independently of the adapters they test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlsplit

RECORDING = b"ID3\x03\x00fake-mp3-audio" + bytes(range(256)) * 8


@dataclass
class Seen:
    """What a fake platform received and served."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    downloads: int = 0
    nonces: set[str] = field(default_factory=set)


def aliyun_encode(value: str) -> str:
    """Alibaba's documented recipe: URL-encode, then + → %20, * → %2A, %7E → ~."""
    return (
        quote_plus(value, encoding="utf-8")
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~")
    )


def aliyun_signature(secret: str, method: str, params: dict[str, str]) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(f"{aliyun_encode(k)}={aliyun_encode(v)}" for k, v in pairs)
    to_sign = f"{method}&{aliyun_encode('/')}&{aliyun_encode(query)}"
    mac = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def huawei_digest(secret: str, nonce: str, created: str) -> str:
    """PasswordDigest = Base64(HMAC-SHA256(APP_Secret, Nonce + Created))."""
    return base64.b64encode(
        hmac.new(secret.encode(), f"{nonce}{created}".encode(), hashlib.sha256).digest()
    ).decode()


def huawei_headers(key: str, secret: str, nonce: str, created: str | None = None) -> dict:
    created = created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    password = huawei_digest(secret, nonce, created)
    return {
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": (
            f'UsernameToken Username="{key}",PasswordDigest="{password}",'
            f'Nonce="{nonce}",Created="{created}"'
        ),
        "Content-Type": "application/json;charset=UTF-8",
    }


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, media: str = "application/json", **headers: str):
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        self.server.platform.get(self)

    def do_POST(self) -> None:
        self.server.platform.post(self)

    def do_DELETE(self) -> None:
        self.server.platform.delete(self)

    def do_PUT(self) -> None:
        self.server.platform.put(self)


class FakeAliyun:
    """Dypls RPC: checks every documented signature rule, then answers like the platform."""

    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id, self.secret, self.seen = key_id, secret, Seen()
        self.url = ""
        self.subs = 0
        # What QueryTokenForMnsQueue hands out: (AccessKeyId, AccessKeySecret, SecurityToken).
        self.mns_token = ("STS.mns-tmp-id", "mns-tmp-secret", "mns-security-token")

    def _check(self, params: dict[str, str]) -> str | None:
        if params.get("AccessKeyId") != self.key_id:
            return "InvalidAccessKeyId.NotFound"
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            return "InvalidSignatureMethod"
        stamp = datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
        if abs(stamp.replace(tzinfo=UTC).timestamp() - time.time()) > 900:
            return "InvalidTimeStamp.Expired"
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self.seen.nonces:
            return "SignatureNonceUsed"
        self.seen.nonces.add(nonce)
        expected = aliyun_signature(self.secret, "POST", params)
        if not hmac.compare_digest(expected, params.get("Signature", "")):
            return "SignatureDoesNotMatch"
        return None

    def post(self, h: _Handler) -> None:
        params = dict(parse_qsl(h._body().decode(), keep_blank_values=True))
        refused = self._check(params)
        if refused:
            self.seen.refused.append(refused)
            h._send(400, json.dumps({"Code": refused, "Message": "refused"}).encode())
            return
        self.seen.calls.append(params)
        action = params["Action"]
        answer: dict[str, Any] = {"Code": "OK", "Message": "OK", "RequestId": "R1"}
        if action.startswith("Bind"):
            self.subs += 1
            answer["SecretBindDTO"] = {
                "SubsId": f"10000{self.subs:011d}",
                "SecretNo": params["PhoneNoX"],
                "Extension": params.get("Extension", ""),
            }
        elif action == "QuerySubsId":
            answer["SubsId"] = "1000000000000001" if self.subs else None
        elif action == "QueryRecordFileDownloadUrl":
            answer["DownloadUrl"] = f"{self.url}/oss/{params['CallId']}.mp3"
        elif action == "QueryTokenForMnsQueue":
            key_id, secret, token = self.mns_token
            answer["MessageTokenDTO"] = {
                "AccessKeyId": key_id,
                "AccessKeySecret": secret,
                "SecurityToken": token,
                "CreateTime": "2026-12-03 20:00:00",
                "ExpireTime": "2099-12-31 23:00:00",
            }
        h._send(200, json.dumps(answer).encode())

    def get(self, h: _Handler) -> None:
        if h.path.startswith("/oss/"):
            self.seen.downloads += 1
            h._send(200, RECORDING, "audio/mpeg")
        elif h.path == "/relay/health":
            h._send(200, b'{"status":"ok"}')
        else:
            h._send(404, b"{}")

    def delete(self, h: _Handler) -> None:
        h._send(405, b"{}")


class FakeHuawei:
    """PrivateNumber REST: checks the AKSK headers as documented, then answers."""

    def __init__(self, key: str, secret: str) -> None:
        self.key, self.secret, self.seen = key, secret, Seen()
        self.url = ""
        self.subs = 0

    def _check(self, h: _Handler) -> bool:
        if (
            h.headers.get("Authorization")
            != 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"'
        ):
            self.seen.refused.append("authorization")
            return False
        fields = dict(re.findall(r'(\w+)="([^"]*)"', h.headers.get("X-AKSK", "")))
        created = fields.get("Created", "")
        stamp = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        fresh = abs(stamp.timestamp() - time.time()) < 300
        nonce = fields.get("Nonce", "")
        ok = (
            fields.get("Username") == self.key
            and fresh
            and nonce not in self.seen.nonces
            and 1 <= len(nonce) <= 128
            and hmac.compare_digest(
                fields.get("PasswordDigest", ""), huawei_digest(self.secret, nonce, created)
            )
        )
        self.seen.nonces.add(nonce)
        if not ok:
            self.seen.refused.append("x-aksk")
        return ok

    def _refuse(self, h: _Handler) -> None:
        h._send(
            401, json.dumps({"resultcode": "1010002", "resultdesc": "Invalid request"}).encode()
        )

    def post(self, h: _Handler) -> None:
        if not self._check(h):
            self._refuse(h)
            return
        body = json.loads(h._body())
        self.seen.calls.append({"path": urlsplit(h.path).path, **body})
        self.subs += 1
        answer = {"resultcode": "0", "resultdesc": "Success", "subscriptionId": f"hw-{self.subs}"}
        if "extendNum" in body:
            answer["extendNum"] = body["extendNum"]
        h._send(200, json.dumps(answer).encode())

    def delete(self, h: _Handler) -> None:
        if not self._check(h):
            self._refuse(h)
            return
        self.seen.calls.append({"path": urlsplit(h.path).path, "delete": urlsplit(h.path).query})
        h._send(200, json.dumps({"resultcode": "0", "resultdesc": "Success"}).encode())

    def get(self, h: _Handler) -> None:
        path = urlsplit(h.path).path
        if path == "/file/record.wav":
            self.seen.downloads += 1
            h._send(200, RECORDING, "audio/wav")
            return
        if path == "/relay/health":
            h._send(200, b'{"status":"ok"}')
            return
        if not self._check(h):
            self._refuse(h)
            return
        if path == "/rest/provision/voice/record/v1.0":
            h._send(301, b"", Location=f"{self.url}/file/record.wav")
            return
        h._send(200, json.dumps({"resultcode": "0", "relationNumList": []}).encode())


MNS_NS = "http://mns.aliyuncs.com/doc/v1/"


def mns_string_to_sign(method: str, headers: Any, resource: str) -> str:
    """MNS's documented string to sign, written from the documentation (not the adapter)."""
    mns = sorted(
        (k.lower(), v.strip()) for k, v in headers.items() if k.lower().startswith("x-mns-")
    )
    canonical = "".join(f"{k}:{v}\n" for k, v in mns)
    return "\n".join(
        [
            method,
            headers.get("Content-MD5", ""),
            headers.get("Content-Type", ""),
            headers.get("Date", ""),
            canonical + resource,
        ]
    )


@dataclass
class QueuedMessage:
    """A message in the fake queue, with MNS's visibility rules."""

    message_id: str
    body: str
    handle: str = ""
    visible: bool = True
    dequeues: int = 0


class FakeMns:
    """MNS REST (2015-06-06): checks the signature and the temporary token, keeps queues."""

    def __init__(self, key_id: str, secret: str, security_token: str) -> None:
        self.key_id, self.secret, self.token = key_id, secret, security_token
        self.seen = Seen()
        self.url = ""
        self.queues: dict[str, list[QueuedMessage]] = {}
        self.deleted: list[str] = []
        self.hidden: list[tuple[str, int]] = []  # (message id, seconds) of each visibility change
        self._handles = 0

    def enqueue(self, queue: str, body: str) -> str:
        message_id = f"M{sum(len(q) for q in self.queues.values()) + len(self.deleted) + 1:04d}"
        self.queues.setdefault(queue, []).append(QueuedMessage(message_id, body))
        return message_id

    def time_passes(self) -> None:
        """Every hidden message's visibility timeout runs out (no test waits for a clock)."""
        for queue in self.queues.values():
            for message in queue:
                message.visible = True

    def _check(self, h: _Handler) -> bool:
        auth = h.headers.get("Authorization", "")
        key_id, _, given = auth.removeprefix("MNS ").partition(":")
        try:
            date = datetime.strptime(h.headers.get("Date", ""), "%a, %d %b %Y %H:%M:%S GMT")
            fresh = abs(date.replace(tzinfo=UTC).timestamp() - time.time()) <= 900
        except ValueError:
            fresh = False
        expected = base64.b64encode(
            hmac.new(
                self.secret.encode(),
                mns_string_to_sign(h.command, h.headers, h.path).encode(),
                hashlib.sha1,
            ).digest()
        ).decode()
        problems = {
            "Authorization": auth.startswith("MNS ") and key_id == self.key_id,
            "security-token": h.headers.get("security-token") == self.token,
            "x-mns-version": h.headers.get("x-mns-version") == "2015-06-06",
            "Date": fresh,
            "SignatureDoesNotMatch": hmac.compare_digest(given, expected),
        }
        for name, ok in problems.items():
            if not ok:
                self.seen.refused.append(name)
                self._error(h, 403, "AccessDenied" if name != "SignatureDoesNotMatch" else name)
                return False
        return True

    def _error(self, h: _Handler, status: int, code: str) -> None:
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error xmlns="{MNS_NS}">'
            f"<Code>{code}</Code><Message>{code}</Message></Error>"
        )
        h._send(status, body.encode(), "text/xml")

    def _target(self, h: _Handler) -> tuple[str, dict[str, str]] | None:
        parts = urlsplit(h.path)
        match = re.fullmatch(r"/queues/([^/]+)/messages", parts.path)
        if match is None:
            self._error(h, 404, "QueueNotExist")
            return None
        return match.group(1), dict(parse_qsl(parts.query))

    def _new_handle(self) -> str:
        self._handles += 1
        return f"H-{self._handles:06d}-{secrets_hex()}"

    def get(self, h: _Handler) -> None:
        if not self._check(h) or (target := self._target(h)) is None:
            return
        queue, query = target
        self.seen.calls.append({"action": "ReceiveMessage", "queue": queue, **query})
        wanted = int(query.get("numOfMessages", "1"))
        found = [m for m in self.queues.get(queue, []) if m.visible][:wanted]
        if not found:
            self._error(h, 404, "MessageNotExist")
            return
        items = []
        for message in found:
            message.visible, message.dequeues = False, message.dequeues + 1
            message.handle = self._new_handle()
            digest = hashlib.md5(message.body.encode()).hexdigest().upper()  # noqa: S324
            items.append(
                f"<Message><MessageId>{message.message_id}</MessageId>"
                f"<ReceiptHandle>{message.handle}</ReceiptHandle>"
                f"<MessageBodyMD5>{digest}</MessageBodyMD5>"
                f"<MessageBody>{_xml_text(message.body)}</MessageBody>"
                f"<EnqueueTime>1250700979248</EnqueueTime><NextVisibleTime>1250700799348</NextVisibleTime>"
                f"<FirstDequeueTime>1250700779318</FirstDequeueTime>"
                f"<DequeueCount>{message.dequeues}</DequeueCount><Priority>8</Priority></Message>"
            )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?><Messages xmlns="{MNS_NS}">'
            f"{''.join(items)}</Messages>"
        )
        h._send(200, body.encode(), "text/xml")

    def delete(self, h: _Handler) -> None:
        if not self._check(h) or (target := self._target(h)) is None:
            return
        queue, query = target
        self.seen.calls.append({"action": "DeleteMessage", "queue": queue})
        handle = query.get("ReceiptHandle", "")
        for message in self.queues.get(queue, []):
            if message.handle == handle and not message.visible:
                self.queues[queue].remove(message)
                self.deleted.append(message.message_id)
                h._send(204, b"", "text/xml")
                return
        self._error(h, 404, "MessageNotExist")

    def put(self, h: _Handler) -> None:
        if not self._check(h) or (target := self._target(h)) is None:
            return
        queue, query = target
        self.seen.calls.append({"action": "ChangeMessageVisibility", "queue": queue})
        handle = query.get("receiptHandle", "")
        for message in self.queues.get(queue, []):
            if message.handle == handle and not message.visible:
                message.handle = self._new_handle()
                self.hidden.append((message.message_id, int(query.get("visibilityTimeout", "0"))))
                body = (
                    f'<?xml version="1.0" encoding="UTF-8"?><ChangeVisibility xmlns="{MNS_NS}">'
                    f"<ReceiptHandle>{message.handle}</ReceiptHandle>"
                    f"<NextVisibleTime>1250700979298</NextVisibleTime></ChangeVisibility>"
                )
                h._send(200, body.encode(), "text/xml")
                return
        self._error(h, 404, "MessageNotExist")

    def post(self, h: _Handler) -> None:
        self._error(h, 405, "MethodNotAllowed")


def secrets_hex() -> str:
    import secrets

    return secrets.token_hex(4)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@contextmanager
def serving(platform: Any) -> Iterator[Any]:
    """Run a fake platform on a local port for the duration of a test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.platform = platform  # type: ignore[attr-defined]
    platform.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
