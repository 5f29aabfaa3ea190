"""Rate limits: a sliding window of attempts per key, in memory or shared through a database.

`RateLimiter.hit(key, limit, window)` records one attempt and raises `RateLimited` when the key
already made `limit` attempts in the last `window` seconds; `retry_after` (seconds) travels in
the error's details. The default store lives in the process; with several API workers the
`SqlWindowStore` keeps the windows in a database every worker shares (docs/hardening.md).
Keys name what is limited (`signin:ip:203.0.113.7`, `reveal:principal:<id>`); a key must
never hold plaintext PII: pass a phone's blind-index digest, not the phone.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field
from sqlalchemy import (
    Column,
    Engine,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    delete,
    func,
    insert,
    select,
    text,
)

from parcelguard.errors import RateLimited

if TYPE_CHECKING:
    from parcelguard.runtime import Runtime

EXTRA_KEY = "ratelimit.limiter"
SHARED_SCHEMA = "parcelguard_ratelimit"  # PostgreSQL: outside the migrated schema


@dataclass(frozen=True)
class Window:
    """What a store saw for one key: attempts inside the window and the oldest one's time."""

    count: int
    oldest: float | None
    added: bool = False


class WindowStore(ABC):
    """Keeps the attempt times of each key; every method is atomic for its key."""

    @abstractmethod
    def attempt(self, key: str, now: float, window: float, limit: int | None) -> Window:
        """Drop attempts older than the window, then add one unless `limit` is reached."""

    @abstractmethod
    def peek(self, key: str, now: float, window: float) -> Window:
        """Return the attempts inside the window without adding one."""

    @abstractmethod
    def clear(self, key: str) -> None:
        """Forget every attempt of `key`."""


class MemoryStore(WindowStore):
    """Attempt times per key in this process; the least recently used keys go past `max_keys`."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._keys: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def attempt(self, key: str, now: float, window: float, limit: int | None) -> Window:
        """Record an attempt if the key is under its limit."""
        with self._lock:
            times = self._window(key, now, window)
            added = limit is None or len(times) < limit
            if added:
                times.append(now)
            return Window(len(times), times[0] if times else None, added)

    def peek(self, key: str, now: float, window: float) -> Window:
        """Return the key's attempts in the window."""
        with self._lock:
            times = self._window(key, now, window)
            return Window(len(times), times[0] if times else None)

    def clear(self, key: str) -> None:
        """Forget the key."""
        with self._lock:
            self._keys.pop(key, None)

    def _window(self, key: str, now: float, window: float) -> deque[float]:
        times = self._keys.get(key)
        if times is None:
            times = self._keys[key] = deque()
            while len(self._keys) > self._max_keys:
                self._keys.popitem(last=False)  # a flood of new keys cannot grow memory
        else:
            self._keys.move_to_end(key)
        while times and times[0] <= now - window:
            times.popleft()
        return times


