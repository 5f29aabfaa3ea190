"""The relying party comes from `base_url`: host name as RP ID, the URL's origin, no IPs."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcelguard.access.relying_party import relying_party
from parcelguard.errors import ConfigError
from parcelguard.settings import Settings


def settings(tmp_path: Path, base_url: str) -> Settings:
    return Settings.load(home=tmp_path, database_url=None, base_url=base_url)


@pytest.mark.parametrize(
    ("base_url", "rp_id", "origin"),
    [
        ("http://localhost:8080", "localhost", "http://localhost:8080"),
        ("https://pg.example.com", "pg.example.com", "https://pg.example.com"),
        ("https://PG.Example.com:443/parcelguard/", "pg.example.com", "https://pg.example.com"),
        ("https://pg.example.com:8443/", "pg.example.com", "https://pg.example.com:8443"),
        ("http://station-7.lan:80", "station-7.lan", "http://station-7.lan"),
    ],
)
def test_rp_id_and_origin(tmp_path: Path, base_url: str, rp_id: str, origin: str) -> None:
    rp = relying_party(settings(tmp_path, base_url))
    assert (rp.id, rp.origin) == (rp_id, origin)


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8080", "http://[::1]:8080", "ftp://pg.example.com", "localhost:80"],
)
def test_ip_addresses_and_odd_urls_are_refused(tmp_path: Path, base_url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        relying_party(settings(tmp_path, base_url))
    assert "IP" in caught.value.message


def test_the_default_base_url_works_for_passkeys() -> None:
    default = Settings.model_fields["base_url"].default
    assert default == "http://localhost:8080"
    assert relying_party(Settings.model_construct(base_url=default)).id == "localhost"
