"""Security headers on every answer: CSP without inline scripts, no framing, no referrer.

The one place the policies are written. `SecurityHeaders` (applied once by the `Gate`, right
after the client address is resolved) adds them to every answer: pages, API answers, error
pages, redirects, files.
Routes set no security header of their own; the one exception is a standalone document (the
leak report, which must work offline as a file and so carries its stylesheet inline), whose
route asks `document_policy(html)` for the stricter policy that allows exactly that stylesheet.
HSTS goes out when `hsts` is set, and on https answers when the public URL is https.

With a public URL on https (or `secure_cookies`), every `Set-Cookie` of every answer also
gets `Secure`, whichever route set it: no cookie of ours ever travels over plain HTTP.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import Message, Scope

from parcelguard.runtime import Runtime

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
# FastAPI's /docs and /redoc load Swagger UI / ReDoc from a CDN with an inline bootstrap
# script; they get this looser policy in development only (production keeps CSP above).
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src blob:; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)


def security_headers(rt: Runtime, hsts_max_age: int) -> dict[str, str]:
    """Return the headers every answer carries (a route may set its own stricter ones)."""
    headers = dict(HEADERS)
    if rt.settings.hsts:
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age}; includeSubDomains"
    return headers


def https_hsts(rt: Runtime, hsts_max_age: int) -> str | None:
    """Return the HSTS value for https answers when the public URL is https (else None)."""
    if rt.settings.base_url.lower().startswith("https://") and hsts_max_age > 0:
        return f"max-age={hsts_max_age}"
    return None


def document_policy(html: str) -> str:
    """Return the CSP of a standalone document: its own inline stylesheets (by hash), no script."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _STYLE.findall(html)
    )
    return (
        f"default-src 'none'; style-src {hashes or chr(39) + 'none' + chr(39)}; img-src data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


Raw = list[tuple[bytes, bytes]]
_CSP = b"content-security-policy"
_HSTS = b"strict-transport-security"
_CACHE = b"cache-control"


class SecurityHeaders:
    """The security headers of every HTTP answer, built once as raw (bytes) header pairs.

    `Gate` (`gate.py`) adds them to each answer's start message through `harden`; nothing but
    static files is cached, and a header the route set itself is kept.
    """

    def __init__(
        self,
        headers: dict[str, str],
        relaxed_docs: bool,
        secure_cookies: bool = False,
        https_hsts: str | None = None,
    ) -> None:
        self.headers: Raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self.docs_headers: Raw = [
            (k, DOCS_CSP.encode() if k == _CSP else v) for k, v in self.headers
        ]
        self.relaxed_docs = relaxed_docs
        self.secure_cookies = secure_cookies
        self.https_hsts = https_hsts.encode() if https_hsts else None

    def for_request(self, scope: Scope) -> tuple[Raw, bytes | None]:
        """Return the headers a request's answers get, and its HSTS value (https only)."""
        docs = self.relaxed_docs and scope.get("path", "") in DOCS_PATHS
        hsts = self.https_hsts if scope.get("scheme") == "https" else None
        return (self.docs_headers if docs else self.headers), hsts

    def harden(self, message: Message, extra: Raw, hsts: bytes | None, path: str) -> None:
        """Add what an answer's start message lacks (in place)."""
        raw: Raw = list(message.get("headers", ()))
        present = {bytes(k).lower() for k, _ in raw}
        raw += [(k, v) for k, v in extra if k not in present]
        if hsts and _HSTS not in present:
            raw.append((_HSTS, hsts))
        if _CACHE not in present and not path.startswith("/static/"):
            raw.append((_CACHE, b"no-store"))  # answers may hold PII
        if self.secure_cookies:
            raw = [secure_cookie(k, v) for k, v in raw]
        message["headers"] = raw


def secure_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    """Return a header with `; Secure` added when it is a `Set-Cookie` that lacks it."""
    if name.lower() != b"set-cookie":
        return name, value
    attributes = [part.strip().lower() for part in value.split(b";")[1:]]
    return name, value if b"secure" in attributes else value + b"; Secure"
