"""What every staff console page shares: who is signed in, the role menu and the rendering.

Who may open a page is written once, as a type: `staff: Annotated[Staff, StaffSession(
Role.OFFICER)]` (modules name theirs, e.g. `OfficerPage`). A signed-out browser asking for a
page is sent to the sign-in page (and back afterwards when the page had a query, such as a
scanned label's `?reveal=`); a signed-out script gets 401; a member of staff of another role
gets the "not for your role" page (403) with their own menu (`web.errors`, `web.areas`).
Pages render through `render` (the one page shell, `pages.render`) with the console's words
and the menu of the caller's role.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from parcelguard.access import sessions
from parcelguard.access.roles import Role
from parcelguard.errors import Denied, NotAuthenticated
from parcelguard.runtime import Runtime
from parcelguard.web import csrf, pages
from parcelguard.web.deps import get_runtime
from parcelguard.web.pages import Redirect, language
from parcelguard.web.results import Staff as Staff
from parcelguard.words import both

BASE = both("console")

# Each role's pages, in menu order: (path, key of the link's words in BASE).
ROLE_LINKS: dict[str, tuple[tuple[str, str], ...]] = {
    "courier": (("/console/deliveries", "nav_deliveries"),),
    "station_clerk": (("/console/station", "nav_station"),),
    "customer_service": (
        ("/console/service", "nav_service"),
        ("/console/service/lookup", "nav_lookup"),
    ),
    "security_officer": (
        ("/console/security", "nav_security"),
        ("/console/service", "nav_service"),
        ("/console/admin/policy", "nav_policy"),
        ("/console/service/lookup", "nav_lookup"),
    ),
    "admin": (
        ("/console/admin", "nav_admin"),
        ("/console/admin/policy", "nav_policy"),
        ("/console/security", "nav_security_admin"),
    ),
}


def signed_in(rt: Runtime, request: Request) -> Staff | None:
    """Return the member of staff behind the session cookie, or None."""
    token = request.cookies.get(sessions.COOKIE) or ""
    if not token:
        return None
    with rt.db.read_session() as session:
        live = sessions.find_live(rt, session, token)
        if live is None:
            return None
        try:
            staff = Staff(sessions.authenticate_session(rt, session, token), live.csrf_token)
        except NotAuthenticated:
            return None
    csrf.remember(request, staff.csrf)
    request.state.staff = staff  # the error pages show this caller's menu
    return staff


def StaffSession(*roles: Role) -> Any:
    """Return the dependency of a console page or action: the signed-in staff of `roles`.

    No roles: any signed-in member of staff. Refusals are raised, so the one error mapping
    answers them (a redirect to sign in, 401, or the 403 page with the caller's own menu).
    """

    def signed_in_staff(request: Request, rt: Annotated[Runtime, Depends(get_runtime)]) -> Staff:
        staff = signed_in(rt, request)
        if staff is None:
            if request.method in ("GET", "HEAD"):
                raise Redirect(sign_in_location(request))
            raise NotAuthenticated("sign in again", code="not_authenticated")
        if roles and staff.caller.role not in roles:
            raise Denied(f"a {staff.caller.role} may not open this", code="role_not_allowed")
        return staff

    return Depends(signed_in_staff)


def sign_in_location(request: Request) -> str:
    """Return the sign-in page, coming back to this page when it was asked with a query."""
    if not request.url.query:
        return "/console/login"
    return login_location(f"{request.url.path}?{request.url.query}")


def render(
    request: Request,
    name: str,
    text: dict[str, dict[str, Any]],
    context: dict[str, Any],
    staff: Staff | None,
    *,
    status_code: int = 200,
    current: str = "",
) -> HTMLResponse:
    """Render a console page in the caller's language, with the menu of the caller's role."""
    lang = language(request)
    own = text.get(lang, {})
    words = {**BASE[lang], **own, "err": {**BASE[lang]["err"], **own.get("err", {})}}
    role = staff.caller.role if staff is not None else ""
    menu = [(path, words[key]) for path, key in ROLE_LINKS.get(role, ())]
    here = current or request.url.path
    # The one menu entry this page belongs to: the longest menu path it is at or under.
    under = [p for p, _ in menu if here == p or here.startswith(p + "/")]
    active = max(under, key=len) if under else ""
    extra = {"staff": staff, "menu": menu, "current": here, "active": active, **context}
    return pages.render(request, name, words, extra, status_code=status_code)


def safe_next(target: str | None) -> str:
    """Return a console path to go to after sign-in; anything else becomes `/console`."""
    if not target or not target.startswith("/console") or "//" in target or "\\" in target:
        return "/console"
    return target


def login_location(target: str) -> str:
    """Return the sign-in page that comes back to `target` afterwards."""
    return f"/console/login?next={quote(safe_next(target), safe='')}"


def login_redirect(target: str) -> RedirectResponse:
    """Send a signed-out browser to the sign-in page, to come back to `target` afterwards."""
    return RedirectResponse(login_location(target), 303)
