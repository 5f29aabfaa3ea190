"""`create_app()`: the HTTP API and web pages, with one error-to-HTTP mapping and `/healthz`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from parcelguard import __version__, errors
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

log = logging.getLogger("parcelguard.http")

HTTP_STATUS: tuple[tuple[type[errors.ParcelGuardError], int], ...] = (
    (errors.PartlyDone, 422),
    (errors.TooLarge, 413),
    (errors.InvalidInput, 400),
    (errors.NotAuthenticated, 401),
    (errors.Denied, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.RateLimited, 429),
    (errors.ParcelGuardError, 500),
)


def status_for(exc: errors.ParcelGuardError) -> int:
    """Return the HTTP status of an error (the one mapping for HTTP)."""
    for kind, status in HTTP_STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """Return the error document every endpoint answers with."""
    return {"error": {"code": code, "message": message, "details": details}}


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
    )
    app.state.runtime = rt
    app.state.server = server
    _install_error_handlers(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        """Report liveness and whether the database answers."""
        # A read: on SQLite it must not queue behind writers for the write lock.
        with rt.db.read_session() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True, "database": rt.db.dialect, "version": __version__}

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


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.ParcelGuardError)
    async def domain_error(_request: Request, exc: errors.ParcelGuardError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.error("request failed: %s (%s)", exc.code, type(exc).__name__)
        headers = None
        if isinstance(exc, errors.RateLimited) and isinstance(exc.details, dict):
            headers = {"Retry-After": str(exc.details.get("retry_after", 60))}
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        from parcelguard.web.security import validation_problems

        problems = validation_problems(exc.errors())  # names fields, never echoes values
        return JSONResponse(
            error_body("invalid_input", "the request is not valid", problems), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # Never the exception text: it may quote a value. The type is enough to find the log.
        log.error("unexpected %s", type(exc).__name__)
        return JSONResponse(
            error_body("internal_error", "the server failed; nothing was changed"),
            status_code=500,
        )


def _harden(app: FastAPI, rt: Runtime) -> None:
    """Mount the doctor API and install the hardening middlewares (last: they wrap all)."""
    from parcelguard.doctor import api as doctor_api
    from parcelguard.web import security

    doctor_api.mount(app)
    security.install(app, rt)
