"""HTTP hardening: security headers, body size limits, rate limits, lockout and clean 503s.

`install(app, rt)` adds one plain ASGI middleware, `Gate` (outermost of all), doing in one
pass, in this order: the one client address (`ClientAddress`, from `[http] trusted_proxies`
only), the security headers on every answer (`SecurityHeaders`: CSP without inline scripts,
no framing, no referrer, no caching of answers that may hold PII, HSTS when `hsts`, `Secure`
on every cookie when the public URL is https), the body limit (413 over `[http]
max_body_bytes`, larger limits per path prefix) and the `Guard` (rate limits per client IP
or per principal, lockout after repeated bad API keys). Refusals go through the one error mapping
(`web.errors`): a database or rate-limit Redis that went away answers 503, never a stack
trace; logs mask tokens and never print exception messages.
Other domains widen a body limit with `allow_body`, add a path rule with `add_rate_rule`, or
limit inside a route with `Depends(rate_limit(...))`. See docs/hardening.md.
"""

from __future__ import annotations

from fastapi import FastAPI

from parcelguard.ratelimit import Limit, config_for
from parcelguard.runtime import Runtime
from parcelguard.web.security import log_hygiene
from parcelguard.web.security.answers import error_response, validation_problems
from parcelguard.web.security.client_address import TrustedProxies
from parcelguard.web.security.config import (
    BODY_LIMITS,
    RULES,
    Hardening,
    HttpConfig,
    RateRule,
    rule,
)
from parcelguard.web.security.gate import Gate
from parcelguard.web.security.guard import client_ip, rate_limit, record_lockout
from parcelguard.web.security.headers import SecurityHeaders, https_hsts, security_headers


def install(app: FastAPI, rt: Runtime) -> Hardening:
    """Add the hardening middlewares (outermost of all) and the database-unavailable handler."""
    http = rt.settings.section("http", HttpConfig)
    proxies = TrustedProxies.parse(http.trusted_proxies)
    hardening = Hardening(rt, http, config_for(rt), body_limits={**BODY_LIMITS, **http.body_limits})
    app.state.hardening = hardening
    headers = security_headers(rt, http.hsts_max_age)
    answers = SecurityHeaders(
        headers,
        relaxed_docs=rt.settings.environment == "development",
        secure_cookies=rt.settings.cookies_secure,
        https_hsts=https_hsts(rt, http.hsts_max_age),
    )
    app.add_middleware(Gate, hardening=hardening, proxies=proxies, headers=answers)
    app.state.security_headers = headers  # for the 500 answer, sent from outside them
    log_hygiene.install()
    return hardening


def allow_body(app: FastAPI, path: str, max_bytes: int) -> None:
    """Let a path (or with a trailing `/`, a subtree) take bodies up to `max_bytes`."""
    hardening: Hardening = app.state.hardening
    hardening.body_limits.setdefault(path, max_bytes)


def add_rate_rule(app: FastAPI, new: RateRule) -> None:
    """Apply another path rule (its limit is configurable as `[ratelimit.limits.<name>]`)."""
    hardening: Hardening = app.state.hardening
    hardening.rules.append(new)


__all__ = [
    "RULES",
    "Hardening",
    "HttpConfig",
    "Limit",
    "RateRule",
    "add_rate_rule",
    "allow_body",
    "client_ip",
    "error_response",
    "install",
    "rate_limit",
    "record_lockout",
    "rule",
    "validation_problems",
]
