"""Passkeys (WebAuthn, py_webauthn): the registration, sign-in and step-up ceremonies.

Every ceremony is two calls. `start_*` stores a single-use challenge and returns the options
for `navigator.credentials`; `finish_*` spends the challenge (`ceremony.finish`), then verifies
the authenticator's answer: user verification required, the RP ID and origin of
`settings.base_url`, an EdDSA / ES256 / RS256 key, a sign counter that never goes back.
Success and refusal are both audited; a refusal is raised as `NotAuthenticated`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from parcelguard.access import enrolment, service, sessions
from parcelguard.access.ceremony import Attempt, Ceremony, Spent, finish, new_challenge
from parcelguard.access.guards import STAFF
from parcelguard.access.models import Passkey, Principal
from parcelguard.access.principals import Caller
from parcelguard.access.relying_party import ALGORITHMS, refusal_reason, relying_party
from parcelguard.access.results import PasskeyView
from parcelguard.audit.service import Actor, Entry
from parcelguard.errors import Denied, NotAuthenticated
from parcelguard.runtime import Runtime

TIMEOUT_MS = 60_000
MAX_CREDENTIAL_ID = 512  # base64url characters: the width of passkeys.credential_id
UV_REQUIRED = UserVerificationRequirement.REQUIRED


# --- passkeys -----------------------------------------------------------------------------


def list_passkeys(session: Session, tenant_id: str, principal_id: str) -> list[Passkey]:
    """Return a person's passkeys, oldest first."""
    query = select(Passkey).where(
        Passkey.tenant_id == tenant_id, Passkey.principal_id == principal_id
    )
    return list(session.scalars(query.order_by(Passkey.created_at)))


def passkey_view(passkey: Passkey) -> PasskeyView:
    """Return what a person sees of one of their passkeys."""
    return {
        "id": passkey.credential_id[:16],
        "label": passkey.label,
        "created_at": passkey.created_at.isoformat(),
        "last_used_at": passkey.last_used_at.isoformat() if passkey.last_used_at else None,
    }


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    known = {t.value for t in AuthenticatorTransport}
    transports = [AuthenticatorTransport(t) for t in json.loads(passkey.transports) if t in known]
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(passkey.credential_id), transports=transports or None
    )


def _person(rt: Runtime, session: Session, principal_id: str) -> Principal:
    principal = service.get(session, rt.tenant, principal_id)
    if principal is None or principal.status != "active" or principal.role not in STAFF:
        raise NotAuthenticated("this account cannot use passkeys", code="principal_disabled")
    return principal


def _actor(principal: Principal) -> Actor:
    return Actor(principal.principal_id, principal.role, principal.station_id)


def _require_session(caller: Caller) -> None:
    if caller.via != "session":
        raise Denied("sign in with a passkey in the browser first", code="session_required")


# --- registration -------------------------------------------------------------------------


def _registration_ceremony(rt: Runtime, session: Session, principal: Principal) -> Ceremony:
    rp = relying_party(rt.settings)
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=principal.principal_id.encode(),
        user_name=principal.employee_no,
        user_display_name=f"{principal.name_masked} ({principal.employee_no})",
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UV_REQUIRED
        ),
        exclude_credentials=[
            _descriptor(p) for p in list_passkeys(session, rt.tenant, principal.principal_id)
        ],
        supported_pub_key_algs=ALGORITHMS,
    )
    cid = new_challenge(rt, session, "register", principal.principal_id, options.challenge)
    return Ceremony(cid, json.loads(options_to_json(options)))


def _store_passkey(
    rt: Runtime,
    session: Session,
    principal: Principal,
    challenge: bytes,
    credential: dict[str, Any],
    label: str | None,
) -> Passkey:
    rp = relying_party(rt.settings)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
            supported_pub_key_algs=ALGORITHMS,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError):
        reason = refusal_reason(credential, rp, "webauthn.create")
        raise NotAuthenticated("the passkey was not accepted", code=reason) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if len(credential_id) > MAX_CREDENTIAL_ID:
        raise NotAuthenticated("the credential id is too long", code="passkey_invalid")
    if session.get(Passkey, (rt.tenant, credential_id)) is not None:
        raise NotAuthenticated("this passkey is already registered", code="passkey_exists")
    transports = credential.get("response", {}).get("transports") or []
    passkey = Passkey(
        tenant_id=rt.tenant,
        credential_id=credential_id,
        principal_id=principal.principal_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=json.dumps([str(t)[:16] for t in transports][:8]),
        label=(label or "").strip()[:64] or "passkey",
        created_at=rt.clock.now(),
    )
    session.add(passkey)
    session.flush()
    return passkey


def start_enrolment(rt: Runtime, token: str) -> Ceremony:
    """Start registering a passkey with a one-time enrolment link."""
    with rt.db.session() as session:
        link = enrolment.redeemable(rt, session, token)
        return _registration_ceremony(rt, session, _person(rt, session, link.principal_id))


def finish_enrolment(
    rt: Runtime, token: str, challenge_id: str, credential: dict[str, Any], label: str | None
) -> sessions.OpenedSession:
    """Register the passkey, spend the link and sign the person in (without a step-up)."""

    def work(session: Session, attempt: Attempt, spent: Spent) -> sessions.OpenedSession:
        link = enrolment.redeemable(rt, session, token)
        attempt.target = link.principal_id
        challenge = spent.require_for(link.principal_id)
        principal = _person(rt, session, link.principal_id)
        attempt.actor = _actor(principal)
        passkey = _store_passkey(rt, session, principal, challenge, credential, label)
        attempt.details["passkey"] = passkey.credential_id[:16]
        enrolment.use(rt, session, link)
        attempt.also.append(Entry("enrolment.use", "principal", link.principal_id))
        return sessions.open_session(
            rt, session, principal.principal_id, principal.role, step_up_at=None
        )

    attempt = Attempt("passkey.register", details={"via": "enrolment_link"})
    return finish(rt, attempt, (challenge_id, "register"), work)


