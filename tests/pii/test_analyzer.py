"""Analyzer: overlaps settled, offsets into the original text, values never in a repr."""

from __future__ import annotations

import pytest
from tests.pii.helpers import valid_id

from parcelguard.pii.analyzer import Analyzer, settle
from parcelguard.pii.entity import Span
from parcelguard.pii.recognizers import RECOGNIZERS, PhoneRecognizer, default_recognizers

MIXED = [
    (
        "收件人：王小明，手机＋８６ １３８-１２３４-５６７８，地址浙江省杭州市西湖区文三路478号",
        [
            ("NAME", "王小明"),
            ("PHONE", "＋８６ １３８-１２３４-５６７８"),
            ("ADDRESS", "浙江省杭州市西湖区文三路478号"),
        ],
    ),
    (
        f"我叫李娜，身份证{valid_id()}，卡号6222021234567890128，邮箱li.na@qq.com",
        [
            ("NAME", "李娜"),
            ("ID_CARD", valid_id()),
            ("BANK_CARD", "6222021234567890128"),
            ("EMAIL", "li.na@qq.com"),
        ],
    ),
    (
        "SF1234567890123 陈思思 13912345678 车牌浙A·12345 座机0571-88886666",
        [
            ("WAYBILL_NO", "SF1234567890123"),
            ("NAME", "陈思思"),
            ("PHONE", "13912345678"),
            ("PLATE", "浙A·12345"),
            ("LANDLINE", "0571-88886666"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), MIXED)
def test_mixed_text_offsets_point_into_the_original(
    analyzer: Analyzer, text: str, expected: list[tuple[str, str]]
) -> None:
    found = [(e.type, text[e.start : e.end]) for e in analyzer.analyze(text).entities]
    assert found == expected
    for entity in analyzer.analyze(text).entities:
        assert entity.value.reveal() == text[entity.start : entity.end]


def test_entity_repr_and_dict() -> None:
    entity = Analyzer().analyze("电话13812345678").entities[0]
    assert "13812345678" not in repr(entity)
    assert "13812345678" not in f"{entity}"
    assert entity.as_dict() == {
        "type": "PHONE",
        "start": 2,
        "end": 13,
        "text": "13812345678",
        "score": 0.95,
    }


def test_settle_prefers_certain_then_long_then_priority() -> None:
    spans = [
        Span("PHONE", 3, 14, 0.85),
        Span("ID_CARD", 0, 18, 0.99),
        Span("NAME", 20, 23, 0.6),
        Span("ADDRESS", 19, 30, 0.9),
        Span("BANK_CARD", 0, 18, 0.99),
    ]
    assert settle(spans) == [Span("ID_CARD", 0, 18, 0.99), Span("ADDRESS", 19, 30, 0.9)]


def test_empty_and_plain_texts(analyzer: Analyzer) -> None:
    assert analyzer.analyze("").entities == []
    assert analyzer.analyze("hello world 123").entities == []


def test_registry_lists_every_contract_type() -> None:
    assert set(RECOGNIZERS) == {
        "PHONE",
        "LANDLINE",
        "ID_CARD",
        "BANK_CARD",
        "NAME",
        "ADDRESS",
        "EMAIL",
        "WAYBILL_NO",
        "PLATE",
    }
    assert [type(r) for r in default_recognizers(("PHONE",))] == [PhoneRecognizer]


def test_an_analyzer_with_some_recognizers_finds_only_their_types() -> None:
    only_phone = Analyzer(default_recognizers(("PHONE",)))
    found = only_phone.analyze("收件人：王小明 13812345678").entities
    assert [e.type for e in found] == ["PHONE"]


def test_threshold_drops_uncertain_spans() -> None:
    strict = Analyzer(threshold=0.9)
    assert strict.analyze("昨天张伟来拿快递了").entities == []
