"""Property tests: phone, resident ID and address normalisation, and masking minimums."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcelguard.pii.divisions import resolve_regions
from parcelguard.pii.masking import (
    MASK,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    surname_of,
)
from parcelguard.pii.normalize import id_check_digit, normalize_phone, normalize_resident_id
from parcelguard.vault.synthetic import Faker

TODAY = date(2026, 11, 2)
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 999_999_999),
)
landlines = st.builds(
    lambda area, first, rest, size: f"{area}{first}{rest:07d}"[: len(area) + size],
    st.sampled_from(["010", "021", "0571", "0755", "0898"]),
    st.sampled_from("23456789"),
    st.integers(0, 9_999_999),
    st.sampled_from([7, 8]),
)


def decorate(number: str, style: int) -> str:
    """Write a number the ways people do: +86, 0086, dashes, spaces, full-width digits."""
    if style == 0:
        return number
    if style == 1:
        return "+86 " + number.lstrip("0") if number.startswith("0") else "+86" + number
    if style == 2:
        return "0086-" + number
    if style == 3:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == 4:
        return " ".join(number)
    return number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


@given(mobiles, st.integers(0, 5))
def test_every_written_form_of_a_mobile_normalizes_to_one_value(number: str, style: int) -> None:
    phone = normalize_phone(decorate(number, style))
    assert phone is not None and phone.kind == "mobile"
    assert phone.national == number and phone.e164 == "+86" + number


@given(landlines, st.sampled_from([0, 2, 5]))
def test_landlines_keep_their_area_code(number: str, style: int) -> None:
    phone = normalize_phone(decorate(number, style))
    assert phone is not None and phone.kind == "landline"
    assert phone.national == number


@given(st.text())
def test_phone_normalization_never_raises(text: str) -> None:
    phone = normalize_phone(text)
    assert phone is None or phone.national.isdigit()


@given(st.integers(0, 10**6), st.integers(0, 16), st.integers(1, 9))
def test_valid_resident_ids_pass_and_any_single_digit_change_fails(
    seed: int, position: int, shift: int
) -> None:
    id_no = next(iter(Faker(seed).rows(1)))["sender_id_no"]
    assert normalize_resident_id(id_no.lower(), today=TODAY) == id_no.upper()
    digit = (int(id_no[position]) + shift) % 10
    changed = id_no[:position] + str(digit) + id_no[position + 1 :]
    assert id_check_digit(changed[:17]) != id_no[17]  # MOD 11-2 catches every substitution
    assert normalize_resident_id(changed, today=TODAY) is None


@given(st.text(max_size=40))
def test_resident_id_normalization_never_raises(text: str) -> None:
    found = normalize_resident_id(text, today=TODAY)
    assert found is None or len(found) == 18


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(0, 10**6))
def test_generated_addresses_resolve_to_their_province(seed: int) -> None:
    rows = list(Faker(seed).rows(3))
    regions = resolve_regions([r["recipient_address"] for r in rows])
    for row, region in zip(rows, regions, strict=True):
        assert region is not None
        assert row["recipient_address"].startswith(region.province[:2])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=5))
def test_address_resolution_never_raises(texts: list[str]) -> None:
    assert len(resolve_regions(texts)) == len(texts)


@given(mobiles)
def test_masked_mobile_hides_six_digits_and_never_the_number(number: str) -> None:
    masked = mask_phone(number)
    assert number not in masked
    assert masked.count(MASK) >= 6
    assert sum(ch.isdigit() for ch in masked) <= 5


@given(landlines)
def test_masked_landline_hides_six_digits_of_the_subscriber(number: str) -> None:
    masked = mask_phone(number)
    assert number not in masked and masked.count(MASK) >= 6


names = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=5
)


@given(names)
def test_masked_name_keeps_only_the_surname(name: str) -> None:
    masked = mask_name(name)
    keep = surname_of(name)
    assert masked == keep + MASK * (len(name) - len(keep))
    assert name not in masked and len(masked) == len(name)


@given(st.integers(0, 10**6))
def test_masked_address_hides_the_door_and_the_id_keeps_two_characters(seed: int) -> None:
    row = next(iter(Faker(seed).rows(1)))
    address = row["recipient_address"]
    masked = mask_address("", address)
    assert address not in masked and masked.endswith(MASK * 3)
    assert not any(ch.isdigit() for ch in masked)  # building, unit and room numbers are gone
    id_no = row["sender_id_no"]
    masked_id = mask_id_number(id_no)
    assert masked_id[0] == id_no[0] and masked_id[-1] == id_no[-1]
    assert masked_id.count(MASK) == 16
