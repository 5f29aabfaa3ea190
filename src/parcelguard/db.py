"""Database access: SQLAlchemy 2 engines for SQLite (WAL, the embedded default) and PostgreSQL.

One transaction per request or command: `Database.session()` commits when the block ends and
rolls back on any error, so a change and its audit event land together or not at all.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
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


class SealedRow:
    """Mixin: the envelope columns of a row sealed under its own data key.

    The wrapped data key, the KEK version that wraps it, the sealed-value format of the key and
    fields (rows sealed before format 2: 1) and the retention epoch the key is sealed under,
    named as `crypto.SealedTable` expects by default.
    """

    key_blob: Mapped[bytes] = mapped_column(LargeBinary)
    kek_version: Mapped[int] = mapped_column(Integer)
    seal_format: Mapped[int] = mapped_column(SmallInteger, server_default=text("1"))
    epoch: Mapped[date] = mapped_column(Date)


def owned_by(parent: str, key: str) -> ForeignKeyConstraint:
    """Return the foreign key of a row owned by a `parent` row of its tenant, gone with it."""
    return ForeignKeyConstraint(
        ["tenant_id", key], [f"{parent}.tenant_id", f"{parent}.{key}"], ondelete="CASCADE"
    )


def new_id() -> str:
    """Return a 32-hex-digit identifier: a millisecond time prefix, then 80 random bits.

    Time-ordered ids land at the right edge of primary-key B-trees instead of at random pages.
    """
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str, *, echo: bool = False, pool: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url, echo=echo, pool=pool)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # Reads on SQLite take no write lock (plain BEGIN); on PostgreSQL it is the same engine.
        self.read_engine = (
            make_engine(url, echo=echo, pool=pool, immediate=False)
            if self.dialect == "sqlite"
            else self.engine
        )
        self._read_sessions = sessionmaker(
            self.read_engine, expire_on_commit=False, autoflush=False
        )
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

    @property
    def in_memory(self) -> bool:
        """Return whether the database lives in this process only (another cannot open it)."""
        return self.dialect == "sqlite" and self.engine.url.database in (None, "", ":memory:")

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """Open a read-only transaction (it never waits for, or blocks, a writer on SQLite)."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

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
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def make_engine(
    url: str, *, echo: bool = False, pool: bool = True, immediate: bool = True
) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and immediate write transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, echo=echo, immediate=immediate)
    if parsed.get_backend_name() == "postgresql":
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if not pool:
            kwargs["poolclass"] = NullPool
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_timeout=10)
        return create_engine(url, echo=echo, **kwargs)
    raise ConfigError(f"unsupported database backend {parsed.get_backend_name()!r}")


def _sqlite_engine(url: str, path: str | None, *, echo: bool, immediate: bool) -> Engine:
    if path and path != ":memory:":
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not file.exists():
            # Created owner-only before SQLite touches it: the file holds ciphertexts and indexes.
            os.close(os.open(file, os.O_CREAT | os.O_WRONLY, 0o600))
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": 30}
    if immediate:
        connect_args["factory"] = _writer_factory(path)
    engine = create_engine(url, echo=echo, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # The vault's blind indexes take random keys; a larger page cache keeps their B-trees
        # in memory instead of re-reading pages on every insert.
        cursor.execute("PRAGMA cache_size=-65536")
        # Checkpoint the WAL every ~32 MiB rather than 4 MiB: fewer fsyncs during imports.
        cursor.execute("PRAGMA wal_autocheckpoint=8192")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of one failing
        # half way with "database is locked" (SQLite does not retry a lock upgrade).
        if immediate:
            dbapi = conn.connection.dbapi_connection
            if isinstance(dbapi, _WriterConnection):
                dbapi.wait_for_writer()
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


WRITER_WAIT_S = 30.0
_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


class _WriterConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions queue on an in-process lock.

    SQLite's own busy handler polls with sleeps of up to 100 ms, so under a burst of writers
    one waits long after the lock came free (reveals showed p50 45 ms, p99 1.3 s). Writers of
    one process therefore take this lock before `BEGIN IMMEDIATE` and hand it on the moment
    they commit or roll back; other processes still meet SQLite's busy timeout. A writer that
    cannot have the lock within `WRITER_WAIT_S` goes on to SQLite's own wait, as before.
    """

    writer_lock: threading.Lock = threading.Lock()
    holds_writer = False

    def wait_for_writer(self) -> None:
        if not self.holds_writer:
            self.holds_writer = self.writer_lock.acquire(timeout=WRITER_WAIT_S)

    def _hand_on(self) -> None:
        if self.holds_writer:
            self.holds_writer = False
            self.writer_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._hand_on()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._hand_on()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._hand_on()


def _writer_factory(path: str | None) -> type[_WriterConnection]:
    """Return a connection class sharing one writer lock per database file in this process."""
    key = str(Path(path).resolve()) if path and path != ":memory:" else f"memory:{id(object())}"
    with _writer_locks_guard:
        lock = _writer_locks.setdefault(key, threading.Lock())
    return type("WriterConnection", (_WriterConnection,), {"writer_lock": lock})


_IGNORING: dict[tuple[Any, str], Any] = {}


def insert_ignoring_conflict(session: Session, table: Any, values: dict[str, Any]) -> None:
    """Insert a row unless one with the same key exists (PostgreSQL and SQLite alike).

    The statement is built once per table and dialect; the values travel as parameters, so
    its compiled form is cached instead of rebuilt for every row.
    """
    dialect = session.get_bind().dialect.name
    statement = _IGNORING.get((table, dialect))
    if statement is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
        statement = _IGNORING.setdefault((table, dialect), insert(table).on_conflict_do_nothing())
    session.execute(statement, values)


def bulk_insert(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert many rows through the driver's executemany, skipping per-row ORM work.

    Values pass through each column type's own bind processor where it has one (dates on
    SQLite), so what lands is exactly what an ORM insert would have written.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    columns = [c for c in table.columns if c.key in rows[0]]
    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    # Identifiers come from our own table metadata, quoted by the dialect; values are bound.
    names = ", ".join(quote(c.name) for c in columns)
    markers = ", ".join(marker for _ in columns)
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({markers})"  # noqa: S608
    # Bytes and text go to both drivers as they are; only dates and times need converting.
    processors = [
        None
        if isinstance(c.type, LargeBinary | String | Integer | Boolean)
        else c.type._cached_bind_processor(dialect)
        for c in columns
    ]
    getter = itemgetter(*[c.key for c in columns])
    converted = [(i, p) for i, p in enumerate(processors) if p is not None]
    if not converted:
        params: list[Any] = [getter(row) for row in rows]
    else:
        params = []
        for row in rows:
            values = list(getter(row))
            for i, process in converted:
                values[i] = process(values[i])
            params.append(tuple(values))
    connection.exec_driver_sql(sql, params)
