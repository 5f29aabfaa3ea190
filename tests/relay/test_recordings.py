"""Call recordings: sealed, kept 30 days by default, heard only by an officer with a case,
erased with the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from parcelguard.access import cases
from parcelguard.audit.service import SYSTEM, Actor
from parcelguard.errors import Denied
from parcelguard.relay import calls, recordings, service
from parcelguard.relay.config import RelayConfig
from parcelguard.relay.models import CallRecord, Recording
from tests.relay.conftest import World, audit_events, configure, details, dispatch
from tests.relay.fakes import RECORDING
from tests.relay.test_routing import bound_number

OFFICER = Actor("officer-1", "security_officer")


def keep_one(world: World) -> str:
    """A connected call of courier 0 to recipient 0 and its recording, kept."""
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    with world.rt.db.session() as session:
        service.route(world.rt, session, SYSTEM, world.couriers[0].phone, x, call_id="CA1")
        record = calls.apply_status(world.rt, session, "CA1", "completed", duration=42)
        recording_id = recordings.keep(
            world.rt, session, "huawei", "record.wav", record, RECORDING, "audio/wav"
        )
    assert recording_id is not None
    return recording_id


def open_case(world: World) -> str:
    with world.rt.db.session() as session:
        return cases.open_case(world.rt, session, OFFICER, "投诉：快递员辱骂").case_id


def test_recordings_are_kept_sealed_for_thirty_days_by_default(world: World) -> None:
    assert RelayConfig().recording_retention_days == 30
    recording_id = keep_one(world)
    with world.rt.db.session() as session:
        kept = session.get(Recording, (world.rt.tenant, recording_id))
        assert kept is not None and kept.sealed is not None
        assert RECORDING not in kept.sealed and b"fake-mp3" not in kept.sealed
        assert kept.expires_at - kept.recorded_at == timedelta(days=30)
        assert kept.caller_ref is not None and kept.call_id == "CA1"
    [event] = audit_events(world.rt, "relay.recording_kept")
    assert details(event)["recording_id"] == recording_id


def test_an_officer_with_an_open_case_hears_the_recording(world: World) -> None:
    recording_id = keep_one(world)
    case_id = open_case(world)
    with world.rt.db.session() as session:
        audio, media = service.reveal_recording(world.rt, session, OFFICER, recording_id, case_id)
    assert audio == RECORDING and media == "audio/wav"
    [shown] = audit_events(world.rt, "relay.recording_reveal")
    assert shown.decision == "allow" and details(shown)["case_id"] == case_id


@pytest.mark.parametrize(
    ("actor", "with_case", "code"),
    [
        (Actor("officer-1", "security_officer"), False, "case_required"),
        (Actor("admin-1", "admin"), True, "not_an_officer"),
        (Actor("cs-1", "customer_service"), True, "not_an_officer"),
    ],
)
def test_no_one_else_hears_it_and_every_attempt_is_audited(
    world: World, actor: Actor, with_case: bool, code: str
) -> None:
    recording_id = keep_one(world)
    case_id = open_case(world) if with_case else None
    with world.rt.db.session() as session, pytest.raises(Denied) as refused:
        service.reveal_recording(world.rt, session, actor, recording_id, case_id)
    assert refused.value.code == code
    [attempt] = audit_events(world.rt, "relay.recording_reveal")
    assert attempt.decision == "deny" and attempt.reason == code


def test_a_closed_case_no_longer_opens_recordings(world: World) -> None:
    recording_id = keep_one(world)
    case_id = open_case(world)
    with world.rt.db.session() as session:
        cases.close_case(world.rt, session, OFFICER, case_id)
    with world.rt.db.session() as session, pytest.raises(Denied):
        service.reveal_recording(world.rt, session, OFFICER, recording_id, case_id)


def test_recordings_past_their_retention_are_erased_by_the_sweep(world: World, clock) -> None:
    configure(world.rt, recording_retention_days=7)
    recording_id = keep_one(world)
    clock.advance(days=7, minutes=1)
    with world.rt.db.session() as session:
        result = service.sweep(world.rt, session)
        kept = session.get(Recording, (world.rt.tenant, recording_id))
        assert kept is not None and kept.sealed is None and kept.key_blob is None
        assert kept.erase_reason == "expired"
    assert result["recordings_erased"] == 1
    case_id = open_case(world)
    with world.rt.db.session() as session, pytest.raises(Exception) as gone:
        service.reveal_recording(world.rt, session, OFFICER, recording_id, case_id)
    assert getattr(gone.value, "code", None) == "recording_not_found"


def test_erasing_a_person_erases_the_recordings_of_their_calls(world: World) -> None:
    recording_id = keep_one(world)
    with world.rt.db.session() as session:
        counts = service.forget_phone(world.rt, session, SYSTEM, world.couriers[0].phone)
        kept = session.get(Recording, (world.rt.tenant, recording_id))
        assert kept is not None and kept.sealed is None and kept.caller_ref is None
        assert session.scalars(select(CallRecord)).one().caller_ref is None
    assert counts["recordings"] == 1
