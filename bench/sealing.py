"""Sealing benchmark: the one recipe (format-2 header, key id, envelope) beside the bare primitive.

Per party: a fresh data key wrapped twice (KEK, retention epoch) and four fields sealed, then the
same party opened; the baseline does the same AES-256-GCM work with no header, key id or
envelope bookkeeping (format 1, as before the recipe), in the same run.

    python bench/sealing.py [--parties 20000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import timed, write_fragment

EPOCH = date(2027, 3, 1)
VALUES = {
    "name": "欧阳娜娜",
    "phone": "13812345678",
    "address": "浙江省杭州市西湖区文三路 90 号 3 幢 201 室",
    "id_no": "110101199003077777",
}


def main() -> None:
    """Time recipe and baseline, print them with their ratio, write the results fragment."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--parties", type=int, default=20000)
    n = parser.parse_args().parties
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from parcelguard.crypto import Envelope, Keyring, field_aad
    from parcelguard.vault.models import PARTY_SEALING

    home = Path(tempfile.mkdtemp(prefix="pg-bench-seal-"))
    home.chmod(0o700)
    keyring = Keyring.create(home / "keyring.json")
    envelope = Envelope(keyring, "t1", PARTY_SEALING)
    ids = [{"shipment_id": f"S{i:09d}", "role": "recipient"} for i in range(n)]

    def recipe_seal() -> list[dict[str, object]]:
        return [envelope.seal_new(i, VALUES, EPOCH) for i in ids]

    seal_s, rows = timed(recipe_seal)
    parties = [SimpleNamespace(**i, **r) for i, r in zip(ids, rows, strict=True)]
    open_s, _ = timed(lambda: [envelope.open(p, VALUES) for p in parties])

    kek, epoch_key = AESGCM(AESGCM.generate_key(256)), AESGCM(AESGCM.generate_key(256))

    def baseline_seal() -> list[tuple[bytes, list[bytes]]]:
        out = []
        for i in ids:
            owner = f"{i['shipment_id']}/{i['role']}"
            aad = field_aad("t1", owner, "data_key")
            random = os.urandom(32 + 12 * 6)
            key, n1, n2 = random[:32], random[32:44], random[44:56]
            inner = n1 + kek.encrypt(n1, key, aad)
            blob = n2 + epoch_key.encrypt(n2, inner, aad)
            cipher = AESGCM(key)
            cts = []
            for k, (field, value) in enumerate(VALUES.items()):
                nonce = random[56 + 12 * k :][:12]
                ctx = field_aad("t1", owner, field)
                cts.append(nonce + cipher.encrypt(nonce, value.encode(), ctx))
            out.append((blob, cts))
        return out

    base_seal_s, sealed = timed(baseline_seal)

    def baseline_open() -> None:
        for i, (blob, cts) in zip(ids, sealed, strict=True):
            owner = f"{i['shipment_id']}/{i['role']}"
            aad = field_aad("t1", owner, "data_key")
            inner = epoch_key.decrypt(blob[:12], blob[12:], aad)
            cipher = AESGCM(kek.decrypt(inner[:12], inner[12:], aad))
            for field, ct in zip(VALUES, cts, strict=True):
                cipher.decrypt(ct[:12], ct[12:], field_aad("t1", owner, field))

    base_open_s, _ = timed(baseline_open)
    lines = [
        "## Sealing recipe (`bench/sealing.py`)",
        "",
        f"{n} parties, four fields each, one process; µs per party.",
        "",
        "| step | recipe | bare AES-GCM baseline | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for step, ours, base in (("seal", seal_s, base_seal_s), ("open", open_s, base_open_s)):
        lines.append(
            f"| {step} | {ours / n * 1e6:.1f} | {base / n * 1e6:.1f} | {ours / base:.2f} |"
        )
    text = "\n".join(lines)
    print(text)
    write_fragment("sealing", text)


if __name__ == "__main__":
    main()
