"""Property tests: phone and ID normalization, and masks that never show the whole value."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parcelguard.pii.analyzer import Analyzer
from parcelguard.pii.masking import (
    COMPOUND_SURNAMES,
    is_masked,
    mask_bank_card,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
)
from parcelguard.pii.normalize import id_check_digit, normalize_phone, normalize_resident_id
from parcelguard.pii.operators import MaskOperator
from parcelguard.pii.redactor import redact

FULL = str.maketrans("0123456789+-", "０１２３４５６７８９＋－")
ANALYZER = Analyzer()

mobiles = st.builds(
    lambda head, rest: head + rest,
    st.sampled_from([str(n) for n in range(130, 200) if str(n)[1] in "3456789"]),
    st.text("0123456789", min_size=8, max_size=8),
)
layouts = st.sampled_from(
    [
        lambda d: d,
        lambda d: f"{d[:3]} {d[3:7]} {d[7:]}",
        lambda d: f"{d[:3]}-{d[3:7]}-{d[7:]}",
        lambda d: "+86" + d,
        lambda d: f"+86 {d[:3]} {d[3:7]} {d[7:]}",
        lambda d: "0086-" + d,
        lambda d: d.translate(FULL),
        lambda d: f"+86-{d[:3]}-{d[3:7]}-{d[7:]}".translate(FULL),
    ]
)
ids = st.builds(
    lambda area, year, month, day, seq: (area, f"{year}{month:02d}{day:02d}", f"{seq:03d}"),
    st.sampled_from(["110101", "310104", "330106", "440305", "510107", "650102", "620102"]),
    st.integers(1930, 2010),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
)
han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


def _resident_id(parts: tuple[str, str, str]) -> str:
    first = "".join(parts)
    return first + id_check_digit(first)


@settings(max_examples=200, deadline=None)
@given(mobiles, layouts)
def test_every_layout_of_a_mobile_normalizes_to_it(digits: str, layout) -> None:
    phone = normalize_phone(layout(digits))
    assert phone is not None and phone.kind == "mobile" and phone.national == digits


@settings(max_examples=200, deadline=None)
@given(mobiles, layouts)
def test_masked_phone_hides_six_digits_and_never_the_number(digits: str, layout) -> None:
    masked = mask_phone(layout(digits))
    assert digits not in masked
    assert masked.count("*") >= 6
    assert len(re.sub(r"\D", "", masked)) <= 5
    assert is_masked(masked)


@settings(max_examples=150, deadline=None)
@given(mobiles, layouts, st.sampled_from(["电话{}谢谢", "收件人：王小明 {}", "{}", "call {} now"]))
def test_redacted_text_never_holds_the_phone(digits: str, layout, frame: str) -> None:
    text = frame.format(layout(digits))
    out = redact(text, MaskOperator(), ANALYZER).text
    assert digits not in re.sub(
        r"\D", "", out.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    )


@settings(max_examples=200, deadline=None)
@given(ids)
def test_resident_ids_validate_and_mask(parts: tuple[str, str, str]) -> None:
    id_no = _resident_id(parts)
    assert normalize_resident_id(id_no.lower()) == id_no
    masked = mask_id_number(id_no)
    assert len(masked) == 18 and masked.count("*") == 16 and id_no not in masked


@settings(max_examples=200, deadline=None)
@given(ids, st.integers(0, 16), st.integers(1, 9))
def test_one_wrong_digit_breaks_the_check(parts: tuple[str, str, str], at: int, shift: int) -> None:
    id_no = _resident_id(parts)
    wrong = id_no[:at] + str((int(id_no[at]) + shift) % 10) + id_no[at + 1 :]
    assert normalize_resident_id(wrong) is None


@settings(max_examples=200, deadline=None)
@given(st.text(han, min_size=2, max_size=4))
def test_masked_names_keep_only_the_surname(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name) and masked != name
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) >= 3 else 1
    assert masked[:keep] == name[:keep] and set(masked[keep:]) == {"*"}


@settings(max_examples=100, deadline=None)
@given(st.text("0123456789", min_size=16, max_size=19))
def test_masked_cards_hide_at_least_eight_digits(card: str) -> None:
    masked = mask_bank_card(card)
    assert card not in masked and masked.count("*") >= 8


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9._]{1,15}@[a-z]{2,8}\.(com|cn|net)", fullmatch=True))
def test_masked_emails_hide_the_mailbox(email: str) -> None:
    masked = mask_email(email)
    local = email.split("@")[0]
    assert local not in masked.split("@")[0] or len(local) == 1
    assert masked.endswith("@" + email.split("@")[1])
