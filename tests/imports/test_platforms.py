"""Every supported export and template, as it comes: recognised, imported, bad rows explained.

For each layout's synthetic sample: the imported count, waybills kept as issued, phones
normalized (found by their base number), privacy-number extensions kept, full addresses
assembled from split or combined cells, and the one bad row reported with its row number,
the user's own column and the value masked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parcelguard.audit.service import SYSTEM
from parcelguard.runtime import Runtime
from parcelguard.vault import service as vault_service
from parcelguard.vault.sources import catalogue
from tests.imports.conftest import SENDER, Result
from tests.imports.layouts import BAD_PHONE, LAYOUTS, Layout, Sample

IDS = [layout.id for layout in LAYOUTS]


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Recognising layouts does not depend on the database; the rules' tests run on both."""
    return str(request.param)


def stored(rt: Runtime, waybill: str, role: str = "recipient") -> dict[str, str]:
    """Return the party's name, phone and address as the vault holds them (opened)."""
    with rt.db.session() as session:
        shipment = vault_service.get_or_raise(session, rt.tenant, waybill)
        wanted = [(role, "name"), (role, "phone"), (role, "address")]
        opened = vault_service.open_fields(rt, session, shipment, wanted)
    return {field: value.reveal() for (_, field), value in opened.items()}


def test_every_layout_of_the_data_file_has_a_sample() -> None:
    assert set(catalogue().sources) - {"parcelguard"} <= set(IDS)


@pytest.mark.parametrize("layout", LAYOUTS, ids=IDS)
def test_layout_imports_as_exported(
    layout: Layout, run: Callable[..., Result], shop: Runtime, tmp_path: Path
) -> None:
    sample = layout.write(tmp_path, seed=IDS.index(layout.id) + 1)
    result = run("import", str(sample.path), "--json")
    report = result.json
    assert result.code == 3, result.stdout  # the one bad row; every other row landed
    assert report["imported"] == len(sample.people), report["errors"]
    assert report["rejected"] == 1
    assert report["waybills"] == [p.waybill for p in sample.people]  # kept, never invented
    if layout.id != "combined":
        assert report["file"]["source"] == layout.id
    _check_people(shop, sample)
    _check_bad_row(sample, report["errors"])


def _check_people(rt: Runtime, sample: Sample) -> None:
    for person, address in zip(sample.people, sample.stored_address, strict=True):
        recipient = stored(rt, person.waybill)
        assert recipient["name"] == person.name
        assert recipient["phone"] == person.stored_phone  # normalized, extension kept
        assert recipient["address"] == address  # split parts assembled once each
        with rt.db.session() as session:
            found = vault_service.find_by_phone(rt, session, SYSTEM, person.mobile)
        assert person.waybill in found  # by the base number, whatever was written
        sender = stored(rt, person.waybill, "sender")
        if sample.has_sender:
            assert sender["name"] == person.sender_name
        else:  # a shop export has no sender: the configured default stands in
            assert sender["name"] == SENDER["name"]


def _check_bad_row(sample: Sample, errors: list[dict[str, str]]) -> None:
    assert {e["row"] for e in errors} == {sample.bad_row}
    error = errors[0]
    assert error["column"] == sample.bad_column  # the user's own header
    assert error["code"] in ("invalid_phone", "missing_field")
    assert BAD_PHONE not in str(errors)  # the value is shown masked, never in clear
    if error["code"] == "invalid_phone":
        assert "*" in error["value"]


def test_extensions_are_masked_in_the_view(run: Callable[..., Result], tmp_path: Path) -> None:
    layout = next(layout for layout in LAYOUTS if layout.id == "pinduoduo")
    sample = layout.write(tmp_path, seed=40)
    run("import", str(sample.path), "--json")
    person = next(p for p in sample.people if p.ext)
    shown = run("show", person.waybill, "--json").json["recipient"]["phone"]
    assert shown == f"{person.mobile[:3]}******{person.mobile[-2:]} 转 ****"


def test_reimporting_a_layout_is_idempotent(run: Callable[..., Result], tmp_path: Path) -> None:
    layout = next(layout for layout in LAYOUTS if layout.id == "douyin")
    sample = layout.write(tmp_path, seed=41)
    first = run("import", str(sample.path), "--json").json
    again = run("import", str(sample.path), "--json").json
    assert first["imported"] == len(sample.people)
    assert (again["imported"], again["skipped"], again["rejected"]) == (0, len(sample.people), 1)


def test_human_report_speaks_in_the_users_words(run: Callable[..., Result], tmp_path: Path) -> None:
    layout = next(layout for layout in LAYOUTS if layout.id == "taobao")
    sample = layout.write(tmp_path, seed=42)
    result = run("import", str(sample.path))
    assert result.code == 3
    assert "recognised as 淘宝/天猫 千牛 订单导出" in result.stdout
    line = next(ln for ln in result.stdout.splitlines() if f"row {sample.bad_row}" in ln)
    assert "column 联系手机" in line and "not a mainland mobile" in line
    assert "recipient_phone" not in line and BAD_PHONE not in result.stdout
