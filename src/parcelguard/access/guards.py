"""Who may call what (outside reveal, which has its own policy): roles and service scopes."""

from __future__ import annotations

from collections.abc import Iterable

from parcelguard.access.principals import Caller
from parcelguard.errors import Denied

STAFF = ("courier", "station_clerk", "customer_service", "security_officer", "admin")


def require(caller: Caller, *, roles: Iterable[str] = (), scope: str | None = None) -> None:
    """Allow staff of the given roles, or a service key carrying `scope`; else `Denied`."""
    if caller.role == "service":
        if scope is not None and scope in caller.scopes:
            return
        raise Denied(f"this service key lacks the {scope!r} scope", code="scope_missing")
    if caller.role in set(roles):
        return
    raise Denied(f"a {caller.role} may not do this", code="role_not_allowed")
