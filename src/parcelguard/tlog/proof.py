"""Inclusion and consistency proofs (RFC 6962 §2.1.1–2.1.2, verified as RFC 9162 §2.1.3–2.1.4).

Making a proof is two pure steps: name the perfect subtrees whose hashes it needs
(`inclusion_subtrees`, `consistency_subtrees`), then fold the hashes a reader returns for
them (`assemble`). Storage stays the caller's business; verification needs only hashes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from parcelguard.tlog.hashing import HASH_SIZE, node_hash, split_point
from parcelguard.tlog.tree import Subtree, fold, perfect_subtrees

HashReader = Callable[[Sequence[Subtree]], Sequence[bytes]]


class ProofError(ValueError):
    """A proof does not verify, or its sizes make no sense."""


def inclusion_subtrees(index: int, size: int) -> list[list[Subtree]]:
    """Return, per element of leaf `index`'s audit path in a tree of `size`, its subtrees."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split_point(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo = lo + k
    return [perfect_subtrees(a, b) for a, b in reversed(ranges)]


def consistency_subtrees(old: int, new: int) -> list[list[Subtree]]:
    """Return, per element of the proof that `old` leaves are a prefix of `new`, its subtrees."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from {old} leaves to {new}")
    if old in (0, new):
        return []
    ranges: list[tuple[int, int]] = []
    m, lo, hi, complete = old, 0, new, True
    while m != hi - lo:
        k = split_point(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            m, lo, complete = m - k, lo + k, False
    if not complete:
        ranges.append((lo, hi))
    return [perfect_subtrees(a, b) for a, b in reversed(ranges)]


def assemble(groups: list[list[Subtree]], read: HashReader) -> list[bytes]:
    """Read every needed subtree hash in one call and fold each proof element."""
    needed = sorted({tree for group in groups for tree in group})
    known = dict(zip(needed, read(needed), strict=True))
    return [fold(known[tree] for tree in group) for group in groups]


def prove_inclusion(index: int, size: int, read: HashReader) -> list[bytes]:
    """Return the inclusion proof of leaf `index` in the tree of `size` leaves."""
    return assemble(inclusion_subtrees(index, size), read)


def prove_consistency(old: int, new: int, read: HashReader) -> list[bytes]:
    """Return the proof that the tree of `old` leaves is a prefix of the one of `new`."""
    return assemble(consistency_subtrees(old, new), read)


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """Return the root that `proof` gives for `leaf` at `index` (RFC 9162 §2.1.3.2)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    _check_sizes(leaf, *proof)
    fn, sn, root = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            root = node_hash(sibling, root)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            root = node_hash(root, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return root


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise `ProofError` unless `proof` shows `leaf` at `index` in the tree with `root`."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("the inclusion proof leads to another root")


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise `ProofError` unless `proof` shows the `old` tree is a prefix of the `new` one."""
    if not 0 <= old <= new:
        raise ProofError(f"a tree cannot shrink from {old} to {new} leaves")
    _check_sizes(old_root, new_root, *proof)
    if old == new or old == 0:
        if proof:
            raise ProofError("this consistency proof must be empty")
        if old == new and old_root != new_root:
            raise ProofError("two different roots for the same size")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    path = [old_root, *proof] if old & (old - 1) == 0 else list(proof)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old_root or sr != new_root:
        raise ProofError(f"the tree of {new} leaves does not extend the tree of {old}")


def _check_sizes(*hashes: bytes) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError("a hash in the proof is not 32 bytes")


__all__ = [
    "HashReader",
    "ProofError",
    "assemble",
    "consistency_subtrees",
    "fold",
    "inclusion_subtrees",
    "prove_consistency",
    "prove_inclusion",
    "root_from_inclusion",
    "verify_consistency",
    "verify_inclusion",
]
