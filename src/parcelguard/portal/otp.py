"""Sign-in by one-time code: six digits by SMS, stored as a keyed hash, five minutes, one use.

Sends are limited per phone and per client address; wrong codes are counted per phone and
per address, and reaching the limit locks sign-in for a while and kills the live code. The
counts are moving windows of the runtime's limiter (shared by every process through Redis
when configured), keyed by a keyed hash of the phone's digest or the address. Audit details
name a phone only by the first hex digits of its blind index, never the number.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor, Entry, auditor_for
from parcelguard.db import new_id
from parcelguard.errors import InvalidInput, NotAuthenticated, ParcelGuardError, RateLimited
from parcelguard.pii.masking import mask_normalized_phone
from parcelguard.pii.normalize import Phone, normalize_phone
from parcelguard.portal import sessions
from parcelguard.portal.config import PortalConfig, portal_config
from parcelguard.portal.models import OneTimeCode
from parcelguard.portal.sms import sms_provider_for
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.words import catalogue

log = logging.getLogger("parcelguard.portal")
ANONYMOUS = Actor("portal", "anonymous")
CODE = re.compile(r"\d{6}")
REFUSALS: dict[str, type[ParcelGuardError]] = {
    "otp_invalid": NotAuthenticated,
    "otp_expired": NotAuthenticated,
    "otp_used": NotAuthenticated,
    "otp_locked": RateLimited,
}
MESSAGES = {
    "otp_invalid": "the code is wrong",
    "otp_expired": "the code expired; ask for a new one",
    "otp_used": "the code was already used; ask for a new one",
    "otp_locked": "too many wrong codes; try again later",
}


@dataclass(frozen=True)
class CodeSent:
    """A code is on its way: until when it works, and to which (masked) number."""

    phone_masked: str
    expires_at: datetime


def mobile(raw: str) -> Phone:
    """Return the normalized mainland mobile number, or refuse (landlines get no SMS)."""
    phone = normalize_phone(raw or "")
    if phone is None or phone.kind != "mobile":
        raise InvalidInput("phone must be a mainland mobile number", code="invalid_mobile")
    return phone


def phone_digest(rt: Runtime, phone: Phone) -> bytes:
    """Return the phone's blind index, the same one the vault's parties carry."""
    return rt.keyring.index.digest(rt.tenant, "phone", phone.e164)


def digest_prefix(digest: bytes) -> str:
    """Return what audit details may say about a phone: eight hex digits of its digest."""
    return digest.hex()[:8]


def _key(rt: Runtime) -> bytes:
    return rt.keyring.index.derive("otp")  # one HMAC


def subject(rt: Runtime, scope: str, value: str) -> str:
    """Return the keyed hash the limits count under (`scope` is "phone" or "ip")."""
    message = f"{rt.tenant}\x1f{scope}\x1f{value}".encode()
    return hmac.digest(_key(rt), message, "sha256")[:16].hex()


def locked_for(rt: Runtime, config: PortalConfig, who: str) -> int:
    """Return the seconds a phone or address stays locked out after too many wrong codes."""
    return rt.limiter.wait(f"portal_locked:{who}", 1, config.lockout_minutes * 60)


def _code_hash(rt: Runtime, code_id: str, digest: bytes, code: str) -> bytes:
    message = f"{rt.tenant}\x1f{code_id}\x1f{digest.hex()}\x1f{code}".encode()
    return hmac.new(_key(rt), message, hashlib.sha256).digest()


def code_message(code: str, minutes: int, lang: str = "zh") -> str:
    """Return the SMS text carrying a code (and the warning scammers hate)."""
    return catalogue(lang)["sms"]["otp"].format(code=code, minutes=minutes)


def send_code(rt: Runtime, raw_phone: str, client: str, lang: str = "zh") -> CodeSent:
    """Make a new code for a mobile number and send it, within the send limits."""
    phone = mobile(raw_phone)
    config = portal_config(rt)
    digest = phone_digest(rt, phone)
    now = rt.clock.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with rt.db.session() as session:
        retry = _send_refusal(rt, config, digest, client, now)
        details: dict[str, object] = {"phone": digest_prefix(digest)}
        if retry is None:
            expires = _store_code(rt, session, digest, code, now, config)
            auditor_for(rt).record(
                session, ANONYMOUS, Entry("portal.otp_sent", "person", None, details=details)
            )
        else:
            details["retry_at"] = retry.isoformat()
            auditor_for(rt).record(
                session,
                ANONYMOUS,
                Entry(
                    "portal.otp_sent",
                    "person",
                    None,
                    decision="deny",
                    reason="otp_send_limit",
                    details=details,
                ),
            )
    if retry is not None:
        raise RateLimited(
            "too many codes asked for; try again later",
            code="otp_send_limit",
            details={"retry_at": retry.isoformat()},
        )
    sms_provider_for(rt).send(
        Sensitive(phone.national), code_message(code, config.code_minutes, lang)
    )
    return CodeSent(mask_normalized_phone(phone), expires)


def _send_refusal(
    rt: Runtime, config: PortalConfig, digest: bytes, client: str, now: datetime
) -> datetime | None:
    """Count a send against the address and the phone; return when to retry if refused."""
    by_phone, by_ip = subject(rt, "phone", digest.hex()), subject(rt, "ip", client)
    for who in (by_phone, by_ip):
        locked = locked_for(rt, config, who)
        if locked:
            return now + timedelta(seconds=locked)
    span = config.send_window_minutes * 60
    for who, limit in ((by_ip, config.sends_per_ip), (by_phone, config.sends_per_phone)):
        try:
            rt.limiter.hit(f"portal_send:{who}", limit, span)
        except RateLimited as refused:
            return now + timedelta(seconds=refused.details["retry_after"])
    return None


def _store_code(
    rt: Runtime, session: Session, digest: bytes, code: str, now: datetime, config: PortalConfig
) -> datetime:
    session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.tenant_id == rt.tenant,
            OneTimeCode.phone_digest == digest,
            OneTimeCode.state == "live",
        )
        .values(state="superseded")
    )
    code_id = new_id()
    expires = now + timedelta(minutes=config.code_minutes)
    session.add(
        OneTimeCode(
            tenant_id=rt.tenant,
            code_id=code_id,
            phone_digest=digest,
            code_hash=_code_hash(rt, code_id, digest, code),
            state="live",
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return expires


def sign_in(rt: Runtime, raw_phone: str, code: str, client: str) -> sessions.OpenedPersonSession:
    """Check a code and, when right, open the person's session; every outcome is audited."""
    phone = mobile(raw_phone)
    config = portal_config(rt)
    digest = phone_digest(rt, phone)
    with rt.db.session() as session:
        attempt = _Attempt(rt, session, config, digest, client, rt.clock.now())
        outcome = attempt.check((code or "").strip())
        opened = None
        if outcome == "ok":
            opened = sessions.open_session(
                rt, session, phone, digest, timedelta(minutes=config.session_minutes)
            )
            auditor_for(rt).record(
                session,
                sessions.caller_for(digest).actor,
                Entry("portal.signin", "person", None, details={"phone": digest_prefix(digest)}),
            )
    if opened is None:
        raise REFUSALS[outcome](MESSAGES[outcome], code=outcome)
    return opened


