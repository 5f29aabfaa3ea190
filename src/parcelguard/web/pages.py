"""Page routes: the landing page (portal and console pages mount here as they land)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

TEXT = {
    "zh": {
        "title": "包裹隐私卫士",
        "tagline": "让快递面单上的姓名、电话、地址不再泄露。",
        "portal": "收件人服务（查看谁看过我的信息、核实来电、投诉）",
        "console": "员工控制台",
        "switch": "English",
    },
    "en": {
        "title": "ParcelGuard",
        "tagline": "Keeps the names, phones and addresses on parcels from leaking.",
        "portal": "Recipients: who viewed my data, verify a caller, complain",
        "console": "Staff console",
        "switch": "中文",
    },
}


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
