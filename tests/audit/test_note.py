"""Signed notes against Go's `sumdb/note` reference vectors; cosignatures; refusal rules."""

from __future__ import annotations

import base64

import pytest

from parcelguard.crypto.note import (
    COSIGNATURE_V1,
    NoteError,
    NoteSigner,
    NoteVerifier,
    cosignature_time,
    join_note,
    open_note,
    split_note,
)
from parcelguard.tlog.checkpoint import Checkpoint, FormatError

# golang.org/x/mod/sumdb/note note_test.go
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
SIG = (
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_go_reference_key_and_signature_byte_for_byte() -> None:
    signer = NoteSigner.from_skey(SKEY)
    assert signer.verifier.vkey() == VKEY
    assert signer.skey() == SKEY
    assert signer.sign(TEXT).line() == SIG
    body, verified = open_note(TEXT + "\n" + SIG, [NoteVerifier.from_vkey(VKEY)])
    assert body == TEXT and [v.name for v, _ in verified] == ["PeterNeumann"]


def test_a_changed_text_is_refused() -> None:
    with pytest.raises(NoteError, match="does not verify"):
        open_note(
            TEXT.replace("cryptography", "cryptographY") + "\n" + SIG,
            [NoteVerifier.from_vkey(VKEY)],
        )


def test_mangled_verifier_keys_are_refused() -> None:
    for bad in (
        VKEY[:-1],
        VKEY.replace("c74f20a3", "cc469956"),
        VKEY.replace("PeterNeumann", "PeterNeuman"),
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        VKEY.replace("+ARpc", "+BRpc"),
        "PeterNeumann+c74f20a3",
    ):
        with pytest.raises(NoteError):
            NoteVerifier.from_vkey(bad)


def test_unknown_keys_are_ignored_but_one_known_signature_is_needed() -> None:
    other = NoteSigner.generate("other.example/log")
    note = join_note(TEXT, [other.sign(TEXT), NoteSigner.from_skey(SKEY).sign(TEXT)])
    _, verified = open_note(note, [NoteVerifier.from_vkey(VKEY)])
    assert [v.name for v, _ in verified] == ["PeterNeumann"]
    with pytest.raises(NoteError, match="no signature from a known key"):
        open_note(join_note(TEXT, [other.sign(TEXT)]), [NoteVerifier.from_vkey(VKEY)])


def test_same_name_other_key_does_not_pass_as_known() -> None:
    impostor = NoteSigner.generate("PeterNeumann")
    with pytest.raises(NoteError, match="no signature from a known key"):
        open_note(join_note(TEXT, [impostor.sign(TEXT)]), [NoteVerifier.from_vkey(VKEY)])


def test_malformed_notes_are_refused() -> None:
    for bad in (
        TEXT + SIG,  # no blank line
        TEXT + "\n",  # no signature
        TEXT + "\n" + SIG.replace("—", "-"),
        TEXT.replace("\n", "\x07\n", 1) + "\n" + SIG,
        TEXT + "\n" + SIG.rstrip("\n"),
    ):
        with pytest.raises(NoteError):
            split_note(bad)


def test_cosignature_v1_signs_header_time_and_checkpoint() -> None:
    body = Checkpoint("example.com/log", 20852163, bytes(range(32))).body()
    witness = NoteSigner.generate("witness.example/w1", COSIGNATURE_V1)
    line = witness.sign(body, timestamp=1679315147)
    assert cosignature_time(line.signature) == 1679315147
    assert witness.verifier.verify(body, line.signature)
    verifier = witness.verifier
    assert verifier.vkey().split("+")[2].startswith(base64.b64encode(b"\x04").decode()[:1])
    assert NoteVerifier.from_vkey(verifier.vkey()) == verifier
    # the time is signed: moving it breaks the cosignature
    moved = (1679315148).to_bytes(8, "big") + line.signature[8:]
    assert not verifier.verify(body, moved)
    # a cosignature key is not a note key: the same key under type 0x01 has another id
    plain = NoteVerifier(verifier.name, 0x01, verifier.public)
    assert plain.key_id != verifier.key_id


def test_checkpoint_text_is_strict() -> None:
    good = Checkpoint("example.com/behind-the-sofa", 20852163, bytes(32))
    assert Checkpoint.parse(good.body()) == good
    root = base64.b64encode(bytes(32)).decode()
    for bad in (
        f"example.com/log\n007\n{root}\n",
        f"example.com/log\n7\n{root}",
        f"\n7\n{root}\n",
        "example.com/log\n7\nAAAA\n",
        f"example.com log\n7\n{root}\n",
        f"example.com/log\n7\n{root}\n\n",
    ):
        with pytest.raises(FormatError):
            Checkpoint.parse(bad)
