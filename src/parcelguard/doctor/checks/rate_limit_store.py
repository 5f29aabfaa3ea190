"""Check: where the rate limits count, and that Redis answers when it is the store."""

from __future__ import annotations

from parcelguard.doctor.check import Check, DoctorContext, Finding


class RateLimitStore(Check):
    """With Redis configured, a Redis that does not answer refuses every limited request."""

    name = "ratelimit.store"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail when the configured Redis does not answer; say where the windows live."""
        limiter = ctx.rt.limiter
        if not limiter.shared:
            return self.passed(
                "in memory, per process (set PARCELGUARD_REDIS_URL when several workers serve)"
            )
        if not limiter.storage.check():  # a ping; any failure is False
            return self.failed("Redis (PARCELGUARD_REDIS_URL) does not answer: limits answer 503")
        return self.passed("in Redis, shared by every process")
