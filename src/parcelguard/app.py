"""`create_app()`: the HTTP API and web pages, with `/healthz`.

The app-wide pieces are installed here once: the error mapping (`web/errors.py`), the CSRF
check before every route (`web/csrf.py`) and the hardening middlewares with the security
headers (`web/security/`).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

# pydantic (FastAPI) takes typing_extensions' TypedDict, not typing's, before Python 3.12.
from typing_extensions import TypedDict

from parcelguard import __version__
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from parcelguard.web import csrf
from parcelguard.web import errors as web_errors
from parcelguard.web.errors import error_body, status_for

__all__ = ["create_app", "error_body", "status_for"]  # the mapping lives in web/errors.py


class Health(TypedDict):
    """`GET /healthz`: liveness, the database dialect that answered, the version."""

    ok: bool
    database: str
    version: str


class DatabaseProbe:
    """Whether the database answers, asked at most once a second however often `/healthz` is.

    A load balancer, a monitor and an orchestrator each poll `/healthz`; under that traffic the
    answer "the database answered `SELECT 1` less than a second ago" is as true as asking again,
    and costs no trip to the thread pool (on PostgreSQL the ask is a network round trip, which
    must never run on the event loop). A stale or failed answer is asked again, by one request
    while the others wait for it; a failure is never remembered, so a database that comes back
    answers at the next request.
    """

    FRESH_SECONDS = 1.0

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.answered_at = -math.inf
        self.asking: asyncio.Future[None] | None = None

    def _ask(self) -> None:
        # A read: on SQLite it must not queue behind writers for the write lock.
        with self.rt.db.read_engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    async def check(self) -> None:
        """Return when the database answered within `FRESH_SECONDS`; raise its error if not."""
        if time.monotonic() - self.answered_at < self.FRESH_SECONDS:
            return
        if self.asking is not None:  # another request is asking: share its answer
            await asyncio.shield(self.asking)
            return
        self.asking = asyncio.get_running_loop().create_future()
        try:
            await run_in_threadpool(self._ask)
        except BaseException as error:
            self.asking.set_exception(error)
            self.asking.exception()  # retrieved: no "never retrieved" warning when none wait
            raise
        else:
            self.answered_at = time.monotonic()
            self.asking.set_result(None)
        finally:
            self.asking = None


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
