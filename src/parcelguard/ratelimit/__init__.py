"""Rate limits, one recipe: `limits`' moving window, in memory or shared through Redis.

Every limit in ParcelGuard goes through the runtime's `RateLimiter` (`rt.limiter`): the path
rules and the bad-key lockout (`web/security`), the portal's one-time codes, the label scans
and pickup codes, the exposure range query, the console's self-check. By default the windows
live in the process (`MemoryWindows`); with `PARCELGUARD_REDIS_URL` they live in Redis
(`RedisWindows`) and every server process shares them. See docs/hardening.md.
"""

from parcelguard.ratelimit.config import Limit, RateLimitConfig, config_for
from parcelguard.ratelimit.limiter import RateLimiter
from parcelguard.ratelimit.storage import MemoryWindows, RedisWindows

__all__ = [
    "Limit",
    "MemoryWindows",
    "RateLimitConfig",
    "RateLimiter",
    "RedisWindows",
    "config_for",
]
