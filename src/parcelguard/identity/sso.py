"""Staff single sign-on: start an OIDC login, finish it into a staff session, map groups to roles.

A login's state is stored hashed with its nonce and PKCE verifier, lives ten minutes and is
deleted by the first callback that names it, so a callback (and its code) cannot be replayed.
The callback must also come from the browser that started the login (the state in its
cookie). The session it opens has no passkey step-up: a reveal still asks the same person for
their passkey (`access.passkeys.finish_step_up`), exactly as after a local sign-in.

Roles and stations come from the `[sso] roles` mapping, first matching group wins, and are
applied at every sign-in through the access rules (an officer's role waits for a second
officer). Every finish, allowed or refused, is audited as `session.sign_in` with method oidc.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from parcelguard.access import provisioning, service, sessions
from parcelguard.access.ceremony import ANONYMOUS
from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.errors import NotAuthenticated
from parcelguard.identity.config import RoleRule, SsoConfig
from parcelguard.identity.models import ExternalIdentity, SsoLogin
from parcelguard.identity.oidc import OidcClient
from parcelguard.runtime import Runtime

LOGIN_TTL = timedelta(minutes=10)
SSO_ACTOR = Actor("sso", "system")


@dataclass(frozen=True)
class Mapped:
    """The role and station the provider's claims give a person."""

    role: str
    station: str | None


def _state_hash(state: str) -> bytes:
    return hashlib.sha256(state.encode()).digest()


def start_login(
    rt: Runtime, client: OidcClient, *, login_hint: str | None = None
) -> tuple[str, str]:
    """Store a new login and return (authorization URL, state for the browser's cookie)."""
    request = client.start(login_hint=login_hint)
    now = rt.clock.now()
    with rt.db.session() as session:
        session.execute(
            delete(SsoLogin).where(SsoLogin.tenant_id == rt.tenant, SsoLogin.expires_at <= now)
        )
        session.add(
            SsoLogin(
                tenant_id=rt.tenant,
                state_hash=_state_hash(request.state),
                nonce=request.nonce,
                code_verifier=request.code_verifier,
                created_at=now,
                expires_at=now + LOGIN_TTL,
            )
        )
    return request.url, request.state


def map_claims(config: SsoConfig, claims: dict[str, Any]) -> Mapped:
    """Return the role and station of the first `[sso] roles` rule whose group the person has."""
    raw = claims.get(config.groups_claim) or []
    groups = {raw} if isinstance(raw, str) else {str(g) for g in raw if isinstance(g, str)}
    rule: RoleRule | None = next((r for r in config.roles if r.group in groups), None)
    if rule is None:
        raise NotAuthenticated(
            "the identity provider gives this person no ParcelGuard role", code="sso_no_role"
        )
    station = rule.station
    if station is None and config.station_claim:
        value = claims.get(config.station_claim)
        station = str(value)[:64] if isinstance(value, str | int) and value != "" else None
    return Mapped(rule.role, station)


def finish_login(
    rt: Runtime, client: OidcClient, *, state: str, code: str, browser_state: str
) -> sessions.OpenedSession:
    """Finish a login: spend the state, trade the code, check the ID token, open a session."""
    target: str | None = None
    try:
        if not browser_state or not hmac.compare_digest(state.encode(), browser_state.encode()):
            raise NotAuthenticated(
                "this sign-in was started in another browser", code="sso_state_mismatch"
            )
        login = _spend(rt, state)
        tokens = client.exchange_tokens(code, login.code_verifier)
        claims = client.verify_id_token(tokens.id_token, nonce=login.nonce, now=rt.clock.now())
        if client.config.groups_claim not in claims and tokens.access_token:
            # Providers that keep groups out of the ID token serve them from userinfo.
            extra = client.userinfo(tokens.access_token, str(claims["sub"]))
            claims = {**{k: v for k, v in extra.items() if k not in claims}, **claims}
        mapped = map_claims(client.config, claims)
        with rt.db.session() as session:
            principal = _link(rt, session, client, claims, mapped)
            target = principal.principal_id
            if principal.status != "active":
                raise NotAuthenticated("this account is not active", code="principal_disabled")
            opened = sessions.open_session(
                rt, session, principal.principal_id, principal.role, step_up_at=None
            )
            actor = Actor(principal.principal_id, principal.role, principal.station_id)
            auditor_for(rt).record(
                session,
                actor,
                Entry(
                    "session.sign_in",
                    "principal",
                    principal.principal_id,
                    decision="allow",
                    details={"method": "oidc", "issuer": client.config.issuer},
                ),
            )
            return opened
    except NotAuthenticated as refused:
        with rt.db.session() as session:
            auditor_for(rt).record(
                session,
                ANONYMOUS,
                Entry(
                    "session.sign_in",
                    "principal",
                    target,
                    decision="deny",
                    reason=refused.code,
                    details={"method": "oidc", "issuer": client.config.issuer},
                ),
            )
        raise


def _spend(rt: Runtime, state: str) -> SsoLogin:
    with rt.db.session() as session:
        row = session.get(SsoLogin, (rt.tenant, _state_hash(state)))
        if row is None:
            raise NotAuthenticated("unknown or spent sign-in", code="sso_state_unknown")
        session.delete(row)
        session.flush()
        session.expunge(row)
    if row.expires_at <= rt.clock.now():
        raise NotAuthenticated("the sign-in took too long; start again", code="sso_state_expired")
    return row


def _link(
    rt: Runtime, session: Session, client: OidcClient, claims: dict[str, Any], mapped: Mapped
) -> Any:
    """Return the principal of these claims: linked before, or created now (if configured)."""
    source, subject = client.config.issuer, str(claims["sub"])[:255]
    link = session.get(ExternalIdentity, (rt.tenant, source, subject))
    name = str(claims.get(client.config.name_claim) or subject)[:64]
    now = rt.clock.now()
    if link is None:
        if not client.config.create_accounts:
            raise NotAuthenticated("no ParcelGuard account for this person", code="sso_no_account")
        principal = provisioning.create_person(
            rt,
            session,
            name=name,
            role=mapped.role,
            station=mapped.station,
            actor=SSO_ACTOR,
            source="oidc",
        )
        link = ExternalIdentity(
            tenant_id=rt.tenant,
            source=source,
            subject=subject,
            principal_id=principal.principal_id,
            created_at=now,
        )
        session.add(link)
    else:
        principal = service.get_or_raise(session, rt.tenant, link.principal_id)
        if principal.status == "active":
            provisioning.update_person(
                rt,
                session,
                principal,
                actor=SSO_ACTOR,
                name=name,
                role=mapped.role,
                station=mapped.station,
            )
    link.last_login_at = now
    principal.last_seen_at = now
    session.flush()
    return principal
