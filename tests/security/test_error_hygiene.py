"""Error answers and logs never repeat what was submitted (a phone, an ID number, a token).

A caller can put anything anywhere: a phone number where a waybill goes, an ID number as a
case, a name as a field. Our error messages name the parameter and the reason, not the value;
FastAPI's validation details lose their `input`; and a crash logs the exception's type and
where it happened, never its message, the request body or local variables.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from tests.security.edges_world import PII_ID, PII_PHONE, bearer, free_port, staff

VALUES = (PII_PHONE, PII_ID)


@pytest.fixture
def keys(rt: Runtime) -> dict[str, str]:
    return {role: staff(rt, role)[1] for role in ("admin", "security_officer", "courier")}


def requests_carrying_pii(keys: dict[str, str]) -> list[tuple[str, str, dict]]:
    """Requests that put PII-looking values where identifiers, codes or fields go."""
    admin, officer, courier = (bearer(keys[r]) for r in ("admin", "security_officer", "courier"))
    reveal = {"fields": ["recipient.phone"], "purpose": "investigation", "reference": PII_ID}
    return [
        ("GET", f"/api/v1/shipments/{PII_PHONE}", {"headers": admin}),
        ("POST", f"/api/v1/shipments/{PII_PHONE}/reveal", {"headers": officer, "json": reveal}),
        (
            "POST",
            f"/api/v1/shipments/{PII_PHONE}/events",
            {"headers": admin, "json": {"type": PII_ID}},
        ),
        ("GET", f"/api/v1/shipments/{PII_PHONE}/label.pdf", {"headers": admin}),
        (
            "POST",
            "/api/v1/auth/enrolment-links",
            {"headers": admin, "json": {"principal_id": PII_PHONE}},
        ),
        ("GET", f"/api/v1/forensics/leaks/{PII_ID}", {"headers": officer}),
        ("POST", f"/api/v1/exports/{PII_PHONE}/approve", {"headers": officer}),
        ("GET", f"/api/v1/alerts/{PII_PHONE}", {"headers": officer}),
        (
            "POST",
            f"/api/v1/shipments/{PII_PHONE}/reveal",
            {"headers": courier, "json": {"fields": [PII_PHONE], "purpose": PII_ID}},
        ),
        (
            "POST",
            "/api/v1/relay/verify",
            {"headers": admin, "json": {"recipient_phone": PII_ID, "caller": PII_PHONE}},
        ),
        ("GET", f"/api/v1/exposure/range/{PII_PHONE}", {}),
        (
            "POST",
            "/api/v1/pii/redact",
            {"headers": admin, "json": {"text": "x", "operator": PII_PHONE}},
        ),
    ]


def test_error_answers_and_logs_never_repeat_submitted_values(
    rt: Runtime, keys: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(rt), raise_server_exceptions=False)
    caplog.set_level(logging.DEBUG)
    statuses = []
    for method, path, kwargs in requests_carrying_pii(keys):
        answer = client.request(method, path, **kwargs)
        statuses.append(answer.status_code)
        assert 400 <= answer.status_code < 500, (path, answer.status_code, answer.text[:200])
        body = answer.json()["error"]
        assert body["code"] and body["message"]
        for value in VALUES:
            assert value not in answer.text, (method, path, answer.text[:300])
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in server_side)
    for value in VALUES:
        assert value not in logged
    assert {404, 422} <= set(statuses)


class Order(BaseModel):
    phone: str


def crashing_app(rt: Runtime) -> FastAPI:
    """The real app plus a route whose careless code puts the submitted value in an exception."""
    app = create_app(rt)

    @app.post("/careless")
    def careless(order: Order) -> dict:
        secret_local = order.phone  # noqa: F841 - a local a locals-dumping traceback would print
        raise ValueError(f"cannot route {order.phone}")

    return app


@contextmanager
def uvicorn_thread(app: FastAPI) -> Iterator[str]:
    """Serve `app` with uvicorn (its default logging, as `uvicorn` itself configures it)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)


def test_a_crash_logs_where_it_happened_but_not_the_value(
    rt: Runtime, capfd: pytest.CaptureFixture[str]
) -> None:
    with uvicorn_thread(crashing_app(rt)) as url:
        answer = httpx.post(f"{url}/careless", json={"phone": PII_PHONE}, timeout=60)
    assert answer.status_code == 500
    assert PII_PHONE not in answer.text
    out, err = capfd.readouterr()
    logged = out + err
    assert "ValueError" in logged and "careless" in logged  # the log still says what and where
    assert PII_PHONE not in logged
    assert "secret_local" not in logged  # no locals


def test_a_cli_crash_prints_where_not_the_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from parcelguard import cli

    def careless(argv: list[str], **_: object) -> int:
        raise ValueError(f"cannot read {argv[-1]}")  # a bug quoting what was typed

    monkeypatch.setattr(cli, "run", careless)
    monkeypatch.setattr("sys.argv", ["parcelguard", "find", "--phone", PII_PHONE])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "ValueError" in err and "careless" in err
    assert PII_PHONE not in err
