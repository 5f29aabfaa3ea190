"""The one page shell: every HTML page renders through `render` and extends `base.html`.

`render` picks the language (`?lang=`, then the `lang` cookie, Simplified Chinese by default),
gives every template the same base context (`t` words, `lang`, `csrf` the browser session's
token, `when` for times) and remembers the language in a cookie. Security headers are not a
page's business: the one `SecurityHeaders` middleware adds them to every answer. A standalone
document (the leak report, also written to a file) renders with `render_document`: the same
base template with the stylesheets inlined, so it needs nothing from the server. `mount` adds
the static files and the landing page. Docs: docs/development.md, "Adding a page".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from parcelguard.web import csrf, filters
from parcelguard.words import both

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
filters.install(templates.env)
LANGUAGES = ("zh", "en")
Words = Mapping[str, Any]

TEXT = both("site")


@dataclass(frozen=True)
class Area:
    """A part of the site with its own words and front door: the console, the portal, the rest.

    Error pages use it to speak in the area's words and to say where to go next.
    """

    prefix: str
    home: str
    sign_in: str
    words: Callable[[str], Words]
    context: Callable[[Request], Mapping[str, Any]] = field(default=lambda _request: {})
    error_words: Callable[[str], Words] = field(default=lambda _lang: {})
    nav: str = ""  # the template of the area's menu, shown on its error pages too

    def covers(self, path: str) -> bool:
        """Return whether a path belongs to this area."""
        return path == self.prefix or path.startswith(self.prefix.rstrip("/") + "/")


SITE = Area(prefix="/", home="/", sign_in="/", words=lambda lang: TEXT[lang])


def language(request: Request) -> str:
    """Return the page language: `?lang=` first, then the cookie, Simplified Chinese by default."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in LANGUAGES else "zh"


def render(
    request: Request,
    name: str,
    words: Words,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    with_csrf: bool = True,
) -> HTMLResponse:
    """Render a page (a template extending `base.html`) in the request's language.

    `with_csrf=False` for pages without forms that must not touch the database (error pages).
    """
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": words,
            "lang": lang,
            "csrf": csrf.token_for(request) if with_csrf else "",
            "when": filters.when,
            **(context or {}),
        },
        status_code=status_code,
        headers=dict(headers or {}),
    )
    response.set_cookie("lang", lang, samesite="lax")
    csrf.keep_pre_session(response, request)
    return response


def render_document(name: str, context: Mapping[str, Any], styles: tuple[str, ...]) -> str:
    """Return a standalone document: `base.html` with the named stylesheets inlined."""
    css = "\n".join((HERE / "static" / sheet).read_text(encoding="utf-8") for sheet in styles)
    if "</" in css:
        raise ValueError("a stylesheet may not close the <style> element")
    page = templates.get_template(name)
    inline = Markup(css)  # noqa: S704 - our own stylesheets, checked above not to close <style>
    return page.render({"lang": "zh", "inline_styles": inline, **context})


def mount(app: FastAPI) -> None:
    """Add the static files and the landing page."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request) -> HTMLResponse:
        return render(request, "landing.html", TEXT[language(request)])


class Redirect(Exception):
    """A page's answer that is not an error: go there first (e.g. sign in), then come back."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location
