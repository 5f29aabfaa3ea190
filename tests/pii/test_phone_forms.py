"""Phone numbers as people type them and platforms export them: one canonical form each."""

from __future__ import annotations

import pytest

from parcelguard.pii.masking import mask_normalized_phone
from parcelguard.pii.normalize import normalize_phone

# (as written, kind, base number, extension)
FORMS = [
    ("13812345678", "mobile", "13812345678", ""),
    ("'13812345678", "mobile", "13812345678", ""),  # Excel's text apostrophe
    ('="13812345678"', "mobile", "13812345678", ""),  # Excel's text formula
    ("１３８１２３４５６７８", "mobile", "13812345678", ""),  # full-width digits
    ("138 1234 5678", "mobile", "13812345678", ""),
    ("138-1234-5678", "mobile", "13812345678", ""),
    ("+86 138-1234-5678", "mobile", "13812345678", ""),
    ("86-13812345678", "mobile", "13812345678", ""),
    ("0086 13812345678", "mobile", "13812345678", ""),
    ("＋８６　１３８１２３４５６７８", "mobile", "13812345678", ""),
    ("13800138000-1234", "mobile", "13800138000", "1234"),  # platform privacy numbers
    ("13800138000转1234", "mobile", "13800138000", "1234"),
    ("13800138000 转 1234", "mobile", "13800138000", "1234"),
    ("13800138000[1234]", "mobile", "13800138000", "1234"),
    ("13800138000【1234】", "mobile", "13800138000", "1234"),
    ("13800138000（1234）", "mobile", "13800138000", "1234"),
    ("13800138000#1234", "mobile", "13800138000", "1234"),
    ("13800138000,1234", "mobile", "13800138000", "1234"),
    ("13800138000_1234", "mobile", "13800138000", "1234"),
    ("13800138000 ext. 1234", "mobile", "13800138000", "1234"),
    ("+86 138 0013 8000 分机 1234", "mobile", "13800138000", "1234"),
    ("0571-88886666", "landline", "057188886666", ""),
    ("(0571)88886666", "landline", "057188886666", ""),
    ("0571 8888 6666", "landline", "057188886666", ""),
    ("+86 571 88886666", "landline", "057188886666", ""),
    ("010-62751234", "landline", "01062751234", ""),
    ("0571-88886666-801", "landline", "057188886666", "801"),
    ("0571-88886666转801", "landline", "057188886666", "801"),
    ("(021)62331234 ext 12", "landline", "02162331234", "12"),
]
NOT_PHONES = [
    "12345",
    "1380013800",
    "138001380001",
    "1******6198",
    "1.38123E+10",
    "[1234]",
    "转1234",
    "",
]


@pytest.mark.parametrize(("written", "kind", "base", "ext"), FORMS)
def test_written_forms_normalize(written: str, kind: str, base: str, ext: str) -> None:
    phone = normalize_phone(written)
    assert phone is not None
    assert (phone.kind, phone.national, phone.extension) == (kind, base, ext)
    assert phone.full == (f"{base}-{ext}" if ext else base)


@pytest.mark.parametrize("written", NOT_PHONES)
def test_what_is_not_a_phone_stays_refused(written: str) -> None:
    assert normalize_phone(written) is None


def test_an_extension_is_masked_whole() -> None:
    phone = normalize_phone("13800138000转1234")
    assert phone is not None
    masked = mask_normalized_phone(phone)
    assert masked == "138******00 转 ****"
    assert "1234" not in masked
