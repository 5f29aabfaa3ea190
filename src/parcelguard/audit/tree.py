"""The tree in the database: leaf hashes on events, subtree hashes at every fourth level.

A complete subtree at level L is read from the nearest stored level below it (leaf hashes
at level 0, `audit_tree_nodes` at 4, 8, 12 …) and hashed up at most three levels, so any
subtree costs at most eight stored hashes and a proof in a log of a million events reads a
few hundred hashes in two queries.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from parcelguard.audit.models import AuditEvent, TreeNode
from parcelguard.errors import IntegrityError
from parcelguard.tlog.hashing import node_hash
from parcelguard.tlog.tree import Subtree

STRIDE = 4


def is_stored(level: int) -> bool:
    """Return whether subtrees of this level are kept in `audit_tree_nodes`."""
    return level > 0 and level % STRIDE == 0


class StoredTree:
    """Reads complete-subtree hashes of one tenant's tree (a `tlog.proof.HashReader`)."""

    def __init__(self, session: Session, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def __call__(self, subtrees: Sequence[Subtree]) -> list[bytes]:
        """Return the hashes of `subtrees`, in order."""
        wanted: dict[int, set[int]] = {}
        for level, index in subtrees:
            base = level - level % STRIDE
            span = 1 << (level - base)
            wanted.setdefault(base, set()).update(range(index * span, (index + 1) * span))
        known = self._read(wanted)
        return [self._hash(level, index, known) for level, index in subtrees]

    def _hash(self, level: int, index: int, known: dict[tuple[int, int], bytes]) -> bytes:
        base = level - level % STRIDE
        span = 1 << (level - base)
        try:
            row = [known[(base, i)] for i in range(index * span, (index + 1) * span)]
        except KeyError as missing:
            raise IntegrityError(
                f"the stored tree lacks the hash of subtree {missing.args[0]}: "
                "run `parcelguard audit verify`",
                code="tree_incomplete",
            ) from None
        while len(row) > 1:
            row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row[0]

    def _read(self, wanted: dict[int, set[int]]) -> dict[tuple[int, int], bytes]:
        known: dict[tuple[int, int], bytes] = {}
        leaves = sorted(wanted.pop(0, set()))
        if leaves:
            seqs = [i + 1 for i in leaves]
            rows = self.session.execute(
                select(AuditEvent.seq, AuditEvent.leaf_hash).where(
                    AuditEvent.tenant_id == self.tenant_id, AuditEvent.seq.in_(seqs)
                )
            )
            known.update({(0, seq - 1): h for seq, h in rows if h is not None})
        if wanted:
            clauses = [
                and_(TreeNode.level == level, TreeNode.idx.in_(sorted(indexes)))
                for level, indexes in wanted.items()
            ]
            nodes = self.session.execute(
                select(TreeNode.level, TreeNode.idx, TreeNode.hash).where(
                    TreeNode.tenant_id == self.tenant_id, or_(*clauses)
                )
            )
            known.update({(level, idx): h for level, idx, h in nodes})
        return known
