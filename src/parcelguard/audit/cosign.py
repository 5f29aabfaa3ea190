"""Asking witnesses to cosign the newest checkpoint, after the append's commit.

For each witness the log sends the size it believes the witness last cosigned, a
consistency proof from there, and the signed checkpoint. A 409 answer names the size the
witness knows (another server may have reported since), and the request is made once more
from that size. An unreachable witness is logged and tried again at the next checkpoint,
`audit checkpoint` or scheduled doctor run; the append that signed the checkpoint has
already committed and never fails because of it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parcelguard.audit.checkpoints import newest_checkpoint
from parcelguard.audit.models import Cosignature
from parcelguard.audit.tree import StoredTree
from parcelguard.audit.witnesses import WitnessClient, WitnessUnreachable
from parcelguard.crypto import NoteError
from parcelguard.crypto.note import SignatureLine, cosignature_time, split_note
from parcelguard.db import Database, insert_ignoring_conflict
from parcelguard.tlog.proof import prove_consistency
from parcelguard.tlog.witness_request import AddCheckpoint
from parcelguard.witness.service import SIZE_TYPE

log = logging.getLogger("parcelguard.audit")


@dataclass(frozen=True)
class CosignResult:
    """What one witness said about the newest checkpoint."""

    witness: str
    size: int
    status: str  # "cosigned", "unreachable", "refused", "newer"
    detail: str = ""


def cosign_newest(
    db: Database, tenant_id: str, witnesses: list[WitnessClient]
) -> list[CosignResult]:
    """Ask every witness to cosign the tenant's newest checkpoint; store what comes back."""
    with db.read_session() as session:
        point = newest_checkpoint(session, tenant_id)
        if point is None or not witnesses:
            return []
        size, note = point.size, point.note
        asks = {w.verifier.name: _last_cosigned(session, tenant_id, w) for w in witnesses}
    results = []
    for witness in witnesses:
        if asks[witness.verifier.name] == size:
            results.append(CosignResult(witness.label, size, "cosigned", "already"))
            continue
        result, line = _ask(db, tenant_id, witness, asks[witness.verifier.name], size, note)
        if line is not None:
            with db.session() as session:
                insert_ignoring_conflict(
                    session,
                    Cosignature.__table__,
                    {
                        "tenant_id": tenant_id,
                        "size": size,
                        "witness": witness.verifier.name,
                        "cosigned_at": datetime.fromtimestamp(
                            cosignature_time(line.signature), UTC
                        ),
                        "line": line.line(),
                    },
                )
        if result.status != "cosigned":
            log.warning("witness %s: %s %s", witness.label, result.status, result.detail)
        results.append(result)
    return results


def _last_cosigned(session: Session, tenant_id: str, witness: WitnessClient) -> int:
    query = select(func.max(Cosignature.size)).where(
        Cosignature.tenant_id == tenant_id, Cosignature.witness == witness.verifier.name
    )
    return int(session.scalar(query) or 0)


def _ask(
    db: Database, tenant_id: str, witness: WitnessClient, old: int, size: int, note: str
) -> tuple[CosignResult, SignatureLine | None]:
    name = witness.label
    for _attempt in range(2):
        if old > size:
            return CosignResult(name, size, "newer", f"it already cosigned {old}"), None
        with db.read_session() as session:
            proof = prove_consistency(old, size, StoredTree(session, tenant_id))
        body = AddCheckpoint(old, tuple(proof), note).encode()
        try:
            answer = witness.add_checkpoint(body)
        except WitnessUnreachable as exc:
            return CosignResult(name, size, "unreachable", str(exc)), None
        if answer.status == 409 and answer.content_type.startswith(SIZE_TYPE):
            old = int(answer.body.strip() or 0)
            continue
        if answer.status != 200:
            return CosignResult(name, size, "refused", f"{answer.status} {answer.body}"), None
        line = _cosignature(note, answer.body, witness)
        if line is None:
            return CosignResult(name, size, "refused", "the cosignature does not verify"), None
        return CosignResult(name, size, "cosigned"), line
    return CosignResult(name, size, "refused", "the witness's size kept changing"), None


def _cosignature(note: str, answer: str, witness: WitnessClient) -> SignatureLine | None:
    body, _ = split_note(note)
    for text in answer.splitlines():
        try:
            line = SignatureLine.parse(text)
        except NoteError:
            continue
        ours = line.name == witness.verifier.name and line.key_id == witness.verifier.key_id
        if ours and witness.verifier.verify(body, line.signature):
            return line
    return None
