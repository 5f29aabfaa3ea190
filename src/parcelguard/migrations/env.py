"""Alembic environment: runs on a connection handed in by `upgrade()` or on sqlalchemy.url."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from parcelguard.migrations.all_models import metadata

cfg = context.config


def run() -> None:
    connection = cfg.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = create_engine(cfg.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run_on(conn)


def _run_on(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
