"""Write use cases run one at a time on SQLite (one writer) and side by side on PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from parcelguard.runtime import Runtime
from parcelguard.web.writers import run_writing


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Both databases: the gate differs between them."""
    return str(request.param)


def _most_at_once(rt: Runtime, requests: int) -> int:
    lock = threading.Lock()
    running, most = 0, 0

    def work(n: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return n

    async def burst() -> list[int]:
        return await asyncio.gather(*(run_writing(rt, work, n) for n in range(requests)))

    assert asyncio.run(burst()) == list(range(requests))  # every answer to its own request
    return most


def test_writes_run_one_at_a_time_on_sqlite_and_side_by_side_on_postgresql(
    rt: Runtime, backend: str
) -> None:
    most = _most_at_once(rt, 8)
    assert most == 1 if backend == "sqlite" else most > 1


def test_a_failing_write_reaches_its_own_caller_and_frees_the_gate(rt: Runtime) -> None:
    def fail() -> None:
        raise ValueError("refused")

    async def run() -> None:
        with pytest.raises(ValueError, match="refused"):
            await run_writing(rt, fail)
        assert await asyncio.wait_for(run_writing(rt, lambda: "next"), 5) == "next"

    asyncio.run(run())
