"""Rate rules the `Guard` leaves to the route: counted once the route knows its caller.

The `Guard` middleware cannot tell who calls without authenticating, which the route does
anyway; rules keyed by principal are queued on `request.state` and counted here, from
`deps.get_caller`, so a request crosses to the thread pool once. Kept apart from the guard so
that `deps` and the guard do not import each other.
"""

from __future__ import annotations

from fastapi import Request

from parcelguard.errors import RateLimited

DEFERRED = "pg_deferred_rate_rules"  # request.state: (rule name, limit) left to the route


def count_deferred(request: Request, principal_id: str) -> None:
    """Count the request against the deferred rules the `Guard` left for its caller.

    Called by `deps.get_caller` once the caller is known (each rule once per request); over
    the limit raises `RateLimited`, answered 429 `rate_limited` like the `Guard`'s refusals.
    """
    state = request.scope.get("state")
    pending = state.pop(DEFERRED, None) if isinstance(state, dict) else None
    if not pending:
        return
    limiter = request.app.state.runtime.limiter
    for name, limit in pending:
        try:
            limiter.hit(f"{name}:principal:{principal_id}", limit.limit, limit.window)
        except RateLimited as exc:
            retry = (exc.details or {}).get("retry_after", 60)
            raise RateLimited(
                f"too many {name} requests; try again in {retry} s",
                code="rate_limited",
                details={"retry_after": retry},
            ) from None
