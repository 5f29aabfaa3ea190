"""Inclusion proofs as documents: one event's leaf, its audit path, a witnessed checkpoint.

The document (`parcelguard-audit-proof/v1`, see docs/audit.md) is checked offline by
`proof_check.check_proof` with only the log's and the witnesses' public keys. Its leaf is
the event as `leaf.py` encodes it: staff identities appear only as a salted hash.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.checkpoints import read_checkpoint
from parcelguard.audit.leaf import COLUMNS, leaf_bytes
from parcelguard.audit.log_keys import LogKeys
from parcelguard.audit.models import AuditEvent, Checkpoint, Cosignature
from parcelguard.audit.results import InclusionProof
from parcelguard.audit.tree import StoredTree
from parcelguard.audit.witnesses import WitnessClient
from parcelguard.crypto import NoteError
from parcelguard.crypto.note import SignatureLine, join_note, split_note
from parcelguard.errors import Conflict, IntegrityError, NotFound
from parcelguard.tlog.checkpoint import encode_hash
from parcelguard.tlog.hashing import leaf_hash
from parcelguard.tlog.proof import ProofError, prove_inclusion, verify_inclusion

FORMAT = "parcelguard-audit-proof/v1"


def build_proof(
    session: Session,
    tenant_id: str,
    seq: int,
    keys: LogKeys,
    witnesses: list[WitnessClient],
) -> InclusionProof:
    """Return the proof document of event `seq` against its newest witnessed checkpoint."""
    event = session.get(AuditEvent, (tenant_id, seq))
    if event is None or event.leaf_hash is None or event.salt is None:
        raise NotFound(f"no event {seq} in the audit log", code="event_not_found")
    leaf = leaf_bytes({c: getattr(event, c) for c in COLUMNS}, event.salt)
    digest = leaf_hash(leaf)
    if digest != event.leaf_hash or not keys.mac.matches(digest, event.mac):
        raise IntegrityError(f"event {seq} was changed after it was written", code="audit_tampered")
    point, lines = _witnessed_checkpoint(session, tenant_id, seq, keys, witnesses)
    path = prove_inclusion(seq - 1, point.size, StoredTree(session, tenant_id))
    try:
        verify_inclusion(seq - 1, point.size, digest, path, point.root)
    except ProofError:
        raise IntegrityError(
            "the stored tree does not prove this event: run `parcelguard audit verify`",
            code="audit_tampered",
        ) from None
    body, signatures = split_note(point.note)
    return {
        "format": FORMAT,
        "log": {"origin": keys.origin, "public_key": keys.signer.verifier.vkey()},
        "witnesses": [
            {"name": w.label, "public_key": w.verifier.vkey()}
            for w in witnesses
            if any(line.name == w.verifier.name for line in lines)
        ],
        "event": json.loads(leaf),
        "leaf": leaf.decode(),
        "leaf_index": seq - 1,
        "tree_size": point.size,
        "inclusion_path": [encode_hash(h) for h in path],
        "checkpoint": join_note(body, [*signatures, *lines]),
    }


def _witnessed_checkpoint(
    session: Session, tenant_id: str, seq: int, keys: LogKeys, witnesses: list[WitnessClient]
) -> tuple[Checkpoint, list[SignatureLine]]:
    """Return the newest checkpoint covering `seq` that a known witness cosigned."""
    known = {w.verifier.name: w.verifier for w in witnesses}
    sizes = session.scalars(
        select(Cosignature.size)
        .where(Cosignature.tenant_id == tenant_id, Cosignature.size >= seq)
        .distinct()
        .order_by(Cosignature.size.desc())
        .limit(5)
    ).all()
    for size in sizes:
        point = session.get(Checkpoint, (tenant_id, size))
        if point is None:
            continue
        body = read_checkpoint(point.note, keys.signer.verifier).body()
        lines = []
        for cosig in session.scalars(
            select(Cosignature).where(Cosignature.tenant_id == tenant_id, Cosignature.size == size)
        ):
            try:
                line = SignatureLine.parse(cosig.line.rstrip("\n"))
            except NoteError:
                continue
            key = known.get(line.name)
            if key is not None and line.key_id == key.key_id and key.verify(body, line.signature):
                lines.append(line)
        if lines:
            return point, lines
    raise Conflict(
        f"event {seq} is not yet covered by a witnessed checkpoint; "
        "one is signed every few minutes: try again later",
        code="not_yet_witnessed",
    )
