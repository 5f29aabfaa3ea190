"""The C2SP tlog-checkpoint note text: origin line, tree size line, base64 root hash line."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from parcelguard.tlog.hashing import HASH_SIZE

SIZE_PATTERN = re.compile(r"0|[1-9][0-9]{0,19}")


class FormatError(ValueError):
    """Text that is not what the C2SP format says it must be."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: which log (origin), how many leaves, and the root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """Return the note text (each line ends in a newline), which signatures cover."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read a checkpoint body; anything malformed is a `FormatError`."""
        if not text.endswith("\n"):
            raise FormatError("a checkpoint body ends with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise FormatError("a checkpoint body has at least three lines")
        origin, size, root, *extensions = lines
        if not origin or any(c.isspace() for c in origin):
            raise FormatError("the origin line is empty or holds spaces")
        if not SIZE_PATTERN.fullmatch(size) or int(size) >= 2**63:
            raise FormatError("the tree size is not a decimal without leading zeroes")
        if any(not line for line in extensions):
            raise FormatError("extension lines are never empty")
        return cls(origin, int(size), decode_hash(root), tuple(extensions))


def decode_hash(text: str) -> bytes:
    """Decode one base64 hash of 32 bytes (strictly: canonical padding, nothing else)."""
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise FormatError("a hash is not valid base64") from None
    if len(value) != HASH_SIZE or base64.b64encode(value).decode() != text:
        raise FormatError("a hash is not 32 bytes in canonical base64")
    return value


def encode_hash(value: bytes) -> str:
    """Encode one hash as base64."""
    return base64.b64encode(value).decode()
