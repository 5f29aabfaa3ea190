"""Matching through the blind index: phones, name + city where phones are masked, typos."""

from __future__ import annotations

from datetime import timedelta

import pytest

from parcelguard.forensics.cells import masked_pattern
from parcelguard.forensics.leak_reader import LeakRow
from parcelguard.forensics.matching import Matcher
from parcelguard.forensics.people import LeakedPerson
from parcelguard.forensics.vault_lookup import DbPartyIndex
from parcelguard.pii.normalize import normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.terminal import local_operator
from parcelguard.vault.ingest import import_shipments
from parcelguard.vault.readers import RawRow
from parcelguard.vault.synthetic import Faker


@pytest.fixture
def stored(rt: Runtime) -> list[dict[str, str]]:
    rows = list(Faker(31).rows(6))
    import_shipments(rt, local_operator(), [RawRow(i + 2, r) for i, r in enumerate(rows)])
    return rows


def person(
    row: int,
    *,
    name: str | None = None,
    phone: str | None = None,
    masked: str | None = None,
    address: str | None = None,
) -> LeakedPerson:
    return LeakedPerson(
        row,
        phone=normalize_phone(phone) if phone else None,
        pattern=masked_pattern(masked) if masked else None,
        name=name,
        address=address,
    )


def match(rt: Runtime, people: list[LeakedPerson], *, at_offset: float = 1) -> tuple[list, Matcher]:
    index = rt.keyring.index
    with rt.db.read_session() as session:
        matcher = Matcher(
            DbPartyIndex(session, rt.tenant),
            lambda kind, value: index.digest(rt.tenant, kind, value),
            rt.clock.now() + timedelta(days=at_offset),
        )
        records = list(matcher.match([(LeakRow(p.row, ()), [p]) for p in people]))
    return records, matcher


def test_a_whole_phone_matches_sender_or_recipient(
    rt: Runtime, stored: list[dict[str, str]]
) -> None:
    people = [
        person(2, phone=stored[0]["recipient_phone"]),
        person(3, phone="+86 " + stored[1]["sender_phone"]),
        person(4, phone="13000000000"),
    ]
    records, matcher = match(rt, people)
    assert [(r.row, r.how, r.candidates[0].waybill_no, r.candidates[0].role) for r in records] == [
        (2, "phone", stored[0]["waybill_no"], "recipient"),
        (3, "phone", stored[1]["waybill_no"], "sender"),
    ]
    assert matcher.stats.unmatched == 1 and matcher.stats.unmatched_rows == [4]
    assert matcher.stats.reasons["not_ours"] == 1


def test_a_masked_phone_matches_by_name_and_city_when_the_digits_agree(
    rt: Runtime, stored: list[dict[str, str]]
) -> None:
    row = stored[2]
    phone = row["recipient_phone"]
    agree = person(
        2,
        name=row["recipient_name"],
        masked=phone[:3] + "****" + phone[-4:],
        address=row["recipient_address"],
    )
    wrong_digits = person(
        3, name=row["recipient_name"], masked="199****0000", address=row["recipient_address"]
    )
    other_city = person(
        4,
        name=row["recipient_name"],
        masked=phone[:3] + "****" + phone[-4:],
        address="新疆维吾尔自治区乌鲁木齐市天山区解放路1号",
    )
    records, matcher = match(rt, [agree, wrong_digits, other_city])
    assert [(r.row, r.how) for r in records] == [(2, "name_region")]
    assert records[0].candidates[0].waybill_no == row["waybill_no"]
    assert matcher.stats.unmatched_rows == [3, 4]


def test_a_typo_in_the_name_is_not_guessed_at(rt: Runtime, stored: list[dict[str, str]]) -> None:
    row = stored[3]
    phone = row["recipient_phone"]
    typo = row["recipient_name"][:-1] + ("伟" if row["recipient_name"][-1] != "伟" else "芳")
    spaced = " ".join(row["recipient_name"])
    people = [
        person(
            2, name=typo, masked=phone[:3] + "****" + phone[-4:], address=row["recipient_address"]
        ),
        person(
            3,
            name=spaced.replace(" ", ""),
            masked=phone[:3] + "****" + phone[-4:],
            address=row["recipient_address"],
        ),
    ]
    records, _matcher = match(rt, people)
    assert [r.row for r in records] == [3]


def test_a_mistyped_phone_falls_back_to_name_and_city(
    rt: Runtime, stored: list[dict[str, str]]
) -> None:
    row = stored[4]
    phone = row["recipient_phone"]
    mistyped = phone[:5] + str((int(phone[5]) + 1) % 10) + phone[6:]
    records, _ = match(
        rt,
        [person(2, name=row["recipient_name"], phone=mistyped, address=row["recipient_address"])],
    )
    assert [(r.row, r.how) for r in records] == [(2, "name_region")]


def test_shipments_created_after_the_leak_do_not_match(
    rt: Runtime, stored: list[dict[str, str]]
) -> None:
    records, matcher = match(rt, [person(2, phone=stored[5]["recipient_phone"])], at_offset=-1)
    assert records == [] and matcher.stats.unmatched == 1


def test_people_with_too_little_are_counted_not_matched(
    rt: Runtime, stored: list[dict[str, str]]
) -> None:
    records, matcher = match(
        rt, [LeakedPerson(7, name="张*", name_masked=True, pattern=masked_pattern("138****5678"))]
    )
    assert records == [] and matcher.stats.reasons["too_masked"] == 1
