"""The plain shipment fields: a courier or station id never carries a phone number."""

from __future__ import annotations

import pytest

from parcelguard.db import new_id
from parcelguard.vault.fields import check_identifier


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("st-hz-01", None),
        ("courier:王师傅", None),
        ("01a23b86402b505eba19431281086a51", None),  # our own id, eleven digits by chance
        ("st-13800138000", "looks_like_personal_data"),
        ("courier-0571-88886666", "looks_like_personal_data"),
        ("13800138000", "looks_like_personal_data"),
        ("0123456789abcdef13800138000abcde", None),  # 32 hex: an id ParcelGuard made
        ("0123456789ABCDEF13800138000ABCDE", "looks_like_personal_data"),  # not our form
        ("st a", "invalid_characters"),
    ],
)
def test_identifiers_refuse_phone_numbers_but_not_our_own_ids(value: str, code: str | None) -> None:
    problem = check_identifier("courier_id", value)
    assert (problem.code if problem else None) == code


def test_no_generated_id_is_ever_refused() -> None:
    assert all(check_identifier("courier_id", new_id()) is None for _ in range(5000))
