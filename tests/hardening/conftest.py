"""Hardening tests run on the embedded SQLite default (PostgreSQL where a test says so)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from parcelguard.app import create_app
from parcelguard.runtime import Runtime


@pytest.fixture
def backend() -> str:
    """Run on SQLite: these tests are about the HTTP layer and pure functions."""
    return "sqlite"


@pytest.fixture
def app_for(rt: Runtime) -> Callable[..., TestClient]:
    """Build the real app for the test runtime; `client=(ip, port)` sets the caller's address."""

    def build(**kwargs: Any) -> TestClient:
        return TestClient(create_app(rt), raise_server_exceptions=False, **kwargs)

    return build


@pytest.fixture
def client(app_for: Callable[..., TestClient]) -> Iterator[TestClient]:
    """Return a client of the real app."""
    yield app_for()


@pytest.fixture
def admin_key(cli) -> str:
    """Return the API key of a trained admin."""
    made = cli("users", "add", "--name", "王管理", "--role", "admin", "--json")
    assert made.code == 0, made.stdout
    return str(made.json["api_key"])


def bearer(key: str) -> dict[str, str]:
    """Return the Authorization header of a key."""
    return {"Authorization": f"Bearer {key}"}
