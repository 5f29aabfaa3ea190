"""Identity fixtures: the real OpenID provider, `[sso]`/`[scim]` settings, a real-time clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from parcelguard.clock import CHINA, FixedClock
from parcelguard.settings import Settings
from tests.conftest import make_settings
from tests.identity.oidc_provider import CLIENT_SECRET, OpenIdProvider, start_provider

SCIM_TOKEN = "scim-token-for-tests-0123456789abcdefghij"
ROLES = [
    {"group": "pg-couriers-hz", "role": "courier", "station": "HZ-01"},
    {"group": "pg-clerks", "role": "station_clerk", "station": "HZ-02"},
    {"group": "pg-officers", "role": "security_officer"},
]


@pytest.fixture(scope="session")
def idp() -> Iterator[OpenIdProvider]:
    """Run node oidc-provider for the whole session (per worker)."""
    provider = start_provider()
    yield provider
    provider.stop()


@pytest.fixture
def clock() -> FixedClock:
    """Return a clock at the real time: the provider dates its tokens by the wall clock."""
    return FixedClock(datetime.now(CHINA).replace(microsecond=0))


@pytest.fixture
def sso_section(request: pytest.FixtureRequest) -> dict[str, object]:
    """Return the `[sso]` table (enabled only when the test uses the provider)."""
    if "idp" not in request.fixturenames:
        return {"roles": ROLES}
    provider: OpenIdProvider = request.getfixturevalue("idp")
    return {
        "enabled": True,
        "issuer": provider.issuer,
        "client_id": "parcelguard",
        "client_secret": CLIENT_SECRET,
        "roles": ROLES,
    }


@pytest.fixture
def settings(home: Path, database_url: str, sso_section: dict[str, object]) -> Settings:
    """Return test settings with `[sso]` and `[scim]` filled in."""
    sections = {"sso": sso_section, "scim": {"enabled": True, "token": SCIM_TOKEN}}
    return make_settings(home, database_url, sections=sections)
