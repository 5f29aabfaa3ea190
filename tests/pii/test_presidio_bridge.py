"""The Presidio bridge: our recognizers inside a Presidio engine with no NLP model."""

from __future__ import annotations

import pytest

pytest.importorskip("presidio_analyzer")

from parcelguard.pii.presidio_bridge import analyzer_engine, presidio_recognizer


def test_engine_without_nlp_model_finds_chinese_pii() -> None:
    text = "收件人：王小明 13812345678 浙江省杭州市西湖区文三路478号"
    results = analyzer_engine().analyze(text, language="zh")
    found = sorted((r.entity_type, text[r.start : r.end]) for r in results)
    assert found == [
        ("ADDRESS", "浙江省杭州市西湖区文三路478号"),
        ("NAME", "王小明"),
        ("PHONE", "13812345678"),
    ]


def test_recognizer_answers_only_the_requested_entities() -> None:
    recognizer = presidio_recognizer()
    results = recognizer.analyze("收件人：王小明 13812345678", ["PHONE"])
    assert [r.entity_type for r in results] == ["PHONE"]
    assert "PLATE" in recognizer.supported_entities
