"""Complaint data keys across KEK rotation: kept readable, then rewrapped under the new KEK."""

from __future__ import annotations

from fastapi.testclient import TestClient

from parcelguard.audit.service import SYSTEM
from parcelguard.complaints import keys as complaint_keys
from parcelguard.complaints.models import Complaint
from parcelguard.complaints.service import sealer_for
from parcelguard.portal.sms import RecordingSmsProvider
from parcelguard.runtime import Runtime
from parcelguard.vault import keys as vault_keys
from parcelguard.vault.models import PARTY_SEALING
from tests.complaints.conftest import TEXT, file_complaint
from tests.portal.conftest import sign_in


def words_of(rt: Runtime) -> str:
    with rt.db.session() as session:
        [complaint] = session.query(Complaint).all()
        opened = sealer_for(rt).open(complaint, "text")
        assert opened is not None
        return opened.reveal()


def test_rotation_rewraps_complaint_keys_then_retires_the_old_kek(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    csrf = sign_in(client, sms)
    file_complaint(client, csrf, [])
    old = rt.keyring.kms.active_version()
    vault_keys.rotate(rt, SYSTEM)  # the registry names the complaints table: no hook to install
    assert old not in rt.keyring.kms.versions()  # rewrapped, so nothing needs it any more
    assert complaint_keys.rewrap_pending(rt) == 0
    assert words_of(rt) == TEXT


def test_a_kek_still_wrapping_a_complaint_key_is_kept(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    csrf = sign_in(client, sms)
    file_complaint(client, csrf, [])
    old = rt.keyring.kms.active_version()
    rt.keyring.rotate()  # a new KEK, nothing rewrapped yet
    vault_keys.rewrap_table(rt, PARTY_SEALING)  # the parcels move; the complaint does not
    vault_keys.retire_unused(rt, SYSTEM)
    assert old in rt.keyring.kms.versions()
    assert words_of(rt) == TEXT


def test_the_cli_rewraps_complaint_keys(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime, cli
) -> None:
    csrf = sign_in(client, sms)
    file_complaint(client, csrf, [])
    rt.keyring.rotate()
    result = cli("complaints", "rewrap-keys", "--json")
    assert result.code == 0 and result.json == {"rewrapped": 1}
    assert words_of(rt) == TEXT
