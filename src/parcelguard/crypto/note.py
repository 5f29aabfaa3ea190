"""C2SP signed notes: Ed25519 note signatures (type 0x01) and tlog cosignatures (type 0x04).

A note is text ending in a newline, a blank line, then signature lines
`— <key name> base64(4-byte key id || signature)`. Keys are written as Go's `note` package
writes them: verifier keys `<name>+<key id hex>+base64(type || public key)` and signer keys
`PRIVATE+KEY+<name>+<key id hex>+base64(type || private seed)`. A verifier ignores signatures
from keys it does not know; a known key's bad signature rejects the whole note.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
KINDS = (ED25519, COSIGNATURE_V1)
DASH = "\u2014"
MAX_SIGNATURES = 100
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(ValueError):
    """A note, key or signature that is malformed or does not verify."""


def key_id(name: str, kind: int, public: bytes) -> bytes:
    """Return the 4-byte key id: SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def check_name(name: str) -> str:
    """Return `name` when it is a valid key name (non-empty, no spaces, no plus signs)."""
    if not name or "+" in name or any(c.isspace() for c in name) or _CONTROL.search(name):
        raise NoteError(f"invalid key name {name!r}: non-empty, no spaces, no '+'")
    return name


def cosigned_message(body: str, timestamp: int) -> bytes:
    """Return what a cosignature/v1 signs: header line, time line, then the checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


@dataclass(frozen=True)
class NoteVerifier:
    """A public key that checks note signatures of one name and type."""

    name: str
    kind: int
    public: bytes

    @property
    def key_id(self) -> bytes:
        """Return the 4-byte key id signature lines carry."""
        return key_id(self.name, self.kind, self.public)

    def vkey(self) -> str:
        """Return the verifier key string (`name+id+base64`)."""
        material = base64.b64encode(bytes([self.kind]) + self.public).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    @classmethod
    def from_vkey(cls, text: str) -> NoteVerifier:
        """Parse a verifier key string; its key id must match its name and key."""
        name, hash_hex, material = _split_key(text.strip(), 3)
        raw = _b64(material, "the verifier key")
        verifier = cls(check_name(name), raw[0] if raw else -1, raw[1:])
        if verifier.kind not in KINDS or len(verifier.public) != 32:
            raise NoteError("only Ed25519 note and cosignature/v1 keys are supported")
        if verifier.key_id.hex() != hash_hex:
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier

    def verify(self, body: str, signature: bytes) -> bool:
        """Return whether `signature` (without key id) is this key's over the note `body`."""
        message = body.encode()
        if self.kind == COSIGNATURE_V1:
            if len(signature) != 72:
                return False
            (timestamp,) = struct.unpack(">Q", signature[:8])
            if timestamp >= 2**63:
                return False
            message, signature = cosigned_message(body, timestamp), signature[8:]
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def cosignature_time(signature: bytes) -> int:
    """Return the POSIX time a cosignature/v1 signature (without key id) was made."""
    if len(signature) != 72:
        raise NoteError("a cosignature/v1 signature is 8 + 64 bytes")
    return int(struct.unpack(">Q", signature[:8])[0])


