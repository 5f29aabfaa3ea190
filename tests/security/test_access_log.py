"""The access log of `parcelguard serve` masks every path and query that can carry a secret.

Whoever can read the server's log (an operator, a log shipper, a support contractor) must not
find a QR token, an enrolment token, an exposure-check prefix or any query value in it.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from parcelguard.runtime import Runtime
from tests.security.edges_world import PII_PHONE, served


def test_the_access_log_masks_every_token_bearing_path(rt: Runtime, tmp_path: Path) -> None:
    qr, enrol, query_secret = (secrets.token_urlsafe(32) for _ in range(3))
    prefix = "fa3e9"
    with served(rt, tmp_path) as server:
        server.get(f"/s/{qr}")
        server.get(f"/console/enrol/{enrol}")  # an old-form link, opened anyway
        server.get(f"/api/v1/exposure/range/{prefix}")
        server.get(f"/portal?token={query_secret}&phone={PII_PHONE}&lang=en")
        server.get(f"/api/v1/shipments/{PII_PHONE}")
    log = server.log
    for secret in (qr, enrol, query_secret, prefix, PII_PHONE):
        assert secret not in log
    for masked in ('"GET /s/… HTTP', '"GET /console/enrol/… HTTP', "/api/v1/exposure/range/…"):
        assert masked in log
    assert "/portal?token=…&phone=…&lang=…" in log


def test_mask_target_rules() -> None:
    from parcelguard.web.security.access_log import mask_target

    token = secrets.token_urlsafe(32)
    table = {
        f"/s/{token}": "/s/…",
        f"/console/enrol/{token}": "/console/enrol/…",
        "/console/enrol": "/console/enrol",
        "/api/v1/exposure/range/abcde": "/api/v1/exposure/range/…",
        f"/api/v1/shipments/{PII_PHONE}/reveal": "/api/v1/shipments/…/reveal",
        "/api/v1/shipments/SF1234567890/reveal": "/api/v1/shipments/SF1234567890/reveal",
        f"/anything/{token}/more": "/anything/…/more",
        "/portal?lang=en": "/portal?lang=…",
        "/healthz": "/healthz",
    }
    for raw, masked in table.items():
        assert mask_target(raw) == masked, raw
