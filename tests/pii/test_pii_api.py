"""POST /api/v1/pii/scan, /redact and /redact-image through the real application."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from tests.pii.helpers import LabelPhoto

from parcelguard.access import service as access
from parcelguard.access.schemas import NewPrincipal
from parcelguard.app import create_app
from parcelguard.audit.service import SYSTEM
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings

TEXT = "收件人：王小明 13812345678 浙江省杭州市西湖区文三路478号"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """Return a client of the application on a fresh SQLite home."""
    home: Path = tmp_path_factory.mktemp("home")
    settings = Settings.load(home=home, database_url=f"sqlite:///{home}/pg.db", tenant="t1")
    runtime = Runtime.from_settings(settings)
    with TestClient(create_app(runtime)) as test_client:
        with runtime.db.session() as session:
            _, key = access.create(
                runtime,
                session,
                SYSTEM,
                NewPrincipal(name="pii-tool", role="service", scopes=["pii"]),
            )
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client
    runtime.close()


def test_text_tools_need_a_staff_member_or_a_pii_key(client: TestClient) -> None:
    anonymous = client.post("/api/v1/pii/scan", json={"text": TEXT}, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.db.session() as session:
        _, other = access.create(
            runtime,
            session,
            SYSTEM,
            NewPrincipal(name="labels-only", role="service", scopes=["labels"]),
        )
    refused = client.post(
        "/api/v1/pii/redact",
        json={"text": TEXT, "operator": "hash"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "scope_missing"


def test_scan(client: TestClient) -> None:
    answer = client.post("/api/v1/pii/scan", json={"text": TEXT})
    assert answer.status_code == 200
    assert [e["type"] for e in answer.json()["entities"]] == ["NAME", "PHONE", "ADDRESS"]


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("mask", "收件人：王** 138******78 浙江省杭州市西湖区文三路***"),
        ("replace", "收件人：<NAME> <PHONE> <ADDRESS>"),
    ],
)
def test_redact(client: TestClient, operator: str, expected: str) -> None:
    answer = client.post("/api/v1/pii/redact", json={"text": TEXT, "operator": operator})
    assert answer.status_code == 200 and answer.json()["text"] == expected


def test_redact_hash_is_stable(client: TestClient) -> None:
    one = client.post("/api/v1/pii/redact", json={"text": "13812345678", "operator": "hash"})
    two = client.post("/api/v1/pii/redact", json={"text": "138 1234 5678", "operator": "hash"})
    assert one.json()["text"] == two.json()["text"] and one.json()["text"].startswith("<PHONE:")


def test_bad_requests(client: TestClient) -> None:
    assert (
        client.post("/api/v1/pii/redact", json={"text": "x", "operator": "shred"}).status_code
        == 422
    )
    assert client.post("/api/v1/pii/scan", json={}).status_code == 422


def test_redact_image_answers_the_photo(client: TestClient, label_photo: LabelPhoto) -> None:
    answer = client.post(
        "/api/v1/pii/redact-image", files={"file": ("label.jpg", label_photo.data, "image/jpeg")}
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    report = json.loads(answer.headers["x-pii-report"])
    assert {"NAME", "PHONE", "ID_CARD", "QR_CODE"} <= {r["type"] for r in report["regions"]}
    assert len(Image.open(io.BytesIO(answer.content)).getexif()) == 0


def test_redact_image_json_variant(client: TestClient, label_photo: LabelPhoto) -> None:
    answer = client.post(
        "/api/v1/pii/redact-image?report=json&style=fill",
        files={"file": ("label.jpg", label_photo.data, "image/jpeg")},
    )
    document = answer.json()
    assert document["media_type"] == "image/jpeg" and document["regions"]
    Image.open(io.BytesIO(base64.b64decode(document["image"]))).verify()


def test_redact_image_refuses_a_non_image(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/pii/redact-image", files={"file": ("x.jpg", b"%PDF-1.4", "image/jpeg")}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "not_an_image"
    assert answer.json()["error"]["message"] == "file is not a JPEG, PNG or WebP image"
