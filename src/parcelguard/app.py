"""`create_app()`: the HTTP API and web pages, with `/healthz`.

The app-wide pieces are installed here once: the error mapping (`web/errors.py`), the CSRF
check before every route (`web/csrf.py`) and the hardening middlewares with the security
headers (`web/security/`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict

from parcelguard import __version__
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from parcelguard.web import csrf
from parcelguard.web import errors as web_errors
from parcelguard.web.errors import error_body, status_for
from parcelguard.web.health import DatabaseProbe

__all__ = ["create_app", "error_body", "status_for"]  # the mapping lives in web/errors.py


class Health(TypedDict):
    """`GET /healthz`: liveness, the database dialect that answered, the version."""

    ok: bool
    database: str
    version: str


def create_app(runtime: Runtime | None = None, *, settings: Settings | None = None) -> FastAPI:
    """Build the application for one runtime (built from settings when not given)."""
    from parcelguard.assembly import Config, Server

    rt = runtime or Runtime.from_settings(settings or Config.load())
    server = Server.wire(rt)  # every domain's hooks, the monitor's consumer

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from parcelguard.migrations import upgrade
        from parcelguard.siem.runner import start_exporter

        upgrade(rt.db.engine)
        rt.keyring  # noqa: B018 - fail at start, not at the first request, on a bad keyring
        server.start()  # the NATS outbox (with PARCELGUARD_NATS_URL), the scheduled doctor
        siem = start_exporter(rt)  # only with [siem] enabled and destinations
        yield
        if siem is not None:
            siem.stop()
        server.stop()

    app = FastAPI(
        title="ParcelGuard",
        version=__version__,
        description="包裹隐私卫士 — parcel privacy API",
        openapi_url="/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(csrf.protect)],  # the one CSRF check, before every route
    )
    app.state.runtime = rt
    app.state.server = server
    web_errors.install(app)

    health: Health = {"ok": True, "database": rt.db.dialect, "version": __version__}
    probe = DatabaseProbe(rt)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> JSONResponse:
        """Report liveness and whether the database answered within the last second."""
        await probe.check()  # raises the usual 503 when the database does not answer
        return JSONResponse(health)

    from parcelguard.access import api as access_api
    from parcelguard.complaints import api as complaints_api
    from parcelguard.forensics import api as forensics_api
    from parcelguard.identity import api as identity_api
    from parcelguard.labels import api as labels_api
    from parcelguard.metrics import api as metrics_api
    from parcelguard.monitor import api as monitor_api
    from parcelguard.pii import api as pii_api
    from parcelguard.relay import api as relay_api
    from parcelguard.vault import api as vault_api
    from parcelguard.web import console, console_admin, console_service, deps, pages, portal

    for mount in (
        access_api.mount,
        vault_api.mount,
        pages.mount,
        console.mount,
        labels_api.mount,
        monitor_api.mount,
        relay_api.mount,
        forensics_api.mount,
        complaints_api.mount,
        portal.mount,
        console_service.mount,
        console_admin.mount,
        identity_api.mount,
        metrics_api.mount,
    ):
        mount(app)
    pii_api.mount(app, guard=deps.pii_text_caller)
    _harden(app, rt)
    return app


def _harden(app: FastAPI, rt: Runtime) -> None:
    """Mount the doctor API and install the hardening middlewares (last: they wrap all)."""
    from parcelguard.doctor import api as doctor_api
    from parcelguard.web import security

    doctor_api.mount(app)
    security.install(app, rt)
