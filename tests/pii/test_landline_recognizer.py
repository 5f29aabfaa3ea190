"""LandlineRecognizer: area codes, parentheses, country code, extensions."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans

from parcelguard.pii.analyzer import Analyzer

POSITIVES = [
    ("请致电0571-88886666。", "0571-88886666"),
    ("电话(021)62331234", "(021)62331234"),
    ("电话（010）62751234", "（010）62751234"),
    ("座机 010 6275 1234", "010 6275 1234"),
    ("office +86-10-62751234", "+86-10-62751234"),
    ("总机0755-86001234转8012找我", "0755-86001234转8012"),
    ("座机057188886666", "057188886666"),
    ("电话０５７１－８８８８６６６６", "０５７１－８８８８６６６６"),
    ("Tel: 0431-3987931", "0431-3987931"),
]
NEGATIVES = [
    "客服热线400-820-8820",
    "拨打95338查件",
    "日期2024-11-20送达",
    "邮编310012",
    "订单号057188886666",
    "编号0571-1234",
    "金额0571元",
]


@pytest.mark.parametrize(("text", "number"), POSITIVES)
def test_finds_landlines(analyzer: Analyzer, text: str, number: str) -> None:
    start = text.index(number)
    assert spans(analyzer, text, "LANDLINE") == [(start, start + len(number), number)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_hotlines_dates_and_codes(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "LANDLINE") == []


def test_a_bare_twelve_digit_number_needs_a_cue(analyzer: Analyzer) -> None:
    assert spans(analyzer, "057188886666", "LANDLINE") == []
    assert spans(analyzer, "座机057188886666", "LANDLINE")


def test_masked_landline(analyzer: Analyzer) -> None:
    assert masked(analyzer, "电话0571-******66", "LANDLINE") == ["0571-******66"]
