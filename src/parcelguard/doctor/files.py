"""File modes as the doctor reads them: anything the group or the world can touch is too open."""

from __future__ import annotations

import stat
from collections.abc import Iterable
from pathlib import Path


def too_open(path: Path) -> str | None:
    """Return `path (mode 0644)` when group or others have any access, else None."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    return f"{path} (mode {mode:04o})" if mode & 0o077 else None


def all_too_open(paths: Iterable[Path]) -> list[str]:
    """Return the description of every path that is too open."""
    return [found for p in paths if (found := too_open(p)) is not None]
