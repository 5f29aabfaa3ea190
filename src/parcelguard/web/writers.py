"""Write use cases cross to the thread pool through one gate per database.

SQLite has one writer: a reveal or a relay webhook on the embedded default takes the write
lock at its first statement, so eight of them on eight pool threads do not run side by side,
they queue on the lock and hand it (and the GIL) on at every commit. Measured under wrk with
8 connections, that hand-over costs about a fifth of the reveal's CPU. On SQLite these use
cases therefore run one at a time, waiting on the event loop (no thread parked on a lock);
on PostgreSQL, where writers do run side by side, they take the thread pool as any route.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

from parcelguard.runtime import Runtime

T = TypeVar("T")

# One gate per event loop (a test client runs its own loop) and per database URL.
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, CapacityLimiter]] = (
    weakref.WeakKeyDictionary()
)


def _gate(rt: Runtime) -> CapacityLimiter | None:
    if rt.db.dialect != "sqlite":
        return None  # the thread pool's own limit
    gates = _gates.setdefault(asyncio.get_running_loop(), {})
    gate = gates.get(rt.db.url)
    if gate is None:
        gate = gates[rt.db.url] = CapacityLimiter(1)
    return gate


async def run_writing(rt: Runtime, work: Callable[..., T], *args: object) -> T:
    """Run a use case that writes on a pool thread, one at a time on SQLite."""
    return await anyio.to_thread.run_sync(work, *args, limiter=_gate(rt))
