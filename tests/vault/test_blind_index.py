"""Blind index digests keep their stored format: existing indexes must keep matching."""

from __future__ import annotations

import hashlib
import hmac
import threading

from parcelguard.crypto.blind_index import DIGEST_BYTES, BlindIndex

KEY = bytes(range(32))


def test_digest_is_truncated_hmac_sha256_of_tenant_kind_and_value() -> None:
    index = BlindIndex(KEY)
    expected = hmac.new(KEY, b"t1\x1fphone\x1f+8613812345678", hashlib.sha256).digest()
    assert index.digest("t1", "phone", "+8613812345678") == expected[:DIGEST_BYTES]


def test_digests_differ_by_tenant_kind_and_key() -> None:
    index = BlindIndex(KEY)
    base = index.digest("t1", "phone", "+8613812345678")
    assert index.digest("t2", "phone", "+8613812345678") != base
    assert index.digest("t1", "last4", "+8613812345678") != base
    assert BlindIndex(bytes(32)).digest("t1", "phone", "+8613812345678") != base


def test_digest_is_stable_across_calls_and_threads() -> None:
    index = BlindIndex(KEY)
    first = index.digest("t1", "name_region", "张三|3301")
    results: list[bytes] = []

    def work() -> None:
        results.extend(index.digest("t1", "name_region", "张三|3301") for _ in range(200))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {first} and len(results) == 800
