"""The WebAuthn relying party of a deployment, and why an authenticator's answer was refused.

The RP ID is the host name of `settings.base_url` (WebAuthn refuses IP addresses) and the
expected origin is that URL's origin. When py_webauthn refuses an answer, `refusal_reason`
re-reads the (unverified) answer only to name the first failed rule for the audit log.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from webauthn.helpers import base64url_to_bytes, parse_attestation_object, parse_authenticator_data
from webauthn.helpers.cose import COSEAlgorithmIdentifier

from parcelguard.errors import ConfigError
from parcelguard.settings import Settings

# EdDSA, ES256 and RS256: what platform authenticators and security keys create.
ALGORITHMS = [
    COSEAlgorithmIdentifier.EDDSA,
    COSEAlgorithmIdentifier.ECDSA_SHA_256,
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,
]
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys belong to: RP ID (a host name), expected origin and display name."""

    id: str
    origin: str
    name: str = "ParcelGuard 包裹隐私卫士"


def relying_party(settings: Settings) -> RelyingParty:
    """Return the relying party of `settings.base_url`."""
    parts = urlsplit(settings.base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in DEFAULT_PORTS or not host or _is_ip(host):
        raise ConfigError(
            "base_url must be an http(s) URL with a host name: WebAuthn RP IDs cannot be IP "
            "addresses (use http://localhost:8080 on one machine)"
        )
    port = parts.port
    origin = f"{parts.scheme}://{host}"
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        origin += f":{port}"
    return RelyingParty(host, origin)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def refusal_reason(
    credential: Any, rp: RelyingParty, ceremony: str, stored_sign_count: int | None = None
) -> str:
    """Name the first rule a refused answer broke (client data, flags, counter), for audit."""
    try:
        response = credential["response"]
        client = json.loads(base64url_to_bytes(response["clientDataJSON"]))
        if client.get("type") != ceremony:
            return "wrong_ceremony"
        if client.get("origin") != rp.origin:
            return "origin_mismatch"
        if ceremony == "webauthn.create":
            auth = parse_attestation_object(
                base64url_to_bytes(response["attestationObject"])
            ).auth_data
        else:
            auth = parse_authenticator_data(base64url_to_bytes(response["authenticatorData"]))
    except Exception:
        return "passkey_malformed"
    if not auth.flags.up:
        return "user_not_present"
    if not auth.flags.uv:
        return "user_not_verified"
    counted = stored_sign_count is not None and (auth.sign_count or stored_sign_count)
    if counted and auth.sign_count <= (stored_sign_count or 0):
        return "sign_count_regressed"  # a cloned authenticator, or a replayed answer
    return "passkey_invalid"
