"""SQLite writers of one process queue on one lock and hand it on at commit or rollback."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from parcelguard.db import Database

WRITERS = 8
ROUNDS = 25


def _database(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    with db.session() as session:
        session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (1, 0)"))
    return db


def _increment(db: Database) -> None:
    for _ in range(ROUNDS):
        with db.session() as session:
            n = session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
            session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})


def test_concurrent_read_modify_write_transactions_lose_no_update(tmp_path: Path) -> None:
    db = _database(tmp_path / "w.db")
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(lambda _: _increment(db), range(WRITERS)))
    with db.read_session() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == WRITERS * ROUNDS
    db.dispose()


def test_a_failed_write_transaction_lets_the_next_writer_in(tmp_path: Path) -> None:
    db = _database(tmp_path / "w.db")
    with pytest.raises(RuntimeError), db.session() as session:
        session.execute(text("UPDATE counter SET n = 99"))
        raise RuntimeError("boom")
    with ThreadPoolExecutor(1) as pool:  # another thread, so a kept lock would block it
        pool.submit(_increment, db).result(timeout=20)
    with db.read_session() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == ROUNDS
    db.dispose()


def test_two_databases_on_one_file_share_the_writer_queue(tmp_path: Path) -> None:
    first = _database(tmp_path / "w.db")
    second = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(_increment, [first, second, first, second]))
    with first.read_session() as session:
        assert session.execute(text("SELECT n FROM counter")).scalar_one() == 4 * ROUNDS
    first.dispose()
    second.dispose()


def test_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    db = _database(tmp_path / "w.db")
    with db.session() as session:
        session.execute(text("UPDATE counter SET n = 5"))
        with ThreadPoolExecutor(1) as pool:  # a reader in another thread, writer still open

            def read() -> int:
                with db.read_session() as reading:
                    return int(reading.execute(text("SELECT n FROM counter")).scalar_one())

            assert pool.submit(read).result(timeout=5) == 0
    db.dispose()
