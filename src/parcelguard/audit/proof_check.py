"""Checking a proof document offline: no database, only the log's and witnesses' public keys.

It checks, in order: the checkpoint's log signature (key given on the command line, not
taken from the document), each given witness's cosignature, the leaf's inclusion under the
checkpoint's root, and that the event shown is the leaf that was proven.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from parcelguard.audit.results import ProofVerdict
from parcelguard.crypto import NoteError, NoteVerifier
from parcelguard.crypto.note import cosignature_time, open_note
from parcelguard.tlog.checkpoint import Checkpoint, FormatError, decode_hash
from parcelguard.tlog.hashing import leaf_hash
from parcelguard.tlog.proof import ProofError, verify_inclusion

FORMAT = "parcelguard-audit-proof/v1"


@dataclass
class ProofCheck:
    """The verdict on one proof document."""

    ok: bool
    reason: str | None = None
    seq: int | None = None
    tree_size: int | None = None
    event: dict[str, Any] | None = None
    witnesses: list[dict[str, Any]] = field(default_factory=list)
    warning: str | None = None

    def as_dict(self) -> ProofVerdict:
        """Return the JSON `audit verify-proof` prints."""
        return {
            "ok": self.ok,
            "reason": self.reason,
            "seq": self.seq,
            "tree_size": self.tree_size,
            "event": self.event,
            "witnesses": self.witnesses,
            "warning": self.warning,
        }


def check_proof(doc: Any, log_key: str, witness_keys: list[str]) -> ProofCheck:
    """Check a proof document against the given keys; never raises on a bad document."""
    try:
        return _check(doc, log_key, witness_keys)
    except (NoteError, FormatError, ProofError, KeyError, TypeError, ValueError) as exc:
        return ProofCheck(False, f"{type(exc).__name__}: {exc}")


def _check(doc: Any, log_key: str, witness_keys: list[str]) -> ProofCheck:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return ProofCheck(False, f"not a {FORMAT} document")
    log = NoteVerifier.from_vkey(log_key)
    body, _ = open_note(doc["checkpoint"], [log])
    head = Checkpoint.parse(body)
    if head.origin != log.name:
        return ProofCheck(False, "the checkpoint names another log than the key")
    found = ProofCheck(False, seq=int(doc["leaf_index"]) + 1, tree_size=head.size)
    for text in witness_keys:
        witness = NoteVerifier.from_vkey(text)
        try:
            _, signed = open_note(doc["checkpoint"], [witness])
        except NoteError:
            found.reason = f"witness {witness.name} did not cosign this checkpoint"
            return found
        when = datetime.fromtimestamp(cosignature_time(signed[0][1].signature), UTC)
        found.witnesses.append({"name": witness.name, "cosigned_at": when.isoformat()})
    if int(doc["tree_size"]) != head.size:
        found.reason = "the document's tree size is not the checkpoint's"
        return found
    leaf = str(doc["leaf"]).encode()
    path = [decode_hash(h) for h in doc["inclusion_path"]]
    verify_inclusion(int(doc["leaf_index"]), head.size, leaf_hash(leaf), path, head.root)
    event = json.loads(leaf)
    if doc.get("event") != event or event.get("seq") != found.seq:
        found.reason = "the event shown is not the leaf that was proven"
        return found
    found.ok, found.event = True, event
    if not witness_keys:
        found.warning = "no witness key given: only the log's own signature was checked"
    return found
