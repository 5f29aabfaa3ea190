"""WaybillRecognizer: letter-prefixed numbers anywhere, all-digit numbers after a carrier cue."""

from __future__ import annotations

import pytest
from tests.pii.helpers import spans

from parcelguard.pii.analyzer import Analyzer

POSITIVES = [
    ("顺丰单号SF1234567890123", "SF1234567890123"),
    ("运单 JT1234567890123 已签收", "JT1234567890123"),
    ("YT1234567890123到了吗", "YT1234567890123"),
    ("京东JDX000012345678", "JDX000012345678"),
    ("德邦DPK123456789012", "DPK123456789012"),
    ("EMS国际件EA123456789CN", "EA123456789CN"),
    ("中通快递 73123456789012", "73123456789012"),
    ("韵达单号4312345678901，请查", "4312345678901"),
    ("快递单号：1234567890123", "1234567890123"),
]
NEGATIVES = [
    "订单号4312345678901",
    "工单号73123456789012",
    "付款流水1234567890123",
    "SF1234",
    "中通快递员电话13812345678",
]


@pytest.mark.parametrize(("text", "number"), POSITIVES)
def test_finds_waybills(analyzer: Analyzer, text: str, number: str) -> None:
    start = text.index(number)
    assert spans(analyzer, text, "WAYBILL_NO") == [(start, start + len(number), number)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_orders_and_phones(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "WAYBILL_NO") == []
