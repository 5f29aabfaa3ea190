"""The witness's use cases: trust a log key, cosign an `add-checkpoint`, show the newest.

`add_checkpoint` follows c2sp.org/tlog-witness: 404 for an unknown origin, 403 when no
trusted signature verifies, 400 for a malformed request or an old size above the new one,
409 (with the size it knows, `text/x.tlog.size`) when the old size is not the size it last
cosigned or the same size comes with another root, 422 when the consistency proof fails,
and 200 with a cosignature/v1 line only when the checkpoint extends the last one it saw.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from parcelguard.clock import Clock
from parcelguard.crypto.note import NoteError, NoteVerifier, join_note, open_note, split_note
from parcelguard.errors import InvalidInput
from parcelguard.tlog.checkpoint import Checkpoint, FormatError
from parcelguard.tlog.proof import ProofError, verify_consistency
from parcelguard.tlog.witness_request import AddCheckpoint
from parcelguard.witness.store import Latest, WitnessStore

SIZE_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Answer:
    """What the witness answers: HTTP status, body and content type."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


class Witness:
    """One witness: its key and storage, and the clock its cosignatures are dated by."""

    def __init__(self, home: Path, clock: Clock | None = None) -> None:
        self.store = WitnessStore(home)
        self.clock = clock or Clock()
        self.signer = self.store.signer()

    @classmethod
    def init(cls, home: Path, name: str | None = None, clock: Clock | None = None) -> Witness:
        """Create the witness home (idempotent) and open it."""
        WitnessStore(home).create(name)
        return cls(home, clock)

    def vkey(self) -> str:
        """Return the witness's public key as a verifier key (cosignature/v1, type 0x04)."""
        return self.signer.verifier.vkey()

    def trust(self, vkey: str) -> str:
        """Trust a log's key for checkpoints of the origin the key is named after."""
        try:
            verifier = NoteVerifier.from_vkey(vkey)
        except NoteError as exc:
            raise InvalidInput(f"log key: {exc}", code="bad_log_key") from None
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO logs (origin, vkey, added_at) SELECT ?, ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM logs WHERE origin = ? AND vkey = ?)",
                (verifier.name, vkey.strip(), int(time.time()), verifier.name, vkey.strip()),
            )
        return verifier.name

    def logs(self) -> dict[str, int | None]:
        """Return each trusted origin and the size last cosigned for it."""
        with self.store.connect() as conn:
            rows = conn.execute(
                "SELECT l.origin, t.size FROM logs l LEFT JOIN latest t ON t.origin = l.origin"
            ).fetchall()
        return {str(origin): size for origin, size in rows}

    def latest(self, origin: str) -> Latest | None:
        """Return the newest checkpoint this witness cosigned for `origin`."""
        with self.store.connect() as conn:
            return self.store.latest(conn, origin)

    def add_checkpoint(self, body: bytes) -> Answer:
        """Handle one `add-checkpoint` request body."""
        try:
            request = AddCheckpoint.decode(body)
            note_body, _ = split_note(request.note)
            point = Checkpoint.parse(note_body)
        except (FormatError, NoteError) as exc:
            return Answer(400, f"malformed request: {exc}\n")
        if request.old_size > point.size:
            return Answer(400, "the old size is larger than the checkpoint's size\n")
        with self.store.transaction() as conn:
            keys = self.store.trusted(conn, point.origin)
            if not keys:
                return Answer(404, "unknown log origin\n")
            try:
                open_note(request.note, [NoteVerifier.from_vkey(k) for k in keys])
            except NoteError:
                return Answer(403, "no trusted log signature verifies\n")
            known = self.store.latest(conn, point.origin)
            refused = self._refusal(request, point, known)
            if refused is not None:
                if refused.status in (409, 422) and refused.content_type != SIZE_TYPE:
                    self._keep_evidence(conn, point.origin, refused, request)
                return refused
            return self._cosign(conn, point, note_body, request.note)

    def _refusal(
        self, request: AddCheckpoint, point: Checkpoint, known: Latest | None
    ) -> Answer | None:
        known_size = known.size if known else 0
        if request.old_size != known_size:
            return Answer(409, f"{known_size}\n", SIZE_TYPE)
        if known is not None and request.old_size == point.size:
            if known.root != point.root:
                return Answer(409, "same size, another root: the log forked\n")
            return None
        old_root = known.root if known else b""
        try:
            if known is None:
                if request.proof:
                    raise ProofError("the proof must be empty when the old size is zero")
            else:
                verify_consistency(known.size, point.size, old_root, point.root, request.proof)
        except ProofError as exc:
            return Answer(422, f"the consistency proof does not verify: {exc}\n")
        return None

    def _cosign(self, conn: sqlite3.Connection, point: Checkpoint, body: str, note: str) -> Answer:
        now = int(self.clock.now().timestamp())
        line = self.signer.sign(body, timestamp=now)
        _, signatures = split_note(note)
        stored = join_note(body, [*signatures, line])
        conn.execute(
            "INSERT INTO latest (origin, size, root, note, cosigned_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
            "note = excluded.note, cosigned_at = excluded.cosigned_at",
            (point.origin, point.size, point.root, stored, now),
        )
        return Answer(200, line.line())

    def _keep_evidence(
        self, conn: sqlite3.Connection, origin: str, answer: Answer, request: AddCheckpoint
    ) -> None:
        conn.execute(
            "INSERT INTO evidence (origin, received_at, status, reason, request) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                origin,
                int(self.clock.now().timestamp()),
                answer.status,
                answer.body.strip(),
                request.encode().decode(),
            ),
        )
