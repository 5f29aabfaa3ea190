"""The witness's own storage: a key file and a SQLite file in its home, never the log's database.

`witness.key` (mode 0600) holds the cosigning key; `witness.db` holds the logs it trusts and,
per log, the newest checkpoint it cosigned, plus refused requests kept as evidence.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from parcelguard.crypto.note import COSIGNATURE_V1, NoteSigner
from parcelguard.errors import ConfigError

KEY_FILE = "witness.key"
DB_FILE = "witness.db"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS logs (origin TEXT PRIMARY KEY, vkey TEXT NOT NULL, "
    "added_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, "
    "root BLOB NOT NULL, note TEXT NOT NULL, cosigned_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS evidence (id INTEGER PRIMARY KEY, origin TEXT NOT NULL, "
    "received_at INTEGER NOT NULL, status INTEGER NOT NULL, reason TEXT NOT NULL, "
    "request TEXT NOT NULL)",
)


@dataclass(frozen=True)
class Latest:
    """The newest checkpoint the witness cosigned for one log."""

    origin: str
    size: int
    root: bytes
    note: str
    cosigned_at: int


def default_name() -> str:
    """Return a witness name for this machine (`witness.<host>/parcelguard`)."""
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname()) or "localhost"
    return f"witness.{host}/parcelguard"


class WitnessStore:
    """Opens the witness home: its key and its SQLite file."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)

    def exists(self) -> bool:
        """Return whether the home holds a witness key."""
        return (self.home / KEY_FILE).exists()

    def create(self, name: str | None = None) -> bool:
        """Make the home, key and database unless they exist; return whether a key was made."""
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        made = False
        if not self.exists():
            signer = NoteSigner.generate(name or default_name(), COSIGNATURE_V1)
            fd = os.open(self.home / KEY_FILE, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(signer.skey() + "\n")
            made = True
        with self.connect() as conn:
            for statement in SCHEMA:
                conn.execute(statement)
        return made

    def signer(self) -> NoteSigner:
        """Return the cosigning key; refuses a key file others can read."""
        path = self.home / KEY_FILE
        if not path.exists():
            raise ConfigError(f"no witness at {self.home}: run `parcelguard witness init`")
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            raise ConfigError(f"witness key {path} is readable by others: chmod 600 {path}")
        signer = NoteSigner.from_skey(path.read_text().strip())
        if signer.kind != COSIGNATURE_V1:
            raise ConfigError(f"witness key {path} is not a cosignature/v1 key")
        return signer

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """Open the witness database (autocommit; callers take `BEGIN IMMEDIATE` to write)."""
        path = self.home / DB_FILE
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the write lock: the size check and the update happen atomically."""
        with self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def trusted(self, conn: sqlite3.Connection, origin: str) -> list[str]:
        """Return the verifier keys trusted for a log origin."""
        rows = conn.execute("SELECT vkey FROM logs WHERE origin = ?", (origin,)).fetchall()
        return [str(r[0]) for r in rows]

    def latest(self, conn: sqlite3.Connection, origin: str) -> Latest | None:
        """Return the newest cosigned checkpoint of a log, if any."""
        row = conn.execute(
            "SELECT size, root, note, cosigned_at FROM latest WHERE origin = ?", (origin,)
        ).fetchone()
        return None if row is None else Latest(origin, int(row[0]), bytes(row[1]), row[2], row[3])