class NoteSigner:
    """A private key that signs notes (type 0x01) or cosigns checkpoints (type 0x04)."""

    def __init__(self, name: str, seed: bytes, kind: int = ED25519) -> None:
        if kind not in KINDS:
            raise NoteError(f"unsupported signature type {kind}")
        self.name = check_name(name)
        self.kind = kind
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        public = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = NoteVerifier(self.name, kind, public)

    @classmethod
    def generate(cls, name: str, kind: int = ED25519) -> NoteSigner:
        """Return a signer with a new random key."""
        seed = Ed25519PrivateKey.generate().private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        return cls(name, seed, kind)

    @classmethod
    def from_skey(cls, text: str) -> NoteSigner:
        """Parse a signer key string (`PRIVATE+KEY+name+id+base64`)."""
        if not text.startswith("PRIVATE+KEY+"):
            raise NoteError("a signer key starts with PRIVATE+KEY+")
        name, hash_hex, material = _split_key(text.strip()[len("PRIVATE+KEY+") :], 3)
        raw = _b64(material, "the signer key")
        if len(raw) != 33:
            raise NoteError("a signer key holds a type byte and a 32-byte seed")
        signer = cls(name, raw[1:], raw[0])
        if signer.verifier.key_id.hex() != hash_hex:
            raise NoteError("the signer key's id does not match its name and key")
        return signer

    def skey(self) -> str:
        """Return the signer key string; it is a secret."""
        seed = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        material = base64.b64encode(bytes([self.kind]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{material}"

    def sign(self, body: str, *, timestamp: int | None = None) -> SignatureLine:
        """Sign a note body; a cosigner needs the POSIX `timestamp` it vouches for."""
        check_text(body)
        if self.kind == COSIGNATURE_V1:
            if timestamp is None or not 0 <= timestamp < 2**63:
                raise NoteError("a cosignature needs a timestamp")
            raw = struct.pack(">Q", timestamp) + self._private.sign(
                cosigned_message(body, timestamp)
            )
        else:
            raw = self._private.sign(body.encode())
        return SignatureLine(self.name, self.verifier.key_id, raw)

    def __repr__(self) -> str:
        return f"NoteSigner({self.verifier.vkey()})"


@dataclass(frozen=True)
class SignatureLine:
    """One `— name base64(id || signature)` line of a note."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """Return the line, newline included."""
        blob = base64.b64encode(self.key_id + self.signature).decode()
        return f"{DASH} {self.name} {blob}\n"

    @classmethod
    def parse(cls, line: str) -> SignatureLine:
        """Read one signature line (without its newline)."""
        dash, _, rest = line.partition(" ")
        name, _, blob = rest.partition(" ")
        if dash != DASH or not blob or " " in blob:
            raise NoteError("a signature line is `— <name> <base64>`")
        raw = _b64(blob, "a signature")
        if len(raw) < 5:
            raise NoteError("a signature is a key id and at least one byte")
        return cls(check_name(name), raw[:4], raw[4:])


def check_text(text: str) -> None:
    """Refuse note text that is empty, lacks its final newline or holds control characters."""
    if not text.endswith("\n") or _CONTROL.search(text):
        raise NoteError("note text ends in a newline and holds no control characters")


def split_note(note: str) -> tuple[str, list[SignatureLine]]:
    """Return a note's text and its signature lines (nothing is verified here)."""
    check_text(note)
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("a signed note has a blank line before its signatures")
    body, lines = note[: cut + 1], note[cut + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return body, [SignatureLine.parse(line) for line in lines]


def join_note(body: str, signatures: list[SignatureLine]) -> str:
    """Return the note text followed by a blank line and the signature lines."""
    check_text(body)
    return body + "\n" + "".join(s.line() for s in signatures)


def open_note(
    note: str, verifiers: list[NoteVerifier]
) -> tuple[str, list[tuple[NoteVerifier, SignatureLine]]]:
    """Verify a note against known keys; return its text and the signatures that verified."""
    body, signatures = split_note(note)
    verified: list[tuple[NoteVerifier, SignatureLine]] = []
    for sig in signatures:
        known = [v for v in verifiers if v.name == sig.name and v.key_id == sig.key_id]
        if not known:
            continue
        if not known[0].verify(body, sig.signature):
            raise NoteError(f"the signature of {sig.name} does not verify")
        verified.append((known[0], sig))
    if not verified:
        raise NoteError("no signature from a known key")
    return body, verified


def _split_key(text: str, parts: int) -> list[str]:
    pieces = text.split("+", parts - 1)
    if len(pieces) != parts or not re.fullmatch(r"[0-9a-f]{8}", pieces[1]):
        raise NoteError("a key is `name+<8 hex digits>+<base64>`")
    return pieces


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not valid base64") from None
