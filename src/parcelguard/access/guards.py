"""Who may call what (outside reveal, which has its own policy): roles and service scopes.

Services call `require` themselves, for every caller (CLI, API, pages); the HTTP routers say
the same rule once more as a dependency (`web.deps.RequireRole`), so a refusal comes early.
"""

from __future__ import annotations

from collections.abc import Iterable

from parcelguard.access.principals import Caller
from parcelguard.access.roles import STAFF_ROLES
from parcelguard.errors import Denied

STAFF: tuple[str, ...] = tuple(role.value for role in STAFF_ROLES)


def require(caller: Caller, *, roles: Iterable[str] = (), scope: str | None = None) -> None:
    """Allow staff of the given roles, or a service key carrying `scope`; else `Denied`."""
    if caller.role == "service":
        if scope is not None and scope in caller.scopes:
            return
        raise Denied(f"this service key lacks the {scope!r} scope", code="scope_missing")
    if caller.role in set(roles):
        return
    raise Denied(f"a {caller.role} may not do this", code="role_not_allowed")
