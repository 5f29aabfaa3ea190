"""Security headers on every answer: CSP without inline scripts, no framing, no referrer.

The one place the policies are written. `SecurityHeaders` (installed once, outermost but the
client address) adds them to every answer: pages, API answers, error pages, redirects, files.
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

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """Adds the security headers to every HTTP answer; nothing but static files is cached."""

    def __init__(
        self,
        app: ASGIApp,
        headers: dict[str, str],
        relaxed_docs: bool,
        secure_cookies: bool = False,
        https_hsts: str | None = None,
    ) -> None:
        self.app = app
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.relaxed_docs = relaxed_docs
        self.secure_cookies = secure_cookies
        self.https_hsts = https_hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers the answer does not already carry."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        docs = self.relaxed_docs and path in DOCS_PATHS
        hsts = self.https_hsts if scope.get("scheme") == "https" else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        csp = docs and name == "content-security-policy"
                        headers[name] = DOCS_CSP if csp else value
                if hsts and "strict-transport-security" not in headers:
                    headers["strict-transport-security"] = hsts
                if "cache-control" not in headers and not path.startswith("/static/"):
                    headers["cache-control"] = "no-store"  # answers may hold PII
                if self.secure_cookies:
                    message["headers"] = [secure_cookie(k, v) for k, v in headers.raw]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secure_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    """Return a header with `; Secure` added when it is a `Set-Cookie` that lacks it."""
    if name.lower() != b"set-cookie":
        return name, value
    attributes = [part.strip().lower() for part in value.split(b";")[1:]]
    return name, value if b"secure" in attributes else value + b"; Secure"
