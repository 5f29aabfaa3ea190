"""Page routes: the landing page (portal and console pages mount here as they land)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from parcelguard.web import filters
from parcelguard.words import both

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
filters.install(templates.env)

TEXT = both("site")


def language(request: Request) -> str:
    """Return the page language: `?lang=` first, then the cookie, Simplified Chinese by default."""
    lang = request.query_params.get("lang") or request.cookies.get("lang") or "zh"
    return lang if lang in TEXT else "zh"


def mount(app: FastAPI) -> None:
    """Add the static files and the landing page."""
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request) -> HTMLResponse:
        lang = language(request)
        response = templates.TemplateResponse(
            request, "landing.html", {"t": TEXT[lang], "lang": lang}
        )
        response.set_cookie("lang", lang, samesite="lax")
        return response
