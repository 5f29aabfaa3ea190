"""Fixtures for the label tests: synthetic masked content, a decoder for rendered images, and
real imported shipments with users, an HTTP client and the audit log for the service tests."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image
from tests.conftest import write_csv
from tests.labels.printer_streams import Listener

from parcelguard.app import create_app
from parcelguard.audit.service import search
from parcelguard.labels.content import LabelContent
from parcelguard.labels.samples import sample_label
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker


@pytest.fixture
def printer() -> Iterator[Listener]:
    """Return a raw-TCP printer (a real server) listening on a free local port."""
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture
def label() -> LabelContent:
    """Return one synthetic, masked label."""
    return sample_label(0)


@pytest.fixture
def long_label() -> LabelContent:
    """Return a label whose masked address and contents are far longer than usual."""
    return replace(
        sample_label(1),
        recipient_address="新疆维吾尔自治区伊犁哈萨克自治州伊宁市经济合作区"
        + "上海路与北京路交叉口东北角某某产业园区综合楼" * 2
        + "***",
        contents="电子产品配件、家居日用品、图书文具、服饰鞋帽 共12件",
        sorting_code="991-XJ-A0123-B77",
        destination="伊犁哈萨克自治州 伊宁市",
    )


Decoder = Callable[[Image.Image], dict[str, list[str]]]


def _decode(image: Image.Image) -> dict[str, list[str]]:
    formats = (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.QRCode)
    found: dict[str, list[str]] = {"code128": [], "qr": []}
    for barcode in zxingcpp.read_barcodes(image, formats=formats):
        kind = "qr" if "QR" in barcode.format.name else "code128"
        found[kind].append(barcode.text)
    return found


@pytest.fixture
def decode() -> Decoder:
    """Return a function giving the texts zxing-cpp reads from an image: code128 and qr."""
    return _decode


@pytest.fixture
def open_png() -> Callable[[bytes], Image.Image]:
    """Return a function opening a rendered PNG as a greyscale Pillow image."""
    return lambda data: Image.open(io.BytesIO(data)).convert("L")


# --- Fixtures for the label service, scan and pickup tests (real imported shipments) ---


@pytest.fixture
def imported(cli: Callable[..., Any], tmp_path: Any) -> list[dict[str, str]]:
    """Import four fictional shipments through the real CLI; return their raw rows."""
    rows = list(Faker(44).rows(4))
    result = cli("import", str(write_csv(tmp_path / "shipments.csv", rows)), "--json")
    assert result.code == 0, result.stdout
    return rows


@pytest.fixture
def add_user(cli: Callable[..., Any]) -> Callable[..., tuple[str, str]]:
    """Return a function creating a principal through the CLI: (id, api key)."""

    def add(role: str, **extra: str) -> tuple[str, str]:
        args = ["users", "add", "--name", f"测试{role}", "--role", role, "--json"]
        args += ["--trained-until", "2027-12-31"] if role != "service" else []
        for key, value in extra.items():
            args += [f"--{key}", value]
        result = cli(*args)
        assert result.code == 0, result.stdout
        return result.json["id"], result.json["api_key"]

    return add


@pytest.fixture
def client(rt: Runtime) -> TestClient:
    """Return an HTTP client on the application of the test runtime."""
    return TestClient(create_app(rt))


@pytest.fixture
def audit_log(rt: Runtime) -> Callable[[str], list[dict[str, Any]]]:
    """Return a function listing the audit events of one action, oldest first."""

    def events(action: str) -> list[dict[str, Any]]:
        with rt.db.session() as session:
            found = search(session, rt.tenant, action=action, limit=10_000)
            return [
                {
                    "actor_id": e.actor_id,
                    "actor_role": e.actor_role,
                    "target_id": e.target_id,
                    "decision": e.decision,
                    "details": json.loads(e.details or "{}"),
                }
                for e in reversed(found)
            ]

    return events
