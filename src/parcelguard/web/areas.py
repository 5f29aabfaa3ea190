"""The site's areas, for the pages that are not any one route's: the console, the portal, the rest.

An error page speaks in the words of the area it happened in, shows the area's menu when it
has one, and sends people to the area's front door (`errors.error_page`).
"""

from __future__ import annotations

from fastapi import Request

from parcelguard.web.console_shell import BASE, ROLE_LINKS, Staff
from parcelguard.web.pages import SITE, Area, Words, language
from parcelguard.web.results import ConsoleMenu
from parcelguard.words import both

PORTAL_TEXT = both("portal")


def _console_errors(lang: str) -> Words:
    return {**BASE[lang]["err"], "role_not_allowed": BASE[lang]["forbidden"]}


def _console_menu(request: Request) -> ConsoleMenu:
    """Return the signed-in caller's menu (`console_shell` notes who it is on the request)."""
    staff = getattr(request.state, "staff", None)
    if not isinstance(staff, Staff):
        return {"staff": None, "menu": [], "current": request.url.path}
    words = BASE[language(request)]
    menu = [(path, words[key]) for path, key in ROLE_LINKS.get(staff.caller.role, ())]
    return {"staff": staff, "menu": menu, "current": request.url.path}


CONSOLE = Area(
    prefix="/console",
    home="/console",
    sign_in="/console/login",
    words=lambda lang: BASE[lang],
    context=_console_menu,
    error_words=_console_errors,
    nav="console/_nav.html",
)
PORTAL = Area(
    prefix="/portal",
    home="/portal",
    sign_in="/portal",
    words=lambda lang: PORTAL_TEXT[lang],
    error_words=lambda lang: PORTAL_TEXT[lang]["errors"],
)


def area_for(path: str) -> Area:
    """Return the area a path belongs to."""
    for area in (CONSOLE, PORTAL):
        if area.covers(path):
            return area
    return SITE
