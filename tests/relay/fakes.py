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


class FakeAliyun:
    """Dypls RPC: checks every documented signature rule, then answers like the platform."""

    def __init__(self, key_id: str, secret: str) -> None:
        self.key_id, self.secret, self.seen = key_id, secret, Seen()
        self.url = ""
        self.subs = 0

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
