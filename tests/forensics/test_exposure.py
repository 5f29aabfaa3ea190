"""Exposure check: keyed digests for operators, a padded k-anonymous range query for browsers."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.forensics.conftest import Tenant, cli_json, leak_rows, outsiders, write_leak

from parcelguard.app import create_app
from parcelguard.forensics.models import ExposedPhone
from parcelguard.runtime import Runtime
from parcelguard.vault.models import Party


@pytest.fixture
def traced(cli, tenant: Tenant, tmp_path: Path) -> dict:
    ours = [tenant.people[w] for w in sorted(tenant.people)[:5]]
    rows = leak_rows(ours) + leak_rows(outsiders(3, 3))
    document = cli_json(
        cli,
        "trace",
        str(write_leak(tmp_path / "l.csv", rows, order=["phone", "name", "address"])),
        "--at",
        "2026-11-01T12:00:00+08:00",
    )
    return {"document": document, "ours": ours, "outsiders": outsiders(3, 3)}


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    return TestClient(create_app(rt))


def prefix_and_suffix(salt: str, phone: str) -> tuple[str, str]:
    """Do what the portal's browser does (WebCrypto SHA-256 of salt + E.164)."""
    digest = hashlib.sha256((salt + "+86" + phone).encode("utf-8")).hexdigest()
    return digest[:5], digest[5:]


def test_an_operator_checks_a_number_by_keyed_digest(cli, traced: dict) -> None:
    leaked = cli_json(cli, "exposure", "check", "--phone", traced["ours"][0].phone)
    assert leaked["exposed"] and leaked["leaks"] == [
        {"leak_id": traced["document"]["leak_id"], "leaked_on": "2026-11-01"}
    ]
    assert leaked["phone"].count("*") == 6
    stranger = cli_json(cli, "exposure", "check", "--phone", traced["outsiders"][0].phone)
    assert stranger["exposed"]  # every number of a traced leak, ours or not
    assert not cli_json(cli, "exposure", "check", "--phone", "13700000001")["exposed"]


def test_the_exposure_digest_cannot_be_joined_to_parties(rt: Runtime, traced: dict) -> None:
    with rt.db.session() as session:
        exposed = set(session.scalars(select(ExposedPhone.digest)))
        indexed = set(session.scalars(select(Party.phone_bidx)))
        public = list(session.scalars(select(ExposedPhone.public_hash)))
    assert exposed and not exposed & indexed
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in public)


def test_the_range_query_returns_a_padded_shuffled_bucket(client: TestClient, traced: dict) -> None:
    salt = client.get("/api/v1/exposure/salt").json()
    assert salt["prefix_length"] == 5 and salt["algorithm"] == "sha256"
    prefix, suffix = prefix_and_suffix(salt["salt"], traced["ours"][1].phone)
    first = client.get(f"/api/v1/exposure/range/{prefix}").json()
    assert first["prefix"] == prefix and len(first["suffixes"]) == first["bucket_size"] == 64
    assert suffix in first["suffixes"]
    assert all(re.fullmatch(r"[0-9a-f]{59}", s) for s in first["suffixes"])
    second = client.get(f"/api/v1/exposure/range/{prefix.upper()}").json()
    assert suffix in second["suffixes"] and set(first["suffixes"]) != set(second["suffixes"])
    clean_prefix, clean_suffix = prefix_and_suffix(salt["salt"], "13700000001")
    clean = client.get(f"/api/v1/exposure/range/{clean_prefix}").json()
    assert len(clean["suffixes"]) == 64 and clean_suffix not in clean["suffixes"]


def test_a_bad_prefix_is_refused(client: TestClient) -> None:
    for prefix in ("abc", "abcdef", "zzzzz"):
        answer = client.get(f"/api/v1/exposure/range/{prefix}")
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_prefix"


def test_the_range_query_is_rate_limited(client: TestClient) -> None:
    codes = [client.get("/api/v1/exposure/range/00000").status_code for _ in range(15)]
    assert codes[:10] == [200] * 10 and 429 in codes[10:]
