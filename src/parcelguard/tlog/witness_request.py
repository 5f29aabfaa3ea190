"""The body of a C2SP tlog-witness `add-checkpoint` request: old size, proof, blank, note."""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.tlog.checkpoint import SIZE_PATTERN, FormatError, decode_hash, encode_hash

MAX_PROOF_LINES = 63
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class AddCheckpoint:
    """A request to cosign `note` (a signed checkpoint) that extends the tree of `old_size`."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str

    def encode(self) -> bytes:
        """Return the request body."""
        lines = [f"old {self.old_size}", *(encode_hash(h) for h in self.proof), ""]
        return ("\n".join(lines) + "\n" + self.note).encode()

    @classmethod
    def decode(cls, body: bytes) -> AddCheckpoint:
        """Read a request body; a malformed one is a `FormatError` (HTTP 400)."""
        if len(body) > MAX_BODY:
            raise FormatError("the request body is too large")
        try:
            text = body.decode()
        except UnicodeDecodeError:
            raise FormatError("the request body is not UTF-8") from None
        head, sep, note = text.partition("\n\n")
        if not sep:
            raise FormatError("the request has no blank line before the checkpoint")
        first, *proof_lines = head.split("\n")
        word, _, size = first.partition(" ")
        if word != "old" or not SIZE_PATTERN.fullmatch(size):
            raise FormatError("the first line must be `old <size>`")
        if len(proof_lines) > MAX_PROOF_LINES:
            raise FormatError(f"more than {MAX_PROOF_LINES} consistency proof lines")
        proof = tuple(decode_hash(line) for line in proof_lines)
        return cls(int(size), proof, note)
