"""The KEK in an HSM: SoftHSM2 through PKCS#11, the same code path as a network HSM."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pkcs11
import pytest
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass

from parcelguard.crypto import Keyring
from parcelguard.crypto.pkcs11_kms import Pkcs11Config, Pkcs11Kms, _library
from parcelguard.errors import ConfigError, IntegrityError
from parcelguard.vault import service as vault
from parcelguard.vault.synthetic import Faker
from tests.conftest import make_settings, write_csv
from tests.hsm.conftest import PIN

EPOCH = date(2027, 1, 31)
AAD = b"t1\x1fW1\x1frecipient"


def open_keyring(home: Path, config: Pkcs11Config) -> Keyring:
    home.mkdir(mode=0o700, exist_ok=True)
    return Keyring.create(home / "keyring.json", provider=lambda _store: Pkcs11Kms(config))


def token_keys(config: Pkcs11Config) -> list[object]:
    token = _library(config.library).get_token(token_label=config.token_label)
    with token.open() as session:  # the provider's session logged this process in
        return [
            (k.label, k[Attribute.EXTRACTABLE], k[Attribute.SENSITIVE], k[Attribute.LOCAL])
            for k in session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})
        ]


def test_kek_is_generated_in_the_token_and_never_leaves_it(token: Pkcs11Config, tmp_path) -> None:
    keyring = open_keyring(tmp_path / "home", token)
    assert keyring.kms.versions() == [1]
    assert token_keys(token) == [("parcelguard-kek-v1", False, True, True)]
    assert "kek" not in (tmp_path / "home" / "keyring.json").read_text().lower().replace(
        "parcelguard-kek", ""
    )
    session = _library(token.library).get_token(token_label=token.token_label).open(rw=True)
    with session:
        kek = session.get_key(object_class=ObjectClass.SECRET_KEY, label="parcelguard-kek-v1")
        with pytest.raises(pkcs11.AttributeSensitive):
            kek[Attribute.VALUE]
        carrier = session.generate_key(KeyType.AES, 256, template={Attribute.WRAP: True})
        with pytest.raises((pkcs11.KeyUnextractable, pkcs11.PKCS11Error)):
            carrier.wrap_key(kek, mechanism=Mechanism.AES_KEY_WRAP)


def test_data_keys_are_wrapped_and_unwrapped_by_the_token(token: Pkcs11Config, tmp_path) -> None:
    keyring = open_keyring(tmp_path / "home", token)
    data_key = bytes(range(32))
    wrapped = keyring.wrap_data_key(data_key, EPOCH, AAD)
    assert data_key not in wrapped.blob
    assert keyring.unwrap_data_key(wrapped, AAD) == data_key
    with pytest.raises(IntegrityError):
        keyring.unwrap_data_key(wrapped, b"t1\x1fW2\x1frecipient")  # moved to another row
    reopened = Keyring.open(
        tmp_path / "home" / "keyring.json", provider=lambda _s: Pkcs11Kms(token)
    )
    assert reopened.unwrap_data_key(wrapped, AAD) == data_key
    assert reopened.index.digest("t1", "phone", "13800000000") == keyring.index.digest(
        "t1", "phone", "13800000000"
    )


def test_rotation_makes_a_new_kek_in_the_token(token: Pkcs11Config, tmp_path) -> None:
    keyring = open_keyring(tmp_path / "home", token)
    old = keyring.wrap_data_key(b"k" * 32, EPOCH, AAD)
    assert keyring.rotate() == 2
    assert [label for label, *_ in token_keys(token)] == [
        "parcelguard-kek-v1",
        "parcelguard-kek-v2",
    ]
    assert all(not extractable for _, extractable, *_ in token_keys(token))
    new = keyring.rewrap_data_key(old, AAD)
    assert new.kek_version == 2 and keyring.unwrap_data_key(new, AAD) == b"k" * 32
    assert keyring.store_versions_in_use() == {2}
    keyring.remove_kek(1)
    assert [label for label, *_ in token_keys(token)] == ["parcelguard-kek-v2"]
    with pytest.raises(Exception):  # noqa: B017 - NotFound: the old KEK is gone from the token
        keyring.unwrap_data_key(old, AAD)
    with pytest.raises(ValueError):
        keyring.kms.remove_version(2)


def test_wrong_pin_and_unknown_token_are_configuration_errors(
    token: Pkcs11Config, monkeypatch
) -> None:
    monkeypatch.setenv("PARCELGUARD_PKCS11_PIN", "not-the-pin")
    with pytest.raises(ConfigError):
        Pkcs11Kms(token)
    monkeypatch.setenv("PARCELGUARD_PKCS11_PIN", PIN)
    with pytest.raises(ConfigError):
        Pkcs11Kms(Pkcs11Config(token_label="no-such-token"))


def test_deployment_uses_the_hsm_and_doctor_says_so(
    token: Pkcs11Config, home, database_url, cli_hsm, tmp_path
) -> None:
    status = cli_hsm("keys", "status", "--json")
    assert status.code == 0 and status.json["provider"] == "pkcs11"
    row = next(Faker(3).rows(1))
    assert cli_hsm("import", str(write_csv(tmp_path / "s.csv", [row])), "--json").code == 0
    rotated = cli_hsm("keys", "rotate", "--json").json
    assert (rotated["active"], rotated["pending_rewrap"]) == (2, 0)
    assert [label for label, *_ in token_keys(token)][-1] == "parcelguard-kek-v2"
    rt = cli_hsm.rt
    with rt.db.session() as session:  # the rewrapped data keys open through the token
        shipment = vault.get_or_raise(session, rt.tenant, row["waybill_no"])
        opened = vault.open_fields(rt, session, shipment, [("recipient", "phone")])
        assert opened[("recipient", "phone")].reveal() == row["recipient_phone"]
    doctor = cli_hsm("doctor", "--json").json
    found = {c["name"]: c for c in doctor["checks"]}
    assert found["keyring.kek_custody"]["status"] == "pass"
    assert "pkcs11" in found["keyring.kek_custody"]["detail"]
    assert "non-extractable" in found["keyring.kek_custody"]["detail"]
    assert found["keyring.provider"]["status"] == "pass"


def test_doctor_says_a_file_kek_is_extractable(cli) -> None:
    found = {c["name"]: c for c in cli("doctor", "--json").json["checks"]}
    assert "keyring local" in found["keyring.kek_custody"]["detail"]
    assert "extractable" in found["keyring.kek_custody"]["detail"]


@pytest.fixture
def cli_hsm(token: Pkcs11Config, home, database_url, clock):
    import io
    from contextlib import redirect_stdout

    from parcelguard.cli import run
    from parcelguard.runtime import Runtime
    from tests.conftest import CliResult

    settings = make_settings(
        home,
        database_url,
        kms_provider="pkcs11",
        sections={"pkcs11": {"token_label": token.token_label}},
    )
    rt = Runtime.from_settings(settings, clock=clock)

    def invoke(*args: str) -> CliResult:
        buffer = io.StringIO()
        with redirect_stdout(buffer):
            code = run(list(args), make_runtime=lambda: rt)
        return CliResult(code, buffer.getvalue())

    invoke.rt = rt  # type: ignore[attr-defined]
    yield invoke
    rt.close()
