"""The masking guard: a renderer is never handed a value that does not look masked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.errors import InvalidInput
from parcelguard.labels.content import (
    LabelContent,
    LabelSize,
    ShelfLabelContent,
    sizes,
    validate_masked,
)
from parcelguard.labels.samples import sample_label, sample_shelf_label
from parcelguard.pii.masking import mask_address, mask_name, mask_phone
from parcelguard.sensitive import Sensitive

TOKEN = "q7Hk2mVx9RtB4nZc8LpW3s"

REFUSED: list[tuple[str, Any]] = [
    ("recipient_name", "张三"),
    ("sender_name", "欧阳娜娜"),
    ("recipient_name", "Zhang San"),
    ("recipient_name", "张*13812345678"),
    ("recipient_phone", "13812345678"),
    ("recipient_phone", "138 1234 5678"),
    ("recipient_phone", "138-1234-5678"),
    ("recipient_phone", "+86 138 1234 5678"),
    ("recipient_phone", "１３８１２３４５６７８"),
    ("recipient_phone", "138****5678"),
    ("sender_phone", "0571-88886666"),
    ("recipient_address", "浙江省杭州市西湖区文三路100号3幢2单元501室"),
    ("recipient_address", "浙江省杭州市西湖区文三路***13812345678***"),
    ("sender_address", "江苏省苏州市工业园区星湖街328号"),
    ("contents", "日用品 收件人电话13812345678"),
    ("destination", "杭州 13812345678"),
    ("sorting_code", "571-13812345678"),
    ("carrier", "示例速递 0571-88886666"),
    ("qr_url", f"https://pg.example/s/{TOKEN}?phone=13812345678"),
    ("qr_url", f"https://pg.example/s/{TOKEN}#x"),
    ("qr_url", "https://pg.example/s/short"),
    ("qr_url", f"https://pg.example/track/{TOKEN}"),
    ("qr_url", f"ftp://pg.example/s/{TOKEN}"),
    ("qr_url", f"/s/{TOKEN}"),
    ("waybill_no", "运单PG7531"),
    ("waybill_no", "PG75^XZ"),
    ("waybill_no", ""),
]


def test_the_samples_pass() -> None:
    for index in range(12):
        validate_masked(sample_label(index))
        validate_masked(sample_shelf_label(index))


@pytest.mark.parametrize(("field", "value"), REFUSED)
def test_refuses_what_does_not_look_masked(label: LabelContent, field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_masked(replace(label, **{field: value}))
    assert caught.value.details == {"field": field}
    assert field in caught.value.message
    shown = f"{caught.value} {caught.value!r} {caught.value.details!r}"
    assert not value or value not in shown
    assert "1381234" not in shown


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient_name", "*"),
        ("recipient_name", "欧阳**"),
        ("recipient_name", "J***"),
        ("recipient_phone", "0571-******88"),
        ("recipient_phone", "***********"),
        ("recipient_address", "浙江省杭州市西湖区文三路***"),
        ("sender_address", "浙江省杭州市***  "),
        ("qr_url", f"https://pg.example/parcelguard/s/{TOKEN}"),
        ("qr_url", f"http://127.0.0.1:8080/s/{TOKEN}"),
        ("weight_kg", None),
        ("sender_phone", ""),
    ],
)
def test_accepts_masked_forms(label: LabelContent, field: str, value: Any) -> None:
    validate_masked(replace(label, **{field: value}))


@pytest.mark.parametrize("weight", [float("nan"), -1.0, 1e9])
def test_refuses_an_impossible_weight(label: LabelContent, weight: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_masked(replace(label, weight_kg=weight))
    assert caught.value.details == {"field": "weight_kg"}


def test_a_sensitive_value_is_not_text(label: LabelContent) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_masked(replace(label, recipient_name=Sensitive("张三")))  # type: ignore[arg-type]
    assert caught.value.details == {"field": "recipient_name"}
    assert "张三" not in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient_name", "王小明"),
        ("waybill_tail", "12345"),
        ("waybill_tail", "0*17"),
        ("pickup_code", "13812345678"),
        ("station_name", "驿站 0571-88886666"),
    ],
)
def test_shelf_label_guard(field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_masked(replace(sample_shelf_label(0), **{field: value}))
    assert caught.value.details == {"field": field}
    assert value not in str(caught.value)


def test_shelf_pickup_codes_keep_their_dashes() -> None:
    validate_masked(replace(sample_shelf_label(0), pickup_code="12-3-0417"))


def test_repr_shows_no_personal_field(label: LabelContent) -> None:
    shelf = sample_shelf_label(0)
    assert label.recipient_name not in repr(label)
    assert label.recipient_phone not in repr(label)
    assert shelf.recipient_name not in repr(shelf)
    assert isinstance(shelf, ShelfLabelContent)


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)
names = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=4)
details = st.sampled_from(["文三路100号3幢2单元501室", "张杨路88弄6号1202", "科技园南区10栋", ""])


@settings(max_examples=60, deadline=None)
@given(name=names, phone=mobiles, detail=details)
def test_what_pii_masking_produces_passes(name: str, phone: str, detail: str) -> None:
    masked = replace(
        sample_label(0),
        recipient_name=mask_name(name),
        recipient_phone=mask_phone(phone),
        recipient_address=mask_address("浙江省杭州市西湖区", detail),
    )
    validate_masked(masked)


@settings(max_examples=60, deadline=None)
@given(
    field=st.sampled_from(
        ["recipient_name", "recipient_phone", "recipient_address", "sender_name", "sender_address"]
    ),
    phone=mobiles,
    cut=st.integers(min_value=0, max_value=3),
)
def test_a_phone_number_anywhere_is_refused(field: str, phone: str, cut: int) -> None:
    label = sample_label(0)
    value = getattr(label, field)
    with pytest.raises(InvalidInput):
        validate_masked(replace(label, **{field: value[:cut] + phone + value[cut:]}))


def test_sizes() -> None:
    assert sizes() == ["100x180", "100x150", "76x130"]
    assert LabelSize.parse(" 76X130 ") is LabelSize.MM_76X130
    assert (LabelSize.MM_100X180.width_mm, LabelSize.MM_100X180.height_mm) == (100.0, 180.0)
    with pytest.raises(InvalidInput) as caught:
        LabelSize.parse("A4")
    assert caught.value.code == "unknown_label_size"
