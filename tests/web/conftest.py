"""Web tests run on the embedded SQLite default: they are about pages, headers and answers."""

from __future__ import annotations

import pytest


@pytest.fixture
def backend() -> str:
    """Run on SQLite only."""
    return "sqlite"
