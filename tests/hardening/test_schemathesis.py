"""Hostile input against every operation of /openapi.json: no answer may be a 5xx.

Schemathesis generates requests from the published schema, valid ones and deliberately
invalid ones, and each is sent twice: as an admin and as a service key holding every scope,
so the handlers run past authentication. Bounded for CI: `SCHEMATHESIS_EXAMPLES` per operation
and mode. (The pytest plugin's lazy loader does not run on pytest 9, so the operations are
driven through schemathesis's Python API and Hypothesis directly.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from parcelguard.access.service import SCOPES
from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.conftest import write_csv

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
pytestmark = pytest.mark.slow


@pytest.fixture
def keys(cli, tmp_path: Path) -> list[str]:
    """An admin's and an all-scopes service key, and a few parcels to find."""
    cli("import", str(write_csv(tmp_path / "s.csv", list(Faker(13).rows(5)))), "--json")
    admin = cli("users", "add", "--name", "王管理", "--role", "admin", "--json").json
    args = ["users", "add", "--name", "svc", "--role", "service", "--json"]
    for scope in SCOPES:
        args += ["--scope", scope]
    service = cli(*args)
    assert service.code == 0, service.stdout
    return [admin["api_key"], service.json["api_key"]]


def _strategy(operation: schemathesis.APIOperation) -> st.SearchStrategy:
    modes = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            modes.append(operation.as_strategy(mode))
        except Exception:  # noqa: S112 - an operation may have nothing to negate
            continue
    return st.one_of(*modes)


def test_no_operation_answers_a_server_error(rt: Runtime, keys: list[str]) -> None:
    rt.settings.sections["ratelimit"] = {"enabled": False}  # 429s would hide the handlers
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(rt))
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=_strategy(operation))
        def exercise(case: schemathesis.Case) -> None:
            for key in keys:
                response = case.call(headers={"Authorization": f"Bearer {key}"})
                case.validate_response(response, checks=[not_a_server_error])

        try:
            exercise()
        except Exception as exc:
            failures[operation.label] = f"{type(exc).__name__}: {str(exc)[:400]}"
    assert failures == {}
