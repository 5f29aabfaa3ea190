"""Alembic migrations, shipped inside the package so an installed `parcelguard init` can run them."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

HERE = Path(__file__).parent


def config(engine: Engine | None = None) -> Config:
    """Return an Alembic config pointing at these migrations (and at `engine` when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def heads() -> set[str]:
    """Return the newest revision of every branch (each domain may keep its own branch)."""
    return set(ScriptDirectory.from_config(config()).get_heads())


def current(engine: Engine) -> set[str]:
    """Return the revisions the database is at (empty when new)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine) -> bool:
    """Bring the schema to every head; return whether anything ran."""
    if current(engine) == heads():
        return False
    with engine.begin() as conn:
        cfg = config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
    return True
