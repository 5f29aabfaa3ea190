"""Attacks on call recordings through the CLI (`relay recording fetch|show`): the same rule as
the API (a security officer naming an open case), every attempt audited, nothing written to
disk, erased and expired recordings gone for good."""

from __future__ import annotations

import base64
import io
import json
from contextlib import redirect_stdout

import pytest

from parcelguard.access import cases
from parcelguard.audit.service import SYSTEM, Actor
from parcelguard.relay import service
from parcelguard.runtime import Runtime
from tests.relay.conftest import World, audit_events, details, make_world
from tests.relay.fakes import RECORDING
from tests.relay.test_recordings import keep_one


@pytest.fixture
def world(rt: Runtime) -> World:
    """The relay's tenant: parcels, couriers with phones, a pool."""
    return make_world(rt)


def _key(cli, role: str) -> tuple[str, str]:
    args = ["users", "add", "--name", f"测试{role}", "--role", role, "--json"]
    created = cli(*args, "--trained-until", "2099-01-01").json
    return created["api_key"], created["id"]


def _open_case(world: World, officer_id: str) -> str:
    with world.rt.db.session() as session:
        officer = Actor(officer_id, "security_officer")
        return cases.open_case(world.rt, session, officer, "投诉：通话辱骂").case_id


def _fetch(cli, recording_id: str, case_id: str, key: str):
    return cli(
        "relay", "recording", "fetch", recording_id, "--case", case_id, "--api-key", key, "--json"
    )


def _show(cli, key: str, case_id: str, *what: str):
    return cli("relay", "recording", "show", *what, "--case", case_id, "--api-key", key, "--json")


def test_only_an_officer_with_an_open_case_fetches_a_recording_from_the_cli(
    world: World, cli, capsys: pytest.CaptureFixture[str]
) -> None:
    recording_id = keep_one(world)
    admin, _ = _key(cli, "admin")
    cs, _ = _key(cli, "customer_service")
    officer, officer_id = _key(cli, "security_officer")
    case_id = _open_case(world, officer_id)
    tries = [
        (world.couriers[0].key, case_id, "not_an_officer"),
        (admin, case_id, "not_an_officer"),
        (cs, case_id, "not_an_officer"),
        (officer, "CFFFFFFFFFF", "case_required"),  # a case that does not exist
    ]
    for key, case, code in tries:
        result = _fetch(cli, recording_id, case, key)
        assert result.code != 0 and "audio" not in result.stdout
        assert result.json["error"]["code"] == code
    with world.rt.db.session() as session:
        cases.close_case(world.rt, session, Actor(officer_id, "security_officer"), case_id)
    closed = _fetch(cli, recording_id, case_id, officer)  # closed: nothing opens
    assert closed.code != 0 and closed.json["error"]["code"] == "case_required"
    fresh = _open_case(world, officer_id)
    heard = _fetch(cli, recording_id, fresh, officer)
    assert heard.code == 0
    assert base64.b64decode(heard.json["audio_base64"]) == RECORDING
    assert heard.json["content_type"] == "audio/wav"
    attempts = audit_events(world.rt, "relay.recording_reveal")
    assert [a.reason for a in attempts] == [
        "not_an_officer",
        "not_an_officer",
        "not_an_officer",
        "case_required",
        "case_required",
        None,
    ]
    assert attempts[-1].decision == "allow" and details(attempts[-1])["case_id"] == fresh


def test_a_forged_api_key_reaches_nothing_and_leaves_no_reveal(
    world: World, cli, capsys: pytest.CaptureFixture[str]
) -> None:
    recording_id = keep_one(world)
    result = _fetch(cli, recording_id, "C1", "pgk_forged_key_000000000000")
    assert result.code != 0 and "audio" not in result.stdout
    assert audit_events(world.rt, "relay.recording_reveal") == []


def test_show_lists_recordings_without_audio_under_the_same_rule(
    world: World, cli, capsys: pytest.CaptureFixture[str]
) -> None:
    recording_id = keep_one(world)
    officer, officer_id = _key(cli, "security_officer")
    case_id = _open_case(world, officer_id)
    shown = _show(cli, officer, case_id, "--waybill", world.waybill(0))
    assert shown.code == 0
    [listed] = shown.json["recordings"]
    assert listed["recording_id"] == recording_id and listed["size"] == len(RECORDING)
    assert "audio" not in json.dumps(shown.json).replace("audio/wav", "")
    for secret in (world.couriers[0].phone, world.recipient(0)):
        assert secret not in shown.stdout
    refused = _show(cli, world.couriers[0].key, case_id, recording_id)
    assert refused.code != 0 and refused.json["error"]["code"] == "not_an_officer"
    unknown = _show(cli, officer, case_id, "--waybill", "SF0000000000000")
    assert unknown.code != 0 and unknown.json["error"]["code"] == "recording_not_found"
    audited = audit_events(world.rt, "relay.recording_show")
    assert [a.decision for a in audited] == ["allow", "deny", "deny"]
    assert details(audited[0]) == {
        "case_id": case_id,
        "recording_id": None,
        "call_id": None,
        "count": 1,
    }


def test_a_recording_erased_with_the_person_cannot_be_fetched(
    world: World, cli, capsys: pytest.CaptureFixture[str]
) -> None:
    recording_id = keep_one(world)
    officer, officer_id = _key(cli, "security_officer")
    case_id = _open_case(world, officer_id)
    with world.rt.db.session() as session:
        service.forget_phone(world.rt, session, SYSTEM, world.recipient(0))
    gone = _fetch(cli, recording_id, case_id, officer)
    assert gone.code != 0 and gone.json["error"]["code"] == "recording_not_found"
    shown = _show(cli, officer, case_id, recording_id)
    assert shown.json["recordings"][0]["erased"] is True


def test_an_expired_recording_is_gone_after_the_sweep(
    world: World, cli, clock, capsys: pytest.CaptureFixture[str]
) -> None:
    recording_id = keep_one(world)
    officer, officer_id = _key(cli, "security_officer")
    clock.advance(days=30, minutes=1)
    assert cli("relay", "sweep", "--json").json["recordings_erased"] == 1
    case_id = _open_case(world, officer_id)
    gone = _fetch(cli, recording_id, case_id, officer)
    assert gone.code != 0 and gone.json["error"]["code"] == "recording_not_found"


def test_the_raw_audio_goes_to_a_pipe_never_to_a_terminal_or_a_file(
    world: World, cli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from parcelguard.cli import run

    recording_id = keep_one(world)
    officer, officer_id = _key(cli, "security_officer")
    case_id = _open_case(world, officer_id)
    args = ["relay", "recording", "fetch", recording_id, "--case", case_id, "--api-key", officer]
    pipe = io.BytesIO()
    out = io.TextIOWrapper(pipe, encoding="utf-8")
    with redirect_stdout(out):
        assert run(args, make_runtime=lambda: world.rt) == 0
        out.flush()
    assert pipe.getvalue() == RECORDING
    screen = io.BytesIO()
    terminal = io.TextIOWrapper(screen, encoding="utf-8")
    monkeypatch.setattr(terminal, "isatty", lambda: True)
    with redirect_stdout(terminal):
        assert run(args, make_runtime=lambda: world.rt) != 0
        terminal.flush()
    assert RECORDING not in screen.getvalue()
    assert "stdout_is_terminal" in screen.getvalue().decode() + capsys.readouterr().err
    assert "--out" not in cli("relay", "recording", "fetch", "--help").stdout
