"""Label QR codes point at `public_url`, the same base the SMS texts carry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from parcelguard.audit.service import SYSTEM
from parcelguard.labels import service
from parcelguard.runtime import Runtime


def test_the_decoded_qr_payload_starts_with_the_configured_public_url(
    cli: Callable[..., Any],
    rt: Runtime,
    imported: list[dict[str, str]],
    tmp_path: Path,
    decode: Callable[..., dict[str, list[str]]],
    open_png: Callable[[bytes], Any],
) -> None:
    rt.settings.public_url = "https://parcels.example.cn/pg/"
    out = tmp_path / "label.png"
    result = cli("label", imported[0]["waybill_no"], "--out", str(out), "--format", "png")
    assert result.code == 0
    (url,) = decode(open_png(out.read_bytes()))["qr"]
    assert url.startswith("https://parcels.example.cn/pg/s/") and "8080" not in url


def test_the_labels_table_public_base_url_still_wins_over_public_url(
    rt: Runtime, imported: list[dict[str, str]]
) -> None:
    rt.settings.public_url = "https://parcels.example.cn"
    rt.settings.sections["labels"] = {"public_base_url": "https://scan.example.cn"}
    with rt.db.session() as session:
        job = service.PrintJob([imported[0]["waybill_no"]])
        (content,) = service.label_contents(rt, session, SYSTEM, job)
    assert content.qr_url.startswith("https://scan.example.cn/s/")