class SqlWindowStore(WindowStore):
    """Attempt times in a database table every worker shares (created on first use).

    Keys are stored as SHA-256 prefixes and rows older than a day are swept as hits go by.
    The table sits outside the migrated schema: its own PostgreSQL schema, or its own SQLite
    file, so it never changes the tables Alembic manages.
    """

    SWEEP_EVERY = 256
    KEEP_SECONDS = 86_400.0

    def __init__(self, engine: Engine, *, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema
        self.table = Table(
            "rate_limit_hits",
            MetaData(schema=schema),
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("key_hash", LargeBinary(16), nullable=False),
            Column("at", Float, nullable=False),
            Index("ix_rate_limit_hits_key_at", "key_hash", "at"),
        )
        self._ready = False
        self._lock = threading.Lock()
        self._hits = itertools.count()

    def attempt(self, key: str, now: float, window: float, limit: int | None) -> Window:
        """Record an attempt under a per-key lock if the key is under its limit."""
        self._prepare()
        digest = _digest(key)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                lock = int.from_bytes(digest[:8], "big", signed=True)
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})
            table = self.table
            old = table.c.at <= now - window
            conn.execute(delete(table).where(table.c.key_hash == digest, old))
            count, oldest = conn.execute(
                select(func.count(), func.min(table.c.at)).where(table.c.key_hash == digest)
            ).one()
            added = limit is None or count < limit
            if added:
                conn.execute(insert(table).values(key_hash=digest, at=now))
                count, oldest = count + 1, now if oldest is None else oldest
            if next(self._hits) % self.SWEEP_EVERY == 0:
                conn.execute(delete(table).where(table.c.at <= now - self.KEEP_SECONDS))
        return Window(int(count), oldest, added)

    def peek(self, key: str, now: float, window: float) -> Window:
        """Return the key's attempts in the window."""
        self._prepare()
        table = self.table
        with self.engine.connect() as conn:
            count, oldest = conn.execute(
                select(func.count(), func.min(table.c.at)).where(
                    table.c.key_hash == _digest(key), table.c.at > now - window
                )
            ).one()
        return Window(int(count), oldest)

    def clear(self, key: str) -> None:
        """Forget the key."""
        self._prepare()
        with self.engine.begin() as conn:
            conn.execute(delete(self.table).where(self.table.c.key_hash == _digest(key)))

    def _prepare(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            with self.engine.begin() as conn:
                if self.schema and conn.dialect.name == "postgresql":
                    conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                self.table.metadata.create_all(conn, checkfirst=True)
            self._ready = True


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()[:16]


class RateLimiter:
    """Sliding-window limits over a store; the clock is injectable (seconds, wall time)."""

    def __init__(
        self, store: WindowStore | None = None, *, now: Callable[[], float] = time.time
    ) -> None:
        self.store = store or MemoryStore()
        self._now = now

    def hit(self, key: str, limit: int, window: float) -> None:
        """Count one attempt of `key`; raise `RateLimited` when it is over `limit` per `window`."""
        now = self._now()
        seen = self.store.attempt(key, now, window, limit)
        if not seen.added:
            self._refuse(seen, now, window)

    def check(self, key: str, limit: int, window: float) -> None:
        """Raise `RateLimited` if `key` already reached `limit`, without counting an attempt."""
        now = self._now()
        seen = self.store.peek(key, now, window)
        if seen.count >= limit:
            self._refuse(seen, now, window)

    def record(self, key: str, window: float) -> int:
        """Count one attempt unconditionally (a failure); return the attempts in the window."""
        return self.store.attempt(key, self._now(), window, None).count

    def reset(self, key: str) -> None:
        """Forget `key` (after a success that should clear earlier failures)."""
        self.store.clear(key)

    @staticmethod
    def _refuse(seen: Window, now: float, window: float) -> None:
        wait = max(1, math.ceil((seen.oldest or now) + window - now))
        raise RateLimited(
            f"too many attempts; try again in {wait} s",
            code="rate_limited",
            details={"retry_after": wait},
        )


class Limit(BaseModel):
    """One limit: at most `limit` attempts per `window` seconds."""

    limit: int = Field(ge=1, le=1_000_000)
    window: float = Field(gt=0, le=86_400)


class RateLimitConfig(BaseModel):
    """The `[ratelimit]` table of config.toml."""

    enabled: bool = True
    store: Literal["memory", "database"] = "memory"
    limits: dict[str, Limit] = Field(default_factory=dict)

    def limit_for(self, name: str, default: Limit) -> Limit:
        """Return the configured limit of a rule, or its default."""
        return self.limits.get(name, default)


def limiter_for(rt: Runtime) -> RateLimiter:
    """Return the runtime's limiter (memory, or the shared database store when configured)."""
    limiter: RateLimiter | None = rt.extras.get(EXTRA_KEY)
    if limiter is None:
        config = config_for(rt)
        store: WindowStore = MemoryStore()
        if config.store == "database":
            store = shared_store(rt)
        limiter = RateLimiter(store)
        rt.extras[EXTRA_KEY] = limiter
    return limiter


def config_for(rt: Runtime) -> RateLimitConfig:
    """Return the validated `[ratelimit]` configuration of a runtime."""
    config: RateLimitConfig = rt.settings.section("ratelimit", RateLimitConfig)
    return config


def shared_store(rt: Runtime) -> SqlWindowStore:
    """Return a store in the deployment's database that every worker shares."""
    from parcelguard.db import make_engine

    if rt.db.dialect == "postgresql":
        return SqlWindowStore(rt.db.engine, schema=SHARED_SCHEMA)
    path = rt.settings.home / "ratelimit.db"
    return SqlWindowStore(make_engine(f"sqlite:///{path}"))
