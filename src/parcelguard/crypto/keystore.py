"""The keyring file: owner-only JSON in `PARCELGUARD_HOME`, changed atomically under a lock.

This file must never be readable by anyone but its owner, and its values must never be
written anywhere else: opening refuses a group- or world-readable file, and every change is
written to a 0600 temporary file, synced and renamed over the old one, so a killed process
leaves either the old keyring or the new one.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from parcelguard.errors import ConfigError, IntegrityError

FORMAT = 1


class KeyStore:
    """Reads and atomically rewrites the keyring file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._stamp: tuple[int, int] | None = None

    def exists(self) -> bool:
        """Return whether the file is there."""
        return self.path.exists()

    def check_permissions(self) -> None:
        """Refuse a keyring that anyone but its owner can read or write."""
        mode = stat.S_IMODE(self.path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"keyring file {self.path} has mode {mode:04o}; it must be readable by its owner "
                f"only: run `chmod 600 {self.path}`"
            )

    def read(self) -> dict[str, Any]:
        """Load the file after checking its permissions."""
        if not self.path.exists():
            raise ConfigError(f"no keyring at {self.path}: run `parcelguard init`")
        self.check_permissions()
        with self.path.open("rb") as fh:
            st = os.fstat(fh.fileno())
            raw = fh.read()
        try:
            data = json.loads(raw)
        except ValueError:
            raise IntegrityError(f"keyring file {self.path} is not valid JSON") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise IntegrityError(f"keyring file {self.path} has an unknown format")
        self._stamp = (st.st_mtime_ns, st.st_ino)
        return data

    def changed_since_read(self) -> bool:
        """Return whether another process rewrote the file since our last read."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return True
        return self._stamp != (st.st_mtime_ns, st.st_ino)

    def create(self, data: dict[str, Any]) -> bool:
        """Write a new keyring unless one exists; return whether it was written."""
        with self.locked():
            if self.path.exists():
                return False
            self._write({**data, "format": FORMAT})
            return True

    def update(self, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Re-read under the lock, apply `change` and write the result atomically."""
        with self.locked():
            data = self.read()
            change(data)
            self._write(data)
            return data

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the keyring lock against threads and other processes."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with self._lock:
            fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _write(self, data: dict[str, Any]) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, json.dumps(data, indent=1, sort_keys=True).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        st = self.path.stat()
        self._stamp = (st.st_mtime_ns, st.st_ino)
