"""`/healthz` asks the database at most once a second, shares one question, remembers no failure."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from parcelguard.app import create_app
from parcelguard.runtime import Runtime
from parcelguard.web.health import DatabaseProbe


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingProbe(DatabaseProbe):
    """The real probe, counting the questions it puts to the database."""

    def __init__(self, rt: Runtime, clock: Clock, *, fail: int = 0, slow: float = 0) -> None:
        super().__init__(rt, clock)
        self.asked = 0
        self.fail = fail
        self.slow = slow

    def _ask(self) -> None:
        self.asked += 1
        if self.slow:
            time.sleep(self.slow)
        if self.fail:
            self.fail -= 1
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        super()._ask()


def test_healthz_asks_the_database_once_a_second_however_often_it_is_polled(rt: Runtime) -> None:
    clock = Clock()
    probe = CountingProbe(rt, clock)

    async def poll(times: int) -> None:
        for _ in range(times):
            await probe.check()

    asyncio.run(poll(50))
    assert probe.asked == 1
    clock.now += 0.9
    asyncio.run(poll(50))
    assert probe.asked == 1
    clock.now += 0.2  # the answer is now older than a second
    asyncio.run(poll(50))
    assert probe.asked == 2


def test_a_database_that_did_not_answer_is_asked_again_at_the_next_poll(rt: Runtime) -> None:
    probe = CountingProbe(rt, Clock(), fail=1)
    with pytest.raises(OperationalError):
        asyncio.run(probe.check())
    asyncio.run(probe.check())  # no failure remembered: asked again, and it answers
    assert probe.asked == 2


def test_concurrent_polls_share_one_question_and_its_failure(rt: Runtime) -> None:
    async def many(probe: DatabaseProbe) -> list[BaseException | None]:
        return await asyncio.gather(*(probe.check() for _ in range(20)), return_exceptions=True)

    answered = CountingProbe(rt, Clock(), slow=0.05)
    assert asyncio.run(many(answered)) == [None] * 20
    assert answered.asked == 1

    failing = CountingProbe(rt, Clock(), fail=1, slow=0.05)
    outcomes = asyncio.run(many(failing))
    assert failing.asked == 1
    assert all(isinstance(o, OperationalError) for o in outcomes)


def test_healthz_answers_503_when_the_database_cannot_be_reached(
    rt: Runtime, tmp_path: Path
) -> None:
    client = TestClient(create_app(rt))
    assert client.get("/healthz").json()["ok"] is True
    rt.db.read_engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'parcelguard.db'}")
    fresh = TestClient(create_app(rt))  # a new app: no answer remembered from the first
    answer = fresh.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "database_unavailable"
    assert "Traceback" not in answer.text and "sqlite" not in answer.text.lower()
