"""`/healthz`'s question to the database, asked at most once a second."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable

from fastapi.concurrency import run_in_threadpool

from parcelguard.runtime import Runtime


class DatabaseProbe:
    """Whether the database answers, asked at most once a second however often `/healthz` is.

    A load balancer, a monitor and an orchestrator each poll `/healthz`; under that traffic the
    answer "the database answered `SELECT 1` less than a second ago" is as true as asking again,
    and costs no trip to the thread pool (on PostgreSQL the ask is a network round trip, which
    must never run on the event loop). A stale or failed answer is asked again, by one request
    while the others wait for it; a failure is never remembered, so a database that comes back
    answers at the next request.
    """

    FRESH_SECONDS = 1.0

    def __init__(self, rt: Runtime, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rt = rt
        self.monotonic = monotonic
        self.answered_at = -math.inf
        self.asking: asyncio.Future[None] | None = None

    def _ask(self) -> None:
        # A read: on SQLite it must not queue behind writers for the write lock.
        with self.rt.db.read_engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    async def check(self) -> None:
        """Return when the database answered within `FRESH_SECONDS`; raise its error if not."""
        if self.monotonic() - self.answered_at < self.FRESH_SECONDS:
            return
        while self.asking is not None:  # another request is asking: share its answer
            asking = self.asking
            try:
                await asyncio.shield(asking)
                return
            except asyncio.CancelledError:
                if not asking.cancelled():
                    raise  # this request was cancelled
                # the asking request was cancelled, not this one: ask again
        asking = self.asking = asyncio.get_running_loop().create_future()
        try:
            await run_in_threadpool(self._ask)
        except Exception as error:
            asking.set_exception(error)
            asking.exception()  # retrieved: no "never retrieved" warning when none wait
            raise
        except BaseException:
            asking.cancel()
            raise
        else:
            self.answered_at = self.monotonic()
            asking.set_result(None)
        finally:
            self.asking = None
