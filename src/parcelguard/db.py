"""Database access: SQLAlchemy 2 engines for SQLite (WAL, the embedded default) and PostgreSQL.

One transaction per request or command: `Database.session()` commits when the block ends and
rolls back on any error, so a change and its audit event land together or not at all.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

from parcelguard.clock import as_utc
from parcelguard.errors import ConfigError

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table; each carries `tenant_id` in its primary key."""

    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored with its zone and always read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; SQLite keeps it naive, PostgreSQL as timestamptz."""
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC whatever the backend gave back."""
        return None if value is None else as_utc(value)


def new_id() -> str:
    """Return a random 32-hex-digit identifier."""
    return uuid.uuid4().hex


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str, *, echo: bool = False, pool: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo, pool=pool)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        self._commit_hooks: list[Callable[[Session], None]] = []
        self._rollback_hooks: list[Callable[[Session], None]] = []
        event.listen(self._sessions, "after_commit", self._after_commit)
        event.listen(self._sessions, "after_rollback", self._after_rollback)

    def add_commit_hook(self, hook: Callable[[Session], None]) -> None:
        """Call `hook(session)` after each commit (publishing events that are now durable)."""
        if hook not in self._commit_hooks:
            self._commit_hooks.append(hook)

    def add_rollback_hook(self, hook: Callable[[Session], None]) -> None:
        """Call `hook(session)` after each rollback (forgetting events that never happened)."""
        if hook not in self._rollback_hooks:
            self._rollback_hooks.append(hook)

    def _after_commit(self, session: Session) -> None:
        for hook in self._commit_hooks:
            hook(session)

    def _after_rollback(self, session: Session) -> None:
        for hook in self._rollback_hooks:
            hook(session)

    @property
    def dialect(self) -> str:
        """Return `sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open one transaction: commit when the block ends, roll back on error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def make_engine(url: str, *, echo: bool = False, pool: bool = True) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and immediate write transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, echo=echo)
    if parsed.get_backend_name() == "postgresql":
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if not pool:
            kwargs["poolclass"] = NullPool
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_timeout=10)
        return create_engine(url, echo=echo, **kwargs)
    raise ConfigError(f"unsupported database backend {parsed.get_backend_name()!r}")


def _sqlite_engine(url: str, path: str | None, *, echo: bool) -> Engine:
    if path and path != ":memory:":
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not file.exists():
            # Created owner-only before SQLite touches it: the file holds ciphertexts and indexes.
            os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing
        # half way with "database is locked" (SQLite does not retry a lock upgrade).
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def insert_ignoring_conflict(session: Session, table: Any, values: dict[str, Any]) -> None:
    """Insert a row unless one with the same key exists (PostgreSQL and SQLite alike)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
