"""The OpenID Connect relying party: discovery, authorization code + PKCE, ID token checks.

Every check the ID token must pass is here, and each failure is a `NotAuthenticated` with its
own code: a signature by a key of the issuer's JWKS under a pinned algorithm (never `none`,
never a shared secret), the configured issuer, our client id in the audience (and as `azp`
when the audience names others too), an unexpired token issued not in the future, and the
nonce of this very login. The HTTP client is passed in, so tests and deployments choose the
transport; the authlib helpers make the PKCE challenge and the random state and nonce.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from parcelguard.errors import ConfigError, NotAuthenticated
from parcelguard.identity.config import SsoConfig


@dataclass(frozen=True)
class Discovery:
    """What the issuer's `/.well-known/openid-configuration` says we need."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None


@dataclass(frozen=True)
class Tokens:
    """What the token endpoint answered: the ID token and (for userinfo) the access token."""

    id_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LoginRequest:
    """A started login: where to send the browser, and what the callback must match."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def new_login_secrets() -> tuple[str, str, str]:
    """Return (state, nonce, PKCE code verifier): 256 bits or more each."""
    return generate_token(43), generate_token(43), generate_token(64)


class OidcClient:
    """One relying party of one issuer; discovery and JWKS are fetched once and cached."""

    def __init__(self, config: SsoConfig, redirect_uri: str, http: httpx.Client) -> None:
        self.config = config
        self.redirect_uri = redirect_uri
        self._http = http
        self._discovery: Discovery | None = None
        self._keys: KeySet | None = None

    def discovery(self) -> Discovery:
        """Fetch the issuer's metadata; it must name the configured issuer exactly."""
        if self._discovery is None:
            issuer = self.config.issuer.rstrip("/")
            doc = self._get_json(f"{issuer}/.well-known/openid-configuration")
            if doc.get("issuer") != self.config.issuer:
                raise ConfigError("the provider's metadata names another issuer than [sso]")
            try:
                self._discovery = Discovery(
                    issuer=str(doc["issuer"]),
                    authorization_endpoint=str(doc["authorization_endpoint"]),
                    token_endpoint=str(doc["token_endpoint"]),
                    jwks_uri=str(doc["jwks_uri"]),
                    userinfo_endpoint=str(doc["userinfo_endpoint"])
                    if doc.get("userinfo_endpoint")
                    else None,
                )
            except KeyError as exc:
                raise ConfigError(f"the provider's metadata lacks {exc.args[0]}") from None
        return self._discovery

    def start(self, *, login_hint: str | None = None) -> LoginRequest:
        """Return the authorization URL of a new login (code flow, S256 PKCE, nonce)."""
        state, nonce, verifier = new_login_secrets()
        params = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.config.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        url = f"{self.discovery().authorization_endpoint}?{urlencode(params)}"
        return LoginRequest(url, state, nonce, verifier)

    def exchange(self, code: str, code_verifier: str) -> str:
        """Trade the code (with the PKCE verifier) for tokens; return the ID token."""
        return self.exchange_tokens(code, code_verifier).id_token

    def exchange_tokens(self, code: str, code_verifier: str) -> Tokens:
        """Trade the code (with the PKCE verifier) for the ID token and the access token."""
        try:
            answer = self._http.post(
                self.discovery().token_endpoint,
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.redirect_uri,
                    "code_verifier": code_verifier,
                },
                auth=(self.config.client_id, self.config.secret()),
                timeout=self.config.timeout_seconds,
            )
        except httpx.HTTPError:
            raise NotAuthenticated(
                "the identity provider did not answer", code="sso_unreachable"
            ) from None
        if answer.status_code != 200:
            raise NotAuthenticated(
                "the identity provider refused the code (used, expired or not ours)",
                code="sso_code_refused",
            )
        body = answer.json()
        token, access = body.get("id_token"), body.get("access_token")
        if not isinstance(token, str):
            raise NotAuthenticated("the provider sent no ID token", code="sso_no_id_token")
        return Tokens(token, access if isinstance(access, str) else None)

    def userinfo(self, access_token: str, subject: str) -> dict[str, Any]:
        """Return the userinfo claims of the signed-in person (same subject, or refuse)."""
        endpoint = self.discovery().userinfo_endpoint
        if endpoint is None:
            return {}
        try:
            answer = self._http.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=self.config.timeout_seconds,
            )
            doc = answer.json() if answer.status_code == 200 else None
        except (httpx.HTTPError, json.JSONDecodeError):
            doc = None
        if not isinstance(doc, dict):
            raise NotAuthenticated("the provider's userinfo did not answer", code="sso_userinfo")
        if doc.get("sub") != subject:  # OIDC Core 5.3.2: never mix two people's claims
            raise NotAuthenticated("userinfo names another person", code="sso_userinfo")
        return doc

    def verify_id_token(self, token: str, *, nonce: str, now: datetime) -> dict[str, Any]:
        """Return the claims of a valid ID token for this login, or refuse."""
        claims = self._verified_claims(token)
        leeway = self.config.leeway_seconds
        if claims.get("iss") != self.discovery().issuer:
            raise NotAuthenticated("the ID token is from another issuer", code="sso_wrong_issuer")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.config.client_id not in audiences or (
            len(audiences) > 1 and claims.get("azp") != self.config.client_id
        ):
            raise NotAuthenticated(
                "the ID token was issued to another client", code="sso_wrong_audience"
            )
        stamp = now.timestamp()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or exp + leeway <= stamp:
            raise NotAuthenticated("the ID token has expired", code="sso_token_expired")
        if not isinstance(iat, int | float) or iat - leeway > stamp:
            raise NotAuthenticated("the ID token is dated in the future", code="sso_token_future")
        got = claims.get("nonce")
        if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
            raise NotAuthenticated("the ID token is not for this login", code="sso_nonce_mismatch")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise NotAuthenticated("the ID token names nobody", code="sso_no_subject")
        return claims

    def _verified_claims(self, token: str) -> dict[str, Any]:
        for attempt in range(2):  # a key we have not seen: the issuer may have rotated
            try:
                decoded = jwt.decode(
                    token, self._key_set(refresh=attempt > 0), self.config.algorithms
                )
            except JoseError as exc:
                if attempt == 0 and isinstance(exc, InvalidKeyIdError):
                    continue
                raise NotAuthenticated(
                    "the ID token's signature does not verify", code="sso_bad_signature"
                ) from None
            except (ValueError, TypeError):
                raise NotAuthenticated(
                    "the ID token is malformed", code="sso_bad_signature"
                ) from None
            return dict(decoded.claims)
        raise NotAuthenticated("the ID token's signing key is unknown", code="sso_bad_signature")

    def _key_set(self, *, refresh: bool) -> KeySet:
        if self._keys is None or refresh:
            self._keys = KeySet.import_key_set(self._get_json(self.discovery().jwks_uri))  # type: ignore[arg-type]
        return self._keys

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            answer = self._http.get(url, timeout=self.config.timeout_seconds)
            answer.raise_for_status()
            doc = answer.json()
        except (httpx.HTTPError, json.JSONDecodeError):
            raise NotAuthenticated(
                "the identity provider did not answer", code="sso_unreachable"
            ) from None
        if not isinstance(doc, dict):
            raise NotAuthenticated(
                "the identity provider answered nonsense", code="sso_unreachable"
            )
        return doc
