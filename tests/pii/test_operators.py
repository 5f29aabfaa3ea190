"""Operators: mask, replace, keyed hash, encrypt/decrypt, tokenize; and the registry."""

from __future__ import annotations

import pytest
from tests.pii.helpers import valid_id

from parcelguard.crypto import new_data_key
from parcelguard.errors import IntegrityError, InvalidInput
from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.operators import (
    OPERATORS,
    EncryptOperator,
    HashOperator,
    MaskOperator,
    TokenizeOperator,
    operator_for,
)
from parcelguard.pii.redactor import redact

TEXT = (
    "收件人：王小明 +86 138 1234 5678，浙江省杭州市西湖区文三路478号华星时代广场A座1502室，"
    f"身份证{valid_id()}，卡号6222021234567890128，邮箱zhang.san@qq.com，车牌浙A·12345，"
    "运单SF1234567890123，座机0571-88886666，欧阳娜娜"
)
KEY = b"k" * 32

MASKS = [
    ("收件人：王小明", "王**"),
    ("电话+86 138 1234 5678", "138******78"),
    ("座机0571-88886666", "0571-******66"),
    (f"身份证{valid_id()}", "1****************X"),
    ("卡号6222021234567890128", "6222***********0128"),
    ("邮箱zhang.san@qq.com", "z***@qq.com"),
    ("车牌浙A·12345", "浙A****5"),
    ("运单SF1234567890123", "SF*********0123"),
    ("寄到浙江省杭州市西湖区文三路478号华星时代广场A座1502室", "浙江省杭州市西湖区文三路***"),
    ("姓名：欧阳娜娜", "欧阳**"),
]


@pytest.mark.parametrize(("text", "expected"), MASKS)
def test_mask_follows_the_architecture_defaults(
    analyzer: Analyzer, text: str, expected: str
) -> None:
    out = redact(text, MaskOperator(), analyzer).text
    assert expected in out


def test_replace_names_the_type(analyzer: Analyzer) -> None:
    out = redact(TEXT, operator_for("replace"), analyzer).text
    for kind in ("NAME", "PHONE", "ADDRESS", "ID_CARD", "BANK_CARD", "EMAIL", "PLATE"):
        assert f"<{kind}>" in out
    assert "13812345678" not in out.replace(" ", "")


def test_hash_is_keyed_and_canonical(analyzer: Analyzer) -> None:
    one = redact("电话13812345678", HashOperator(KEY), analyzer).text
    spaced = redact("电话+86 138-1234-5678", HashOperator(KEY), analyzer).text
    other_key = redact("电话13812345678", HashOperator(b"x" * 32), analyzer).text
    assert one == spaced  # the same number in any format gives the same digest
    assert one != other_key
    assert one.startswith("电话<PHONE:") and "138" not in one


@pytest.mark.parametrize("key", [b"", b"short", None, "a string key" * 3])
def test_hash_refuses_no_or_weak_keys(key: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        HashOperator(key)  # type: ignore[arg-type]
    assert caught.value.code == "hash_key_required"


def test_encrypt_round_trip_and_tamper(analyzer: Analyzer) -> None:
    key = new_data_key()
    operator = EncryptOperator(key, context="tenant-1")
    sealed = redact(TEXT, operator, analyzer).text
    assert "王小明" not in sealed and "13812345678" not in sealed
    assert operator.decrypt(sealed).reveal() == TEXT
    tampered = sealed.replace(":enc:", ":enc:A", 1)
    with pytest.raises(IntegrityError):
        operator.decrypt(tampered)
    with pytest.raises(IntegrityError):
        EncryptOperator(key, context="tenant-2").decrypt(sealed)
    with pytest.raises(IntegrityError):
        EncryptOperator(new_data_key()).decrypt(sealed)


def test_encrypt_needs_a_vault_key() -> None:
    with pytest.raises(InvalidInput):
        EncryptOperator(b"too short")


def test_tokenize_is_stable_and_reversible(analyzer: Analyzer) -> None:
    operator = TokenizeOperator()
    text = "王小明 13812345678，又是王小明，电话138-1234-5678"
    out = redact(text, operator, analyzer).text
    assert out == "<NAME_1> <PHONE_1>，又是<NAME_1>，电话<PHONE_1>"
    restored = operator.detokenize(out).reveal()
    assert restored == "王小明 13812345678，又是王小明，电话13812345678"
    assert "王小明" not in repr(operator.vault)


def test_registry() -> None:
    assert set(OPERATORS) == {"mask", "replace", "hash", "encrypt", "tokenize"}
    assert isinstance(operator_for("MASK"), MaskOperator)
    with pytest.raises(InvalidInput) as caught:
        operator_for("shred")
    assert caught.value.code == "unknown_operator"
    assert "k" * 10 not in repr(operator_for("hash", key=KEY))
