"""Time for the whole application, replaceable so tests and replays can set it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

CHINA = timezone(timedelta(hours=8), "CST")


class Clock:
    """The wall clock, always timezone-aware UTC."""

    def now(self) -> datetime:
        """Return the current time."""
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that only moves when told to; for tests, replays and backfills."""

    def __init__(self, at: datetime) -> None:
        self._at = as_utc(at)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the set time."""
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        """Jump to `at`."""
        with self._lock:
            self._at = as_utc(at)

    def advance(self, **delta: float) -> datetime:
        """Move forward by a `timedelta(**delta)` and return the new time."""
        with self._lock:
            self._at += timedelta(**delta)
            return self._at


def as_utc(at: datetime) -> datetime:
    """Treat a naive datetime as UTC (SQLite gives naive ones back) and convert aware ones."""
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """Parse ISO 8601 or `YYYY-MM-DD HH:MM:SS`; a time without zone is China Standard Time."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA)
    return value.astimezone(UTC)


def operator_time(server_now: datetime, asked: datetime | None) -> datetime:
    """Return the time an operator's tool acts at (`--now`): the server's, or a later one.

    Moving time forward only closes things sooner (a purge, the end of a binding); moving it
    back would reopen a reveal window or a binding, or keep data past its retention, so it is
    refused.
    """
    if asked is None:
        return server_now
    asked = as_utc(asked)
    if asked < server_now:
        from parcelguard.errors import InvalidInput

        raise InvalidInput(
            "--now may not be earlier than the server clock", code="time_before_server_clock"
        )
    return asked
