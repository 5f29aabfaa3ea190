"""`GET /metrics`: the Prometheus text format, behind its own bearer token (`[metrics]`)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from parcelguard.errors import NotAuthenticated
from parcelguard.metrics.collector import ParcelGuardCollector
from parcelguard.metrics.config import metrics_config
from parcelguard.runtime import Runtime
from parcelguard.web.deps import bearer_matches, get_runtime

# One registry per runtime: its collector reads the audit log incrementally.
_REGISTRIES: WeakKeyDictionary[Runtime, CollectorRegistry] = WeakKeyDictionary()
router = APIRouter(tags=["ops"])


def registry_for(rt: Runtime) -> CollectorRegistry:
    """Return the runtime's registry (one collector, made on first scrape)."""
    registry = _REGISTRIES.get(rt)
    if registry is None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(ParcelGuardCollector(rt))
        _REGISTRIES[rt] = registry
    return registry


def scraper(request: Request, rt: Runtime = Depends(get_runtime)) -> Runtime:
    """Let the request through only with the metrics token (never an API key or a cookie)."""
    expected = metrics_config(rt).bearer()
    if not bearer_matches(request, expected):
        raise NotAuthenticated("a valid metrics token is required", code="metrics_token")
    return rt


@router.get("/metrics", include_in_schema=False)
def metrics(rt: Runtime = Depends(scraper)) -> Response:
    """Return every metric in the Prometheus text format."""
    return Response(generate_latest(registry_for(rt)), media_type=CONTENT_TYPE_LATEST)


def mount(app: FastAPI) -> None:
    """Add `/metrics`."""
    app.include_router(router)