def start_registration(rt: Runtime, caller: Caller) -> Ceremony:
    """Start adding another passkey for a signed-in person with a fresh step-up."""
    _require_session(caller)
    if not sessions.step_up_is_fresh(caller, rt.clock.now()):
        raise Denied("confirm with a passkey first", code="step_up_required")
    with rt.db.session() as session:
        return _registration_ceremony(rt, session, _person(rt, session, caller.principal_id))


def finish_registration(
    rt: Runtime, caller: Caller, challenge_id: str, credential: dict[str, Any], label: str | None
) -> Passkey:
    """Add the passkey to the signed-in person."""
    _require_session(caller)

    def work(session: Session, attempt: Attempt, spent: Spent) -> Passkey:
        challenge = spent.require_for(caller.principal_id)
        principal = _person(rt, session, caller.principal_id)
        passkey = _store_passkey(rt, session, principal, challenge, credential, label)
        attempt.details["passkey"] = passkey.credential_id[:16]
        return passkey

    attempt = Attempt("passkey.register", caller.actor, {"via": "session"})
    return finish(rt, attempt, (challenge_id, "register"), work)


# --- assertions: sign-in and step-up ------------------------------------------------------


def _assertion_ceremony(
    rt: Runtime, session: Session, kind: str, principal_id: str | None
) -> Ceremony:
    # Sign-in names nobody: a discoverable passkey tells whose it is. Step-up lists the
    # signed-in person's passkeys.
    allowed = None
    if principal_id is not None:
        allowed = [_descriptor(p) for p in list_passkeys(session, rt.tenant, principal_id)]
    options = generate_authentication_options(
        rp_id=relying_party(rt.settings).id,
        timeout=TIMEOUT_MS,
        allow_credentials=allowed,
        user_verification=UV_REQUIRED,
    )
    cid = new_challenge(rt, session, kind, principal_id, options.challenge)
    return Ceremony(cid, json.loads(options_to_json(options)))


def _find_passkey(rt: Runtime, session: Session, credential: dict[str, Any]) -> Passkey:
    raw_id = credential.get("rawId") or credential.get("id")
    passkey = None
    if isinstance(raw_id, str) and len(raw_id) <= MAX_CREDENTIAL_ID:
        passkey = session.get(Passkey, (rt.tenant, raw_id.rstrip("=")))
    if passkey is None:
        raise NotAuthenticated("unknown passkey", code="unknown_passkey")
    return passkey


def _verify_assertion(
    rt: Runtime, passkey: Passkey, challenge: bytes, credential: dict[str, Any]
) -> None:
    """Check an assertion by a stored passkey; advance the passkey's sign counter."""
    rp = relying_party(rt.settings)
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
        handle = credential.get("response", {}).get("userHandle")
        if handle and base64url_to_bytes(handle) != passkey.principal_id.encode():
            raise ValueError("the user handle names someone else")
    except (WebAuthnException, KeyError, TypeError, ValueError):
        reason = refusal_reason(credential, rp, "webauthn.get", passkey.sign_count)
        raise NotAuthenticated("the passkey was not accepted", code=reason) from None
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, rt.clock.now()


def start_sign_in(rt: Runtime) -> Ceremony:
    """Start a passkey sign-in (the person is whoever the passkey says)."""
    with rt.db.session() as session:
        return _assertion_ceremony(rt, session, "login", None)


def finish_sign_in(
    rt: Runtime, challenge_id: str, credential: dict[str, Any]
) -> sessions.OpenedSession:
    """Verify the assertion and open a session whose step-up is this sign-in."""

    def work(session: Session, attempt: Attempt, spent: Spent) -> sessions.OpenedSession:
        challenge = spent.require_for(None)
        passkey = _find_passkey(rt, session, credential)
        attempt.target = passkey.principal_id  # claimed until the signature checks out
        attempt.details["passkey"] = passkey.credential_id[:16]
        _verify_assertion(rt, passkey, challenge, credential)
        principal = _person(rt, session, passkey.principal_id)
        attempt.actor = _actor(principal)
        return sessions.open_session(
            rt, session, principal.principal_id, principal.role, step_up_at=rt.clock.now()
        )

    return finish(rt, Attempt("session.sign_in"), (challenge_id, "login"), work)


def start_step_up(rt: Runtime, caller: Caller) -> Ceremony:
    """Start a step-up: a fresh assertion by one of the signed-in person's passkeys."""
    _require_session(caller)
    with rt.db.session() as session:
        return _assertion_ceremony(rt, session, "step_up", caller.principal_id)


def finish_step_up(
    rt: Runtime, caller: Caller, session_token: str, challenge_id: str, credential: dict[str, Any]
) -> datetime:
    """Verify the assertion and record it as the session's step-up; return its time."""
    _require_session(caller)

    def work(session: Session, attempt: Attempt, spent: Spent) -> datetime:
        challenge = spent.require_for(caller.principal_id)
        passkey = _find_passkey(rt, session, credential)
        if passkey.principal_id != caller.principal_id:
            raise NotAuthenticated("not one of your passkeys", code="unknown_passkey")
        attempt.details["passkey"] = passkey.credential_id[:16]
        _verify_assertion(rt, passkey, challenge, credential)
        at = rt.clock.now()
        sessions.record_step_up(rt, session, session_token, at)
        return at

    return finish(rt, Attempt("session.step_up", caller.actor), (challenge_id, "step_up"), work)
