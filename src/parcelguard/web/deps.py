"""FastAPI dependencies every router shares: the runtime and one transaction per request."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from parcelguard.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    """Return the application's runtime."""
    rt: Runtime = request.app.state.runtime
    return rt


def get_session(request: Request) -> Iterator[Session]:
    """Open the request's one transaction; it commits after the handler returns."""
    with get_runtime(request).db.session() as session:
        yield session
