"""Rate limits by path before the route runs, and the lockout after repeated bad API keys.

A rule keyed by `principal` authenticates the caller once (the route reuses the cached
caller); a `deferred` one (reveal) leaves that to the route, which counts the request the
moment it knows its caller (`count_deferred`, from `deps.get_caller`) so the request crosses
to the thread pool once. A request whose credentials fail is not counted there but, when it
carried a bearer key, counts toward its address's lockout: `[ratelimit.limits.lockout]`
(5 per 10 minutes) bad keys lock the address out of bearer requests (429 `locked_out`) and
audit one `auth.lockout` event with the address's network and a keyed reference, never the
address.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from limits.errors import StorageError
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response
from starlette.types import Scope

from parcelguard.errors import ParcelGuardError, RateLimited
from parcelguard.ratelimit import Limit, config_for
from parcelguard.runtime import Runtime
from parcelguard.web.security.answers import limited, unavailable
from parcelguard.web.security.body_limit import header
from parcelguard.web.security.config import LOCKOUT, Hardening, KeyKind
from parcelguard.web.security.deferred import DEFERRED

log = logging.getLogger("parcelguard.http")


class Guard:
    """Applies the path rules and the bad-key lockout of one app (for the `Gate`)."""

    def __init__(self, hardening: Hardening) -> None:
        self.hardening = hardening

    async def refusal(self, scope: Scope, has_bearer: bool) -> Response | None:
        """Return the answer refusing an over-limit request (None: let it through)."""
        try:
            return await self._refusal(scope, has_bearer)
        except (SQLAlchemyError, StorageError) as exc:  # the database or Redis went away
            log.warning("rate-limit store unavailable (%s)", type(exc).__name__)
            return unavailable()

    async def count_bad_key(self, scope: Scope) -> None:
        """Count a bearer request that was answered 401 toward its address's lockout."""
        try:
            await run_in_threadpool(self._bad_key, scope)
        except (SQLAlchemyError, StorageError) as exc:  # the answer is sent; the count is lost
            log.warning("could not count a bad API key (%s)", type(exc).__name__)

    async def _refusal(self, scope: Scope, has_bearer: bool) -> JSONResponse | None:
        h = self.hardening
        limiter = h.rt.limiter
        if has_bearer:
            lock = h.limits.limit_for("lockout", LOCKOUT)
            try:
                limiter.check(lockout_key(scope), lock.limit, lock.window)
            except RateLimited as exc:
                return limited(exc, "locked_out", "too many bad API keys from this address")
        method, path = scope["method"], scope.get("path", "")
        for rule in h.rules:
            if not rule.matches(method, path):
                continue
            limit = h.limits.limit_for(rule.name, rule.default)
            if rule.deferred:
                scope.setdefault("state", {}).setdefault(DEFERRED, []).append((rule.name, limit))
                continue
            subject = await _subject(rule.key, scope)
            if subject is None:
                continue  # bad credentials (the route answers 401), or not anonymous
            try:
                limiter.hit(f"{rule.name}:{subject}", limit.limit, limit.window)
            except RateLimited as exc:
                return limited(exc, "rate_limited", f"too many {rule.name} requests")
        return None

    def _bad_key(self, scope: Scope) -> None:
        h = self.hardening
        lock = h.limits.limit_for("lockout", LOCKOUT)
        limiter, ip = h.rt.limiter, client_ip(scope)
        failures = limiter.record(lockout_key(scope), lock.limit, lock.window)
        if failures < lock.limit:
            return
        try:  # one report per lockout, however many workers saw the failures
            limiter.hit(f"lockout_reported:ip:{ip}", 1, lock.window)
        except RateLimited:
            return
        record_lockout(h.rt, ip, lock.limit, lock)


def rate_limit(
    name: str, default: Limit, *, key: KeyKind | Callable[[Request], str] = "ip"
) -> Callable[[Request], Awaitable[None]]:
    """Return a FastAPI dependency counting one attempt of `name` per IP, principal or key.

    `Depends(rate_limit("caller_verify", Limit(limit=10, window=3600)))`; a callable key
    gets the request and returns the subject (a digest, never plaintext PII).
    """

    async def dependency(request: Request) -> None:
        rt: Runtime = request.app.state.runtime
        config = config_for(rt)
        if not config.enabled:
            return
        if callable(key):
            subject: str | None = key(request)
        elif key == "principal":
            subject = await principal_key(request) or f"ip:{client_ip(request.scope)}"
        else:
            subject = await _subject(key, request.scope)
        if subject is None:
            return
        limit = config.limit_for(name, default)
        rt.limiter.hit(f"{name}:{subject}", limit.limit, limit.window)

    return dependency


async def _subject(kind: KeyKind, scope: Scope) -> str | None:
    """Return who a rule counts: the address, the principal, or the address of the anonymous."""
    if kind == "ip":
        return f"ip:{client_ip(scope)}"
    principal = await principal_key(Request(scope))
    if kind == "principal":
        return principal
    return None if principal is not None else f"ip:{client_ip(scope)}"


def record_lockout(rt: Runtime, ip: str, failures: int, lock: Limit) -> None:
    """Audit `auth.lockout` for an address: its network and a keyed reference, not the IP."""
    from parcelguard.audit.service import Actor, Entry, auditor_for

    ref = rt.keyring.index.digest(rt.tenant, "client_ip", ip).hex()[:16]
    details = {
        "failures": failures,
        "window_s": int(lock.window),
        "network": network_of(ip),
        "client": ref,  # the monitor's alert names the address by this reference
    }
    entry = Entry(
        "auth.lockout", "client", ref, decision="deny", reason="bad_api_keys", details=details
    )
    with rt.db.session() as session:
        auditor_for(rt).record(session, Actor("unauthenticated", "anonymous"), entry)
    log.warning("locked out network %s after %d bad API keys", details["network"], failures)


def network_of(ip: str) -> str:
    """Return the /24 (IPv4) or /48 (IPv6) network of an address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def client_ip(scope: Scope) -> str:
    """Return the client's address (`ClientAddress` resolved it from trusted proxies only)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def lockout_key(scope: Scope) -> str:
    """Return the limiter key of an address's bad-key count."""
    return f"lockout:ip:{client_ip(scope)}"


async def principal_key(request: Request) -> str | None:
    """Return `principal:<id>` of the caller, or None when it cannot be authenticated."""
    from parcelguard.web.deps import resolve_caller

    value = header(request.scope, b"authorization")
    credentials = None
    if value is not None and value[:7].lower() == "bearer ":
        credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=value[7:].strip())
    try:
        caller = await run_in_threadpool(resolve_caller, request, credentials)
    except (ParcelGuardError, SQLAlchemyError):
        return None  # the route meets the same problem and answers it properly (401, 503)
    return f"principal:{caller.principal_id}"
