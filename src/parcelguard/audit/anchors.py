"""What verification compares the events with: signed checkpoints, cosignatures, witnesses.

Each is checked before it is trusted: a checkpoint row counts only when its note verifies
with the log key and states the row's size and root; a cosignature only when it verifies
with a configured witness key; a witness's newest checkpoint only when both the log's
signature and the witness's cosignature on it verify.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.models import Checkpoint, Cosignature
from parcelguard.audit.witnesses import WitnessClient, WitnessUnreachable
from parcelguard.crypto import NoteError, NoteVerifier
from parcelguard.crypto.note import SignatureLine, open_note
from parcelguard.tlog.checkpoint import Checkpoint as TreeHead
from parcelguard.tlog.checkpoint import FormatError


@dataclass(frozen=True)
class Anchor:
    """A root some signature vouches for at `size` events, and who vouches."""

    size: int
    root: bytes
    source: str


@dataclass
class Anchors:
    """Everything that vouches for the log, and what was wrong with the rest."""

    signed: list[Anchor] = field(default_factory=list)
    witnessed: list[Anchor] = field(default_factory=list)
    forged: list[tuple[int, str]] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)
    cosigned: dict[int, list[str]] = field(default_factory=dict)
    witnesses: list[dict[str, object]] = field(default_factory=list)

    def all(self) -> list[Anchor]:
        """Return every anchor by size."""
        return sorted([*self.signed, *self.witnessed], key=lambda a: a.size)


def gather(
    session: Session,
    tenant_id: str,
    log_key: NoteVerifier,
    witnesses: list[WitnessClient],
) -> Anchors:
    """Load and check the checkpoints, cosignatures and each witness's newest checkpoint."""
    found = Anchors()
    bodies: dict[int, str] = {}
    for point in session.scalars(select(Checkpoint).where(Checkpoint.tenant_id == tenant_id)):
        found.rows.add(point.size)
        head, body = _signed(point.note, log_key)
        if head is None or head.size != point.size or head.root != point.root:
            found.forged.append((point.size, f"checkpoint {point.size} has no valid signature"))
            continue
        bodies[point.size] = body
        found.signed.append(
            Anchor(point.size, point.root, f"the checkpoint signed at {point.size}")
        )
    keys = {w.verifier.name: w.verifier for w in witnesses}
    for cosig in session.scalars(select(Cosignature).where(Cosignature.tenant_id == tenant_id)):
        key, signed = keys.get(cosig.witness), bodies.get(cosig.size)
        if key is not None and signed is not None and _cosigned(cosig.line, signed, key):
            found.cosigned.setdefault(cosig.size, []).append(cosig.witness)
    for witness in witnesses:
        found.witnesses.append(_ask_newest(witness, log_key, found))
    return found


def _signed(note: str, key: NoteVerifier) -> tuple[TreeHead | None, str]:
    try:
        body, _ = open_note(note, [key])
        return TreeHead.parse(body), body
    except (NoteError, FormatError):
        return None, ""


def _cosigned(line: str, body: str, key: NoteVerifier) -> bool:
    try:
        sig = SignatureLine.parse(line.rstrip("\n"))
    except NoteError:
        return False
    return sig.name == key.name and sig.key_id == key.key_id and key.verify(body, sig.signature)


def _ask_newest(witness: WitnessClient, log_key: NoteVerifier, found: Anchors) -> dict[str, object]:
    report: dict[str, object] = {"name": witness.label, "size": None, "status": "no checkpoint"}
    try:
        note = witness.latest(log_key.name)
    except WitnessUnreachable:
        report["status"] = "unreachable"
        return report
    if note is None:
        return report
    head, _ = _signed(note, log_key)
    try:
        open_note(note, [witness.verifier])
    except NoteError:
        head = None
    if head is None:
        report["status"] = "bad answer"
        return report
    report.update(size=head.size, status="ok")
    found.witnessed.append(
        Anchor(
            head.size, head.root, f"the checkpoint witness {witness.label} cosigned at {head.size}"
        )
    )
    return report
