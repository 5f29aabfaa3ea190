"""SoftHSM2 for the PKCS#11 keyring tests: one token directory per process, a token per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from parcelguard.crypto.pkcs11_kms import DEFAULT_LIBRARY, Pkcs11Config, _library

PIN = "user-pin-4242"
SO_PIN = "so-pin-4242"


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point SoftHSM2 at a private token directory (before the library is first loaded)."""
    if shutil.which("softhsm2-util") is None or not Path(DEFAULT_LIBRARY).exists():
        raise RuntimeError("SoftHSM2 is needed: scripts/install-system-packages.sh installs it")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield conf
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


@pytest.fixture
def token(softhsm: Path, monkeypatch: pytest.MonkeyPatch) -> Pkcs11Config:
    """Initialise a fresh token for this test; return the `[pkcs11]` settings that reach it."""
    label = f"pg-{uuid.uuid4().hex[:12]}"
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            label,
            "--so-pin",
            SO_PIN,
            "--pin",
            PIN,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(softhsm)},
    )
    monkeypatch.setenv("PARCELGUARD_PKCS11_PIN", PIN)
    # SoftHSM2 reads its slots at C_Initialize: have the loaded module see the new token.
    _library(DEFAULT_LIBRARY).reinitialize()
    return Pkcs11Config(token_label=label)
