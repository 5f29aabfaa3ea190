"""PlateRecognizer: regular and new-energy plates, separators, no I or O."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans

from parcelguard.pii.analyzer import Analyzer

POSITIVES = [
    ("车牌浙A12345，", "浙A12345"),
    ("车牌浙A·12345", "浙A·12345"),
    ("粤B D12345 新能源", "粤B D12345"),
    ("粤BD12345", "粤BD12345"),
    ("沪A12345D大车", "沪A12345D"),
    ("京N8P8F8停在楼下", "京N8P8F8"),
    ("苏E 7X291", "苏E 7X291"),
]
NEGATIVES = ["型号A12345", "浙A", "浙AB", "京A1234", "京I12345", "浙A123456789", "苏ABCDE1"]


@pytest.mark.parametrize(("text", "plate"), POSITIVES)
def test_finds_plates(analyzer: Analyzer, text: str, plate: str) -> None:
    start = text.index(plate)
    assert spans(analyzer, text, "PLATE") == [(start, start + len(plate), plate)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_non_plates(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "PLATE") == []


def test_masked_plate(analyzer: Analyzer) -> None:
    assert masked(analyzer, "车牌浙A***45", "PLATE") == ["浙A***45"]
