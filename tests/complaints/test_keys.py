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
from tests.complaints.conftest import TEXT, file_complaint
from tests.portal.conftest import sign_in


def words_of(rt: Runtime) -> str:
    with rt.db.session() as session:
        [complaint] = session.query(Complaint).all()
        opened = sealer_for(rt).open(complaint, "text")
        assert opened is not None
        return opened.reveal()


def test_rotation_keeps_complaints_readable_and_rewrap_moves_them(
    client: TestClient, sms: RecordingSmsProvider, rt: Runtime
) -> None:
    csrf = sign_in(client, sms)
    file_complaint(client, csrf, [])
    old = rt.keyring.kms.active_version()
    vault_keys.rotate(rt, SYSTEM)  # the app installed the complaint key user
    assert old in rt.keyring.kms.versions()  # still used by the complaint's key
    assert words_of(rt) == TEXT
    assert complaint_keys.rewrap_pending(rt) == 1
    vault_keys.retire_unused(rt, SYSTEM)
    assert old not in rt.keyring.kms.versions()
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