class _Attempt:
    """One try at a code: the checks in order, the counting of failures, the audit."""

    def __init__(
        self,
        rt: Runtime,
        session: Session,
        config: PortalConfig,
        digest: bytes,
        client: str,
        now: datetime,
    ) -> None:
        self.rt, self.session, self.config, self.digest, self.now = rt, session, config, digest, now
        self.by_phone = subject(rt, "phone", digest.hex())
        self.by_ip = subject(rt, "ip", client)

    def check(self, code: str) -> str:
        """Return "ok" (the code is now spent) or the reason code of the refusal."""
        tenant = self.rt.tenant
        if any(locked_for(self.rt, self.config, s) for s in (self.by_phone, self.by_ip)):
            return self._refuse("otp_locked", None, counted=False)
        latest = self.session.scalars(
            select(OneTimeCode)
            .where(
                OneTimeCode.tenant_id == tenant,
                OneTimeCode.phone_digest == self.digest,
                OneTimeCode.state != "superseded",
            )
            .order_by(OneTimeCode.created_at.desc(), OneTimeCode.code_id.desc())
            .limit(1)
        ).first()
        if latest is None:
            return self._refuse("otp_invalid", None)
        matches = CODE.fullmatch(code) is not None and hmac.compare_digest(
            _code_hash(self.rt, latest.code_id, self.digest, code), latest.code_hash
        )
        if latest.state == "live" and latest.expires_at <= self.now:
            # A right but late code is no guess; a wrong one still counts.
            return self._refuse("otp_expired", latest, counted=not matches)
        if matches and latest.state == "live":
            latest.state, latest.used_at = "used", self.now
            config = self.config
            key = f"portal_fail:{self.by_phone}"
            self.rt.limiter.reset(key, config.failures_per_phone, config.lockout_minutes * 60)
            return "ok"
        return self._refuse(
            "otp_used" if matches and latest.state == "used" else "otp_invalid", latest
        )

    def _refuse(self, reason: str, latest: OneTimeCode | None, *, counted: bool = True) -> str:
        """Count a wrong attempt, lock at the limit (killing the live code), audit; say why."""
        locked = False
        if counted:
            for who, limit in (
                (self.by_phone, self.config.failures_per_phone),
                (self.by_ip, self.config.failures_per_ip),
            ):
                locked = self._count_failure(who, limit) or locked
            if locked and latest is not None and latest.state == "live":
                latest.state = "locked"
        outcome = "otp_locked" if locked else reason
        auditor_for(self.rt).record(
            self.session,
            ANONYMOUS,
            Entry(
                "portal.otp_failed",
                "person",
                None,
                decision="deny",
                reason=outcome,
                details={"phone": digest_prefix(self.digest)},
            ),
        )
        return outcome

    def _count_failure(self, who: str, limit: int) -> bool:
        """Count a wrong code; at `limit` in the window, lock `who` out for the lockout time."""
        lockout = self.config.lockout_minutes * 60
        if self.rt.limiter.record(f"portal_fail:{who}", limit, lockout) < limit:
            return False
        with contextlib.suppress(RateLimited):  # already locked by a concurrent failure
            self.rt.limiter.hit(f"portal_locked:{who}", 1, lockout)
        return True
