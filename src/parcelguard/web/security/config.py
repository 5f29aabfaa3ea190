"""What the hardening middlewares share: `[http]` settings, rate-limit rules, body limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from parcelguard.ratelimit import Limit, RateLimitConfig
from parcelguard.runtime import Runtime

MIB = 1 << 20
# Paths that take more than `[http] max_body_bytes`; a key ending in `/` covers its subtree.
BODY_LIMITS = {
    "/api/v1/shipments": 16 * MIB,  # up to 5000 shipments per JSON request
    "/api/v1/pii/scan": 4 * MIB,  # 200 000 characters, JSON-escaped
    "/api/v1/pii/redact": 4 * MIB,
    "/api/v1/pii/redact-image": 26 * MIB,  # photos up to 25 MiB
    "/api/v1/forensics/trace": 1025 * MIB,  # leaked files up to 1 GiB
}
KeyKind = Literal["ip", "principal", "anonymous"]  # anonymous: per IP, unauthenticated only


class HttpConfig(BaseModel):
    """The `[http]` table of config.toml."""

    max_body_bytes: int = Field(default=MIB, ge=1024)
    body_limits: dict[str, int] = Field(default_factory=dict)  # path → bytes (see body_limit)
    hsts_max_age: int = Field(default=31_536_000, ge=0)
    # Proxies whose X-Forwarded-For / Forwarded / X-Real-IP are believed (CIDRs; none).
    trusted_proxies: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class RateRule:
    """A limit applied by path before the route runs, keyed by client IP or by principal.

    `anonymous` counts per client IP, and only requests without valid credentials.
    A `deferred` rule keyed by principal is counted where the route authenticates its caller
    (`deps.get_caller`, before the route's own work) instead of by a separate lookup first:
    for routes whose whole body is small and read before authentication anyway (reveal).
    """

    name: str
    methods: frozenset[str]
    pattern: re.Pattern[str]
    key: KeyKind
    default: Limit
    deferred: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Return whether the rule covers this request."""
        return method in self.methods and self.pattern.match(path) is not None


def rule(
    name: str,
    methods: str,
    pattern: str,
    key: KeyKind,
    limit: int,
    window: float,
    *,
    deferred: bool = False,
) -> RateRule:
    """Build a rule: `rule("sign_in", "POST", r"^/api/v1/auth/login/", "ip", 20, 60)`."""
    return RateRule(
        name,
        frozenset(methods.split()),
        re.compile(pattern),
        key,
        Limit(limit=limit, window=window),
        deferred=deferred and key == "principal",
    )


RULES = (
    rule(
        "sign_in",
        "POST",
        r"^/api/v1/auth/((login|register|step-up)/|enrolment-links/check$)",
        "ip",
        20,
        60,
    ),
    rule("one_time_code", "POST", r"^/portal/(code|signin)$", "ip", 30, 60),
    rule("reveal", "POST", r"^/api/v1/shipments/[^/]+/reveal$", "principal", 60, 60, deferred=True),
    rule("caller_verify", "POST", r"^/(api/v1/relay|portal)/verify$", "ip", 30, 60),
    rule("exposure_check", "GET", r"^/api/v1/exposure/", "ip", 60, 60),
    rule("pii_text", "POST", r"^/api/v1/pii/(scan|redact)$", "ip", 600, 60),
    rule("pii_image", "POST", r"^/api/v1/pii/redact-image$", "ip", 20, 60),
    rule("pii_image_anonymous", "POST", r"^/api/v1/pii/redact-image$", "anonymous", 6, 60),
    rule("pii_image_anonymous_day", "POST", r"^/api/v1/pii/redact-image$", "anonymous", 100, 86400),
    rule("leak_trace", "POST", r"^/api/v1/forensics/trace$", "principal", 10, 60),
    rule("doctor", "GET", r"^/api/v1/doctor$", "principal", 6, 60),
)
LOCKOUT = Limit(limit=5, window=600)


@dataclass
class Hardening:
    """Settings, limits and rules of one app; other domains may add rules and body limits."""

    rt: Runtime
    http: HttpConfig
    limits: RateLimitConfig
    rules: list[RateRule] = field(default_factory=lambda: list(RULES))
    body_limits: dict[str, int] = field(default_factory=dict)

    def body_limit(self, path: str) -> int:
        """Return a path's body limit: its own, else the longest `…/` prefix's, else the default.

        A key ending in `/` covers its whole subtree; any other key only that exact path.
        """
        exact = self.body_limits.get(path)
        if exact is not None:
            return exact
        best, size = -1, self.http.max_body_bytes
        for prefix, limit in self.body_limits.items():
            if prefix.endswith("/") and path.startswith(prefix) and len(prefix) > best:
                best, size = len(prefix), limit
        return size
