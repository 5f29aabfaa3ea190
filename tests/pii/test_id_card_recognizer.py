"""IdCardRecognizer: check digit and birth date decide; lenient mode is for OCR output."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans, valid_id

from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.recognizers import IdCardRecognizer
from parcelguard.pii.text_view import TextView

GOOD = valid_id()  # 11010519491231002X
OTHER = valid_id("44030619880808123")
BAD_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")

POSITIVES = [
    (f"身份证号：{GOOD}", GOOD),
    (f"身份证{GOOD.lower()}，", GOOD.lower()),
    (f"{OTHER}是我的", OTHER),
    (
        f"证件 {OTHER[:6]} {OTHER[6:14]} {OTHER[14:]} 请核对",
        f"{OTHER[:6]} {OTHER[6:14]} {OTHER[14:]}",
    ),
    (
        "全角" + OTHER.translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "号",
        OTHER.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ),
]
NEGATIVES = [
    f"身份证{BAD_CHECK}",  # wrong check digit
    "身份证110105194913310024",  # 13th month
    "订单号2024112012345678901",
    f"身份证{GOOD[:17]}",  # one short
    "单号110105199902301234",  # 30 February
]


@pytest.mark.parametrize(("text", "number"), POSITIVES)
def test_finds_valid_ids(analyzer: Analyzer, text: str, number: str) -> None:
    start = text.index(number)
    assert spans(analyzer, text, "ID_CARD") == [(start, start + len(number), number)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_rejects_invalid_ids(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "ID_CARD") == []


def test_an_id_is_not_also_a_phone_or_card(analyzer: Analyzer) -> None:
    text = f"身份证{valid_id('62010219900101131')}"
    kinds = {e.type for e in analyzer.analyze(text).entities}
    assert kinds == {"ID_CARD"}


def test_lenient_mode_accepts_a_misread_check_digit() -> None:
    view = TextView(f"身份证{BAD_CHECK}")
    assert list(IdCardRecognizer().find(view)) == []
    assert [s.type for s in IdCardRecognizer(lenient=True).find(view)] == ["ID_CARD"]


def test_masked_id(analyzer: Analyzer) -> None:
    assert masked(analyzer, "证件号 3301**********123X", "ID_CARD") == ["3301**********123X"]
