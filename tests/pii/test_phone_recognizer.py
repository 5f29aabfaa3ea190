"""PhoneRecognizer: mainland mobiles in the ways people write them; offsets into the original."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans

from parcelguard.pii.analyzer import Analyzer

POSITIVES = [
    ("电话13812345678谢谢", "13812345678"),
    ("手机：138 1234 5678，晚上打", "138 1234 5678"),
    ("call 138-1234-5678 now", "138-1234-5678"),
    ("+8613812345678", "+8613812345678"),
    ("+86 138 1234 5678", "+86 138 1234 5678"),
    ("0086-13812345678", "0086-13812345678"),
    ("联系：＋８６ １３８１２３４５６７８。", "＋８６ １３８１２３４５６７８"),
    ("全角１３９８７６５４３２１收", "１３９８７６５４３２１"),
    ("王小明13912345678浙江省", "13912345678"),
    ("号码是198.7654.3210", "198.7654.3210"),
    ("(153)4799-9782找我", "(153)4799-9782"),
    ("13812345678/13987654321", "13812345678"),
    ("邮箱前13812345678 后", "13812345678"),
]
NEGATIVES = [
    "订单号13812345678的货已经发了",
    "12345678901不是手机号",
    "138123456789多了一位",
    "1381234567少了一位",
    "取件码13-8-1234",
    "金额13812.34元",
    "时间戳1732084512345",
    "QQ号 1381234567",
    "运单SF13812345678901",
]


@pytest.mark.parametrize(("text", "phone"), POSITIVES)
def test_finds_mobiles_with_exact_offsets(analyzer: Analyzer, text: str, phone: str) -> None:
    found = spans(analyzer, text, "PHONE")
    assert (text.index(phone), text.index(phone) + len(phone), phone) in found


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_numbers_that_are_no_mobiles(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "PHONE") == []


def test_second_phone_of_a_pair(analyzer: Analyzer) -> None:
    text = "13812345678/13987654321"
    assert [s[2] for s in spans(analyzer, text, "PHONE")] == ["13812345678", "13987654321"]


@pytest.mark.parametrize("text", ["尾号138****5678的用户", "138******78", "138xxxx5678"])
def test_masked_mobiles_are_masked_not_pii(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "PHONE") == []
    assert masked(analyzer, text, "PHONE")


def test_a_phone_inside_an_email_is_the_email(analyzer: Analyzer) -> None:
    text = "邮箱13812345678@163.com"
    assert spans(analyzer, text, "PHONE") == []
    assert spans(analyzer, text, "EMAIL") == [(2, 21, "13812345678@163.com")]
