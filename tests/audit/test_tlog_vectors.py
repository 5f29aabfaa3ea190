"""RFC 6962 / Certificate Transparency vectors (transparency-dev/merkle's published test data)
and a cross-check of every proof against a straightforward recursive implementation."""

from __future__ import annotations

import hashlib

import pytest

from parcelguard.tlog.hashing import EMPTY_ROOT, leaf_hash, node_hash
from parcelguard.tlog.proof import (
    ProofError,
    consistency_subtrees,
    prove_consistency,
    prove_inclusion,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)
from parcelguard.tlog.tree import Frontier, perfect_subtrees

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, path) — transparency-dev/merkle proof/verify_test.go
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


# -- an independent, straightforward implementation: RFC 6962 §2.1 read literally -----------


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def reader(leaves: list[bytes]):
    """A hash reader over in-memory leaves: a perfect subtree's hash by MTH."""

    def read(subtrees):
        return [mth(leaves[i << level : (i + 1) << level]) for level, i in subtrees]

    return read


DATA = [bytes([i, i * 7 % 256]) for i in range(70)]


def test_roots_match_rfc6962_for_every_size() -> None:
    frontier = Frontier()
    assert frontier.root().hex() == ROOTS[0] == EMPTY_ROOT.hex()
    for size, leaf in enumerate(LEAVES, start=1):
        frontier.append(leaf_hash(leaf))
        assert frontier.root().hex() == ROOTS[size]
        assert mth(LEAVES[:size]).hex() == ROOTS[size]


def test_interior_node_prefix_is_0x01() -> None:
    assert node_hash(leaf_hash(LEAVES[0]), leaf_hash(LEAVES[1])).hex() == ROOTS[2]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(index, size, expected) -> None:
    proof = prove_inclusion(index, size, reader(LEAVES))
    assert [h.hex() for h in proof] == expected
    verify_inclusion(index, size, leaf_hash(LEAVES[index]), proof, bytes.fromhex(ROOTS[size]))


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(old, new, expected) -> None:
    proof = prove_consistency(old, new, reader(LEAVES))
    assert [h.hex() for h in proof] == expected
    verify_consistency(old, new, bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new]), proof)


def test_every_proof_agrees_with_the_literal_rfc_reading() -> None:
    for n in range(1, len(DATA) + 1):
        tree = DATA[:n]
        root = mth(tree)
        for m in range(n):
            proof = prove_inclusion(m, n, reader(DATA))
            assert proof == path(m, tree)
            assert root_from_inclusion(m, n, leaf_hash(tree[m]), proof) == root
        for old in range(1, n):
            proof = prove_consistency(old, n, reader(DATA))
            assert proof == subproof(old, tree, True)
            verify_consistency(old, n, mth(DATA[:old]), root, proof)


def test_frontier_names_each_completed_subtree() -> None:
    frontier = Frontier()
    for i, data in enumerate(DATA):
        for level, index, digest in frontier.append(leaf_hash(data)):
            assert digest == mth(DATA[index << level : (index + 1) << level])
            assert (index + 1) << level == i + 1
        assert frontier.root() == mth(DATA[: i + 1])
        again = Frontier.from_bytes(frontier.size, frontier.to_bytes())
        assert again.root() == frontier.root()


def test_perfect_subtrees_cover_the_range_exactly() -> None:
    for lo in range(0, 40):
        for hi in range(lo, 70):
            parts = perfect_subtrees(lo, hi)
            covered = [j for level, i in parts for j in range(i << level, (i + 1) << level)]
            assert covered == list(range(lo, hi))


def _flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 8]) + h[1:]


def test_corrupted_inclusion_proofs_are_refused() -> None:
    """The corruptions transparency-dev/merkle probes: each one must fail."""
    some = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")
    for index, size, expected in INCLUSION:
        proof = [bytes.fromhex(h) for h in expected]
        root, leaf = bytes.fromhex(ROOTS[size]), leaf_hash(LEAVES[index])
        probes = [
            (index - 1, size, leaf, proof, root),
            (index + 1, size, leaf, proof, root),
            (index ^ 2, size, leaf, proof, root),
            (index, size * 2, leaf, proof, root),
            (index, size // 2, leaf, proof, root),
            (index, size, leaf_hash(b"WrongLeaf"), proof, root),
            (index, size, leaf, proof, EMPTY_ROOT),
            (index, size, leaf, proof, some),
            (index, size, leaf, [*proof, root], root),
            (index, size, leaf, [root, *proof], root),
            (index, size, leaf, proof[:-1], root),
            *[
                (index, size, leaf, [*proof[:i], _flip(proof[i]), *proof[i + 1 :]], root)
                for i in range(len(proof))
            ],
        ]
        for probe in probes:
            with pytest.raises(ProofError):
                verify_inclusion(*probe)


def test_corrupted_consistency_proofs_are_refused() -> None:
    for old, new, expected in CONSISTENCY:
        if not expected:
            continue
        proof = [bytes.fromhex(h) for h in expected]
        r1, r2 = bytes.fromhex(ROOTS[old]), bytes.fromhex(ROOTS[new])
        probes = [
            (old - 1, new, r1, r2, proof),
            (old + 1, new, r1, r2, proof),
            (old ^ 2, new, r1, r2, proof),
            (old, new * 2, r1, r2, proof),
            (old, new // 2, r1, r2, proof),
            (old, new, r2, r1, proof),
            (old, new, r1, r2, []),
            (old, new, r1, r2, [*proof, r1]),
            (old, new, r1, r2, [*proof, r2]),
            (old, new, r1, r2, [r1, *proof]),
            (old, new, r1, r2, [proof[0], *proof]),
            (old, new, r1, r2, proof[:-1]),
            *[
                (old, new, r1, r2, [*proof[:i], _flip(proof[i]), *proof[i + 1 :]])
                for i in range(len(proof))
            ],
        ]
        for probe in probes:
            with pytest.raises(ProofError):
                verify_consistency(*probe)


def test_trivial_consistency_rules() -> None:
    a, b = bytes(32), bytes([1]) * 32
    verify_consistency(0, 5, a, b, [])
    verify_consistency(3, 3, a, a, [])
    with pytest.raises(ProofError):
        verify_consistency(3, 3, a, b, [])
    with pytest.raises(ProofError):
        verify_consistency(4, 3, a, b, [a])
    with pytest.raises(ProofError):
        verify_consistency(3, 3, a, a, [a])
    assert consistency_subtrees(0, 9) == []
