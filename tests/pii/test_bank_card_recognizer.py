"""BankCardRecognizer: UnionPay and major-scheme prefixes, Luhn, cues for the rarer lengths."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans

from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.recognizers.bank_card_recognizer import scheme_ok

# Synthetic numbers with valid Luhn digits.
UNIONPAY_19 = "6222021234567890128"
UNIONPAY_16 = "6217001234567893"
VISA_16 = "4111111111111111"

POSITIVES = [
    (f"卡号{UNIONPAY_19}", UNIONPAY_19),
    (f"退款打到 {UNIONPAY_16} 谢谢", UNIONPAY_16),
    ("卡号：6222 0212 3456 7890 128", "6222 0212 3456 7890 128"),
    ("银行卡6217-0012-3456-7893", "6217-0012-3456-7893"),
    (f"card {VISA_16}", VISA_16),
    ("卡号６２１７００１２３４５６７８９３。", "６２１７００１２３４５６７８９３"),
]
NEGATIVES = [
    "卡号6222021234567890123",  # Luhn fails
    f"订单号{UNIONPAY_19}",  # an order number cue
    "交易流水号6217001234567893",
    "E6217001234567893",  # a letter before: a code, not a card
    "1234567812345670",  # no scheme starts with 1
]


@pytest.mark.parametrize(("text", "card"), POSITIVES)
def test_finds_cards(analyzer: Analyzer, text: str, card: str) -> None:
    start = text.index(card)
    assert spans(analyzer, text, "BANK_CARD") == [(start, start + len(card), card)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_non_cards(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "BANK_CARD") == []


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("6222021234567890128", True),
        ("4111111111111111", True),
        ("411111111111111", False),
        ("371449635398431", True),
        ("5500000000000004", True),
        ("35000000000000001", False),
        ("9558801234567890123", True),
    ],
)
def test_scheme_lengths_and_prefixes(digits: str, ok: bool) -> None:
    assert scheme_ok(digits) is ok


def test_masked_card(analyzer: Analyzer) -> None:
    assert masked(analyzer, "卡号 6222 **** **** 0128", "BANK_CARD") == ["6222 **** **** 0128"]
