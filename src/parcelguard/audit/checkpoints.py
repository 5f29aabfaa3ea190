"""Signing checkpoints: a C2SP signed note over (origin, size, root), never inconsistent.

Before signing, the new root is proven consistent with the previous signed checkpoint from
the stored tree, as the checkpoint spec demands ("a log MUST NOT sign any checkpoint which
is inconsistent with any checkpoint it previously signed"): a tree someone edited in the
database is refused here instead of being signed.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.models import AuditHead, Checkpoint
from parcelguard.audit.tree import StoredTree
from parcelguard.crypto import NoteError, NoteVerifier
from parcelguard.crypto.note import join_note, open_note
from parcelguard.errors import IntegrityError
from parcelguard.tlog.checkpoint import Checkpoint as TreeHead
from parcelguard.tlog.checkpoint import FormatError
from parcelguard.tlog.proof import ProofError, prove_consistency, verify_consistency

if TYPE_CHECKING:
    from parcelguard.audit.log_keys import LogKeys

NEW_CHECKPOINT = "parcelguard.audit.new_checkpoint"


def sign_checkpoint(session: Session, head: AuditHead, keys: LogKeys, at: datetime) -> Checkpoint:
    """Sign the head's tree as a checkpoint stored beside the events; raise if inconsistent."""
    previous = newest_checkpoint(session, head.tenant_id)
    if previous is not None and previous.size < head.seq:
        _check_extends(session, head, previous, keys.signer.verifier)
    body = TreeHead(keys.origin, head.seq, head.hash).body()
    point = Checkpoint(
        tenant_id=head.tenant_id,
        size=head.seq,
        at=at,
        root=head.hash,
        note=join_note(body, [keys.signer.sign(body)]),
    )
    session.add(point)
    head.checkpoint_seq, head.checkpoint_at = head.seq, at
    session.info[NEW_CHECKPOINT] = True
    return point


def newest_checkpoint(session: Session, tenant_id: str) -> Checkpoint | None:
    """Return the tenant's newest signed checkpoint."""
    query = (
        select(Checkpoint)
        .where(Checkpoint.tenant_id == tenant_id)
        .order_by(Checkpoint.size.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def read_checkpoint(note: str, verifier: NoteVerifier) -> TreeHead:
    """Return the tree head a signed checkpoint note states, after checking its signature."""
    try:
        body, _ = open_note(note, [verifier])
        return TreeHead.parse(body)
    except (NoteError, FormatError) as exc:
        raise IntegrityError(
            f"a checkpoint does not verify: {exc}", code="bad_checkpoint"
        ) from None


def _check_extends(
    session: Session, head: AuditHead, previous: Checkpoint, verifier: NoteVerifier
) -> None:
    signed = read_checkpoint(previous.note, verifier)
    try:
        proof = prove_consistency(signed.size, head.seq, StoredTree(session, head.tenant_id))
        verify_consistency(signed.size, head.seq, signed.root, head.hash, proof)
    except (ProofError, IntegrityError) as exc:
        raise IntegrityError(
            f"the tree of {head.seq} events does not extend the checkpoint of {signed.size}: "
            f"{exc}; run `parcelguard audit verify`",
            code="inconsistent_tree",
        ) from None
