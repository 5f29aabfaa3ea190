"""Security headers on every answer, request size limits, and errors without traces or input."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import OperationalError

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from parcelguard.web.security import allow_body
from tests.conftest import write_csv
from tests.hardening.conftest import bearer

SECRET = "13812345678"  # what a crash message or an echo would leak


def test_every_answer_carries_the_security_headers(client, admin_key: str) -> None:
    for response in (
        client.get("/healthz"),
        client.get("/"),
        client.get("/api/v1/shipments/NOPE", headers=bearer(admin_key)),
        client.get("/api/v1/shipments/NOPE"),
        client.get("/no/such/page"),
    ):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "microphone=()" in response.headers["permissions-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert "strict-transport-security" not in response.headers


def test_hsts_when_configured(rt: Runtime) -> None:
    from fastapi.testclient import TestClient

    rt.settings.hsts = True
    response = TestClient(create_app(rt)).get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_a_route_keeps_its_own_stricter_headers(rt: Runtime) -> None:
    from fastapi.responses import JSONResponse
    from fastapi.testclient import TestClient

    app = create_app(rt)

    @app.get("/own")
    def own() -> JSONResponse:
        return JSONResponse({}, headers={"Content-Security-Policy": "default-src 'none'"})

    assert TestClient(app).get("/own").headers["content-security-policy"] == "default-src 'none'"


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    return body["error"]


def test_declared_oversized_body_is_refused_with_413(client, admin_key: str) -> None:
    response = client.post(
        "/api/v1/shipments/X/reveal",
        content=b"{" + b" " * (2 << 20) + b"}",
        headers={**bearer(admin_key), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_streamed_oversized_body_is_refused_with_413(client, admin_key: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b" " * 65536

    response = client.post(
        "/api/v1/shipments/X/reveal",
        content=chunks(),
        headers={**bearer(admin_key), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_shipment_import_route_takes_larger_bodies(client, admin_key: str) -> None:
    rows = list(Faker(3).rows(3000))  # ~2 MiB of JSON, over the 1 MiB default
    body = json.dumps(rows, ensure_ascii=False).encode()
    assert len(body) > 1 << 20
    response = client.post(
        "/api/v1/shipments",
        content=body,
        headers={**bearer(admin_key), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text[:300]
    assert response.json()["imported"] == 3000


def test_other_domains_can_widen_a_prefix(rt: Runtime) -> None:
    from fastapi.testclient import TestClient

    app = create_app(rt)

    @app.post("/upload/photo")
    async def photo(request: Request) -> dict:
        return {"size": len(await request.body())}

    allow_body(app, "/upload/", 4 << 20)
    client = TestClient(app)
    assert client.post("/upload/photo", content=b"x" * (3 << 20)).json() == {"size": 3 << 20}
    assert client.post("/upload/photo", content=b"x" * (5 << 20)).status_code == 413


def _crashing_app(rt: Runtime) -> FastAPI:
    app = create_app(rt)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"phone {SECRET} exploded")

    @app.get("/db-gone")
    def db_gone() -> None:
        raise OperationalError(f"SELECT * WHERE phone = '{SECRET}'", {}, ConnectionError("lost"))

    return app


def test_crash_answers_without_stack_trace_or_message(rt: Runtime) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(_crashing_app(rt), raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert _error(response)["code"] == "internal_error"
    assert SECRET not in response.text and "Traceback" not in response.text
    assert "RuntimeError" not in response.text and "exploded" not in response.text


def test_lost_database_answers_503_without_the_statement(rt: Runtime) -> None:
    from fastapi.testclient import TestClient

    response = TestClient(_crashing_app(rt), raise_server_exceptions=False).get("/db-gone")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert _error(response)["code"] == "database_unavailable"
    assert SECRET not in response.text and "SELECT" not in response.text


@pytest.mark.parametrize(
    "body",
    [
        {"fields": SECRET, "purpose": "delivery"},
        {"fields": [{"phone": SECRET}], "purpose": "delivery"},
        {"fields": ["recipient.name"], "purpose": {"x": SECRET}},
        {"fields": ["recipient.name"], "purpose": "delivery", "reference": [SECRET]},
    ],
)
def test_422_details_never_echo_submitted_values(client, admin_key: str, body: dict) -> None:
    response = client.post("/api/v1/shipments/W1/reveal", json=body, headers=bearer(admin_key))
    assert response.status_code == 422, response.text
    assert SECRET not in response.text
    error = _error(response)
    assert error["code"] == "invalid_input"
    assert all({"field", "reason"} <= set(d) for d in error["details"])


def test_malformed_json_is_a_clean_422(client, admin_key: str) -> None:
    response = client.post(
        "/api/v1/shipments",
        content=b'{"sender_phone": "' + SECRET.encode() + b'", ',
        headers={**bearer(admin_key), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert SECRET not in response.text


def test_import_errors_name_rows_and_fields_not_values(client, admin_key: str) -> None:
    row = dict(next(iter(Faker(4).rows(1))), recipient_phone="99" + SECRET, sender_id_no=SECRET)
    response = client.post("/api/v1/shipments", json=[row], headers=bearer(admin_key))
    assert response.status_code == 200
    assert response.json()["rejected"] == 1
    assert SECRET not in response.text


def test_csv_import_report_never_quotes_values(cli, tmp_path: Path) -> None:
    row = dict(next(iter(Faker(5).rows(1))), recipient_phone='=HYPERLINK("x")' + SECRET)
    result = cli("import", str(write_csv(tmp_path / "bad.csv", [row])), "--json")
    assert result.code == 3
    assert SECRET not in result.stdout


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: str = Field(max_length=40)

    @field_validator("phone")
    @classmethod
    def mobile(cls, value: str) -> str:
        if not value.startswith("1"):
            raise ValueError(f"{value} is not a mobile")  # a careless validator quoting input
        return value


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "9" + SECRET},  # custom validator message
        {"phone": "1", SECRET: "x"},  # unexpected key
        {"phone": SECRET * 5},  # too long
        {"phone": int(SECRET)},  # wrong type
    ],
)
def test_custom_validators_and_unknown_keys_are_not_echoed(rt: Runtime, body: dict) -> None:
    from fastapi.testclient import TestClient

    app = create_app(rt)

    @app.post("/strict")
    def strict(item: Strict) -> dict:
        return {}

    response = TestClient(app).post("/strict", json=body)
    assert response.status_code == 422
    assert SECRET not in response.text
    assert _error(response)["details"][0]["field"].startswith("body.")


def _png(width: int, height: int, rows: int = 8) -> bytes:
    """A PNG whose header claims `width` × `height` but that carries only a few rows."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * (width + 1) * rows, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(30_000, 30_000), (11_000, 11_000), (60_000, 10)])
def test_image_bombs_get_a_clear_refusal(client, size: tuple[int, int]) -> None:
    bomb = _png(*size)
    assert len(bomb) < 1 << 20
    response = client.post(
        "/api/v1/pii/redact-image", files={"file": ("bomb.png", bomb, "image/png")}
    )
    assert 400 <= response.status_code < 500, response.text[:300]
    assert _error(response)["code"]


def test_photo_uploads_may_exceed_the_default_limit_but_not_their_own(client) -> None:
    big = b"\xff\xd8\xff" + b"\0" * (5 << 20)  # 5 MiB of not-quite-JPEG
    response = client.post("/api/v1/pii/redact-image", files={"file": ("p.jpg", big, "image/jpeg")})
    assert response.status_code not in (413, 500)
    huge = b"\0" * (27 << 20)
    response = client.post(
        "/api/v1/pii/redact-image", files={"file": ("p.jpg", huge, "image/jpeg")}
    )
    assert response.status_code == 413
