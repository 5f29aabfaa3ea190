"""A software WebAuthn authenticator for tests: EC P-256 passkeys, "none" attestation.

It plays the browser and the platform authenticator at once: it takes the options JSON the
server sends and returns the credential JSON a browser would post back. It sets the user
presence and user verification flags (UV can be switched off), keeps a sign counter per
credential, and lets a test lie about the origin or turn a counter back.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40
ES256 = -7


def b64url(data: bytes) -> str:
    """Encode bytes as unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """Decode unpadded base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    """One passkey held by the authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    def cose_public_key(self) -> bytes:
        """Return the public key as a COSE EC2 map (ES256, P-256)."""
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: ES256,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )


class SoftAuthenticator:
    """A platform authenticator with resident keys and user verification."""

    def __init__(self, origin: str, *, user_verified: bool = True) -> None:
        self.origin = origin
        self.user_verified = user_verified
        self.credentials: dict[bytes, SoftCredential] = {}

    def _flags(self, extra: int = 0) -> int:
        return UP | (UV if self.user_verified else 0) | extra

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        data = {
            "type": kind,
            "challenge": challenge,
            "origin": origin or self.origin,
            "crossOrigin": False,
        }
        return json.dumps(data, separators=(",", ":")).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """Answer `navigator.credentials.create({publicKey: options})`."""
        assert ES256 in [p["alg"] for p in options["pubKeyCredParams"]]
        rp_id = options["rp"]["id"]
        excluded = {unb64url(c["id"]) for c in options.get("excludeCredentials", [])}
        if excluded & set(self.credentials):
            raise ValueError("InvalidStateError: this authenticator already holds a passkey here")
        credential = SoftCredential(
            os.urandom(32),
            ec.generate_private_key(ec.SECP256R1()),
            rp_id,
            unb64url(options["user"]["id"]),
        )
        attested = (
            bytes(16) + struct.pack(">H", len(credential.credential_id)) + credential.credential_id
        )
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(AT)])
            + struct.pack(">I", credential.sign_count)
            + attested
            + credential.cose_public_key()
        )
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials[credential.credential_id] = credential
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        credential_id: bytes | None = None,
    ) -> dict[str, Any]:
        """Answer `navigator.credentials.get({publicKey: options})` (discoverable if no list)."""
        credential = self._pick(options, credential_id)
        credential.sign_count += 1
        auth_data = (
            hashlib.sha256(credential.rp_id.encode()).digest()
            + bytes([self._flags()])
            + struct.pack(">I", credential.sign_count)
        )
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(credential.user_handle),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def _pick(self, options: dict[str, Any], credential_id: bytes | None) -> SoftCredential:
        if credential_id is not None:
            return self.credentials[credential_id]
        allowed = [unb64url(c["id"]) for c in options.get("allowCredentials", [])]
        for cid, credential in self.credentials.items():
            if credential.rp_id == options["rpId"] and (not allowed or cid in allowed):
                return credential
        raise LookupError("NotAllowedError: no passkey for this relying party")

    @property
    def only(self) -> SoftCredential:
        """Return the one credential this authenticator holds."""
        (credential,) = self.credentials.values()
        return credential
