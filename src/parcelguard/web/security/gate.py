"""The hardening layer as one plain ASGI pass: client address, headers, body limit, guard.

`Gate` is the one middleware `install` adds (outermost of all). In one call it resolves the
client address (`client_address.py`), checks the body limit (`body_limit.py`), applies the
rate limits and the bad-key lockout (`guard.py`) and adds the security headers to every
answer, refusals included (`headers.py`). The request's headers are read once; the security
headers are raw pairs built at start; there is one wrapper of `send` (headers, `Secure`
cookies, the status a bad-key count needs) and one of `receive` (the streamed body's size).
The order is that of the four middlewares it replaced: client address, headers, body limit,
guard, then the app.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcelguard.web.security.body_limit import declared_too_large, limited
from parcelguard.web.security.client_address import ClientAddress, TrustedProxies
from parcelguard.web.security.config import Hardening
from parcelguard.web.security.guard import Guard
from parcelguard.web.security.headers import SecurityHeaders


class Gate:
    """The hardening steps over one app, in one ASGI call."""

    def __init__(
        self,
        app: ASGIApp,
        hardening: Hardening,
        proxies: TrustedProxies,
        headers: SecurityHeaders,
    ) -> None:
        self.app = app
        self.hardening = hardening
        self.client_address = ClientAddress(app, proxies)
        self.guard = Guard(hardening)
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Resolve the client, then refuse or pass the request on with the answer hardened."""
        if scope["type"] != "http":
            await self.client_address(scope, receive, send)  # rewrites, then calls the app
            return
        self.client_address.rewrite(scope)
        path: str = scope.get("path", "")
        declared: bytes | None = None
        authorization: bytes | None = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and declared is None:
                declared = value
            elif name == b"authorization" and authorization is None:
                authorization = value
        has_bearer = authorization is not None and authorization.strip()[:7].lower() == b"bearer "
        extra, hsts = self.headers.for_request(scope)
        harden = self.headers.harden
        status = 0

        async def hardened_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                harden(message, extra, hsts, path)
            await send(message)

        limit = self.hardening.body_limit(path)
        refusal: Response | None = declared_too_large(declared, limit)
        guarded = self.hardening.limits.enabled
        if refusal is None and guarded:
            refusal = await self.guard.refusal(scope, has_bearer)
        if refusal is not None:
            await refusal(scope, receive, hardened_send)
            return
        await self.app(scope, limited(receive, limit), hardened_send)
        if guarded and has_bearer and status == 401:
            await self.guard.count_bad_key(scope)
