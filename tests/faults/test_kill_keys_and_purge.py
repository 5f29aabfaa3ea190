"""kill -9 during key rotation and during purge: a rerun converges, nothing is lost or left."""

from __future__ import annotations

from sqlalchemy import select

from parcelguard.pii.normalize import normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from parcelguard.vault.models import Party
from parcelguard.vault.service import sealer_for
from tests.faults.conftest import ROWS, Home, kill_point, kill_when

FUTURE = "2030-01-01T00:00:00+08:00"


def recipient_phones_opened(home: Home) -> set[str]:
    """Open every sealed party of the home; return the recipients' phones."""
    rt = Runtime.from_settings(Settings.load(home=home.path, database_url=None, tenant="default"))
    sealer = sealer_for(rt)
    phones: set[str] = set()
    opened = 0
    try:
        with rt.db.read_session() as session:
            for party in session.scalars(select(Party)):
                fields = sealer.open(party, ["name", "phone", "address"])
                opened += 1
                if party.role == "recipient":
                    phones.add(fields["phone"].reveal())
    finally:
        rt.close()
    assert opened == 2 * ROWS
    return phones


def national(raw: str) -> str:
    phone = normalize_phone(raw)
    assert phone is not None
    return phone.national


def test_killed_rotation_is_finished_by_a_rerun(imported) -> None:
    home, rows = imported
    parties = home.scalar("SELECT count(*) FROM parties")
    target = kill_point(parties)

    rotating = home.start("keys", "rotate")
    assert kill_when(
        rotating,
        lambda: home.scalar("SELECT count(*) FROM parties WHERE kek_version = 2") >= target,
    )
    assert home.keyring()["active"] == 2 and home.keyring()["versions"] == [1, 2]
    assert 0 < home.scalar("SELECT count(*) FROM parties WHERE kek_version = 1") < parties

    _, done = home.run("keys", "rotate")
    assert done["pending_rewrap"] == 0
    assert done["versions"] == [done["active"]]  # every older KEK removed at the end
    assert home.scalar(f"SELECT count(*) FROM parties WHERE kek_version != {done['active']}") == 0
    assert recipient_phones_opened(home) == {national(r["recipient_phone"]) for r in rows}
    code, verified = home.run("audit", "verify")
    assert code == 0 and verified["ok"]


def test_killed_purge_converges_on_a_rerun(imported) -> None:
    home, _rows = imported
    epochs = home.keyring()["epochs"]
    assert epochs > 1
    target = kill_point(ROWS, 0.05, 0.6)

    purging = home.start("purge", "--now", FUTURE)
    purged_count = "SELECT count(*) FROM shipments WHERE status = 'purged'"
    assert kill_when(purging, lambda: home.scalar(purged_count) >= target)
    purged = home.scalar(purged_count)
    assert 0 < purged < ROWS
    assert home.scalar("SELECT count(*) FROM parties") == 2 * (ROWS - purged)  # rows go together

    _, result = home.run("purge", "--now", FUTURE)
    assert result == {"purged": ROWS - purged, "epochs_destroyed": epochs}
    assert home.scalar(purged_count) == ROWS
    assert home.scalar("SELECT count(*) FROM parties") == 0
    after = home.keyring()
    assert (after["epochs"], after["destroyed_epochs"]) == (0, epochs)
    _, again = home.run("purge", "--now", FUTURE)
    assert again == {"purged": 0, "epochs_destroyed": 0}
    code, verified = home.run("audit", "verify")
    assert code == 0 and verified["ok"]
