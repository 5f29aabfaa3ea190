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


def head() -> str | None:
    """Return the newest revision id."""
    return ScriptDirectory.from_config(config()).get_current_head()


def current(engine: Engine) -> str | None:
    """Return the revision the database is at (None when empty)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to head; return whether anything ran."""
    if current(engine) == head():
        return False
    with engine.begin() as conn:
        cfg = config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return True
