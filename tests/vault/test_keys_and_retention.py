"""Rotation keeps data readable; purge and erasure crypto-shred, even for old copies."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from tests.conftest import write_csv

from parcelguard.errors import IntegrityError
from parcelguard.runtime import Runtime
from parcelguard.vault import service
from parcelguard.vault.synthetic import Faker


def courier(cli) -> str:
    """Create a courier (an assignment names an existing, active courier)."""
    made = cli("users", "add", "--name", "赵师傅", "--role", "courier", "--json")
    return str(made.json["id"])


def imported(cli, tmp_path: Path, n: int = 5, seed: int = 3) -> list[dict[str, str]]:
    data = list(Faker(seed).rows(n, prefix=f"S{seed}X"))
    assert cli("import", str(write_csv(tmp_path / "s.csv", data)), "--json").json["imported"] == n
    return data


def test_rotate_rewraps_everything_and_show_and_find_still_work(cli, rt, tmp_path: Path) -> None:
    data = imported(cli, tmp_path, 30)
    before = cli("keys", "status", "--json").json
    assert before["active"] == 1 and before["pending_rewrap"] == 0
    after = cli("keys", "rotate", "--json").json
    assert after["active"] == 2 and after["versions"] == [2] and after["pending_rewrap"] == 0
    assert cli("find", "--phone", data[4]["recipient_phone"], "--json").json["waybills"] == [
        data[4]["waybill_no"]
    ]
    with rt.db.session() as session:
        s = service.get_or_raise(session, rt.tenant, data[4]["waybill_no"])
        assert (
            service.open_fields(rt, session, s, [("recipient", "name")])[
                ("recipient", "name")
            ].reveal()
            == data[4]["recipient_name"]
        )
    assert cli("show", data[4]["waybill_no"], "--json").json["status"] == "created"


def test_new_data_keys_use_the_new_kek_at_once(cli, rt, tmp_path: Path) -> None:
    imported(cli, tmp_path, 3, seed=1)
    rt.keyring.rotate()  # without the rewrap: old keys pending
    assert cli("keys", "status", "--json").json["pending_rewrap"] == 6
    imported(cli, tmp_path, 3, seed=2)
    status = cli("keys", "status", "--json").json
    assert status["pending_rewrap"] == 6 and status["versions"] == [1, 2]


def test_purge_after_retention_shreds_even_a_copy_taken_before(
    cli, rt: Runtime, tmp_path: Path, backend: str
) -> None:
    data = imported(cli, tmp_path, 4)
    waybill = data[0]["waybill_no"]
    cli("event", waybill, "assigned", "--courier", courier(cli), "--json")
    cli("event", waybill, "out_for_delivery", "--json")
    cli("event", waybill, "delivered", "--reason", "handed_in_person", "--json")
    with rt.db.session() as session:
        before = service.get_or_raise(session, rt.tenant, waybill)
        parties_before = service.parties_of(session, before)
    too_early = (rt.clock.now() + timedelta(days=rt.settings.retention_days - 1)).isoformat()
    assert cli("purge", "--now", too_early, "--json").json == {"purged": 0, "epochs_destroyed": 0}
    later = (rt.clock.now() + timedelta(days=rt.settings.retention_days + 2)).isoformat()
    assert cli("purge", "--now", later, "--json").json == {"purged": 1, "epochs_destroyed": 1}
    shown = cli("show", waybill, "--json").json
    assert shown["status"] == "purged" and "recipient" not in shown and "sender" not in shown
    # The rows read before the purge stand for a backup: their epoch key is gone.
    with pytest.raises(IntegrityError) as caught:
        rt.keyring.unwrap_data_key(
            __import__("parcelguard.crypto", fromlist=["WrappedKey"]).WrappedKey(
                parties_before["recipient"].kek_version,
                parties_before["recipient"].epoch,
                parties_before["recipient"].key_blob,
            ),
            b"any",
        )
    assert caught.value.code == "shredded"
    # Undelivered parcels keep their data until their own, longer retention.
    assert cli("show", data[1]["waybill_no"], "--json").json["status"] == "created"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_purge_makes_a_sqlite_backup_unreadable(cli, rt: Runtime, tmp_path: Path) -> None:
    data = imported(cli, tmp_path, 2)
    rt.db.dispose()
    backup = tmp_path / "backup.db"
    shutil.copy(rt.settings.home / "parcelguard.db", backup)
    far = (rt.clock.now() + timedelta(days=rt.settings.undelivered_retention_days + 2)).isoformat()
    assert cli("purge", "--now", far, "--json").json["purged"] == 2
    from parcelguard.db import Database

    old = Database(f"sqlite:///{backup}")
    with old.session() as session:
        s = service.get_or_raise(session, rt.tenant, data[0]["waybill_no"])
        assert s.status == "created"  # the backup still has the rows …
        with pytest.raises(IntegrityError):  # … and they cannot be opened
            service.open_fields(rt, session, s, [("recipient", "phone")])
    old.dispose()


def test_erase_shreds_delivered_parcels_of_one_person_only(cli, rt, tmp_path: Path) -> None:
    data = imported(cli, tmp_path, 3)
    phone = data[0]["recipient_phone"]
    data_extra = list(Faker(99).rows(1))
    data_extra[0]["waybill_no"] = "EXTRA000001"
    data_extra[0]["recipient_phone"] = phone
    cli("import", str(write_csv(tmp_path / "x.csv", data_extra)), "--json")
    for event, extra in (
        ("assigned", ["--courier", courier(cli)]),
        ("out_for_delivery", []),
        ("delivered", ["--reason", "handed_in_person"]),
    ):
        cli("event", data[0]["waybill_no"], event, *extra, "--json")
    result = cli("erase", "--phone", phone, "--json").json
    assert result == {"erased": 1, "in_transit": 1}
    assert cli("show", data[0]["waybill_no"], "--json").json["status"] == "purged"
    assert cli("show", "EXTRA000001", "--json").json["status"] == "created"
    assert cli("show", data[1]["waybill_no"], "--json").json["recipient"] is not None
    assert cli("find", "--phone", phone, "--json").json["waybills"] == ["EXTRA000001"]


def test_keyring_readable_by_others_is_refused(cli, rt, home: Path) -> None:
    (home / "keyring.json").chmod(0o644)
    rt._keyring = None  # a fresh start of the process
    result = cli("keys", "status", "--json")
    assert result.code == 1
    assert result.json["error"]["code"] == "config_error"
    assert "chmod 600" in result.json["error"]["message"]


def test_rotation_rewraps_staff_phone_keys_before_retiring_the_old_kek(cli, rt) -> None:
    from parcelguard.access import service as access_service

    created = cli(
        "users", "add", "--name", "李师傅", "--role", "courier", "--phone", "13911112222", "--json"
    ).json
    status = cli("keys", "rotate", "--json").json
    assert status["versions"] == [2]
    rt._keyring = None  # a later process, reading the keyring afresh
    with rt.db.session() as session:
        principal = access_service.get_or_raise(session, rt.tenant, created["id"])
        assert principal.phone_kek_version == 2
        phone = access_service.open_phone(rt, principal)
    assert phone is not None and phone.reveal() == "13911112222"


def test_erasing_a_person_also_ends_their_relay_bindings(cli, rt, tmp_path: Path) -> None:
    data = imported(cli, tmp_path, 1, seed=4)
    courier = cli(
        "users",
        "add",
        "--name",
        "王师傅",
        "--role",
        "courier",
        "--phone",
        "13922223333",
        "--trained-until",
        "2027-12-31",
        "--json",
    ).json["id"]
    cli("relay", "pool", "import", str(_pool(tmp_path)), "--json")
    waybill = data[0]["waybill_no"]
    for event, extra in (
        ("assigned", ["--courier", courier]),
        ("out_for_delivery", []),
        ("delivered", ["--reason", "handed_in_person"]),
    ):
        assert cli("event", waybill, event, *extra, "--json").code == 0
    assert cli("erase", "--phone", data[0]["recipient_phone"], "--json").json["erased"] == 1
    forgotten = cli("audit", "log", "--action", "relay.forget", "--json").json["events"]
    assert len(forgotten) == 1  # the relay dropped the person's references in the same erasure


def _pool(tmp_path: Path) -> Path:
    path = tmp_path / "pool.csv"
    path.write_text("number\n17100000001\n17100000002\n", encoding="utf-8")
    return path
