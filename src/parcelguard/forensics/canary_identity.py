"""A canary's identity: a number nobody else has, a plausible name, a real address.

The number comes from the relay pool when it has one to set aside (`relay.inventory.reserve`:
the number becomes "reserved", and a call or SMS to it is audited as `relay.canary_hit`);
otherwise from the tenant's dedicated canary range (`[forensics] canary_prefix`, default
`17499`: a block you own, so calls to it reach you and never a stranger). Number and
name-and-city are both checked against every party and canary: the identity is unique, so a
leaked row that carries it can only have come through the channel it was given to.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from parcelguard.audit.service import Actor
from parcelguard.errors import ConfigError, Conflict
from parcelguard.forensics.config import ForensicsConfig
from parcelguard.forensics.models import Canary
from parcelguard.pii.divisions import Region, resolve_regions
from parcelguard.pii.normalize import Phone, normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.sensitive import Sensitive
from parcelguard.vault import queries as vault_queries
from parcelguard.vault.sealing import name_region_key
from parcelguard.vault.synthetic import Division, Faker, divisions

DEFAULT_PREFIX = "17499"
ATTEMPTS = 50


@dataclass(frozen=True)
class CanaryPerson:
    """The recipient a canary is addressed to (plaintext only until it is sealed)."""

    name: Sensitive
    phone: Phone
    address: Sensitive
    region: Region
    source: str  # "relay" or "range"
    relay_number_id: str | None = None

    def __repr__(self) -> str:
        return f"CanaryPerson(source={self.source}, region={self.region.adcode})"


def canary_prefix(rt: Runtime) -> str:
    """Return the dedicated canary range (digits a canary number starts with)."""
    configured = rt.settings.section("forensics", ForensicsConfig).canary_prefix
    prefix = DEFAULT_PREFIX if configured is None else str(configured)
    if (
        not prefix.isdigit()
        or not 3 <= len(prefix) <= 8
        or normalize_phone(prefix.ljust(11, "0")) is None
    ):
        raise ConfigError("[forensics] canary_prefix must be 3 to 8 digits of a mobile range")
    return prefix


def new_faker() -> Faker:
    """Return an unpredictable generator (canary names must not be guessable from a seed)."""
    return Faker(secrets.randbits(64))


def make_person(
    rt: Runtime, session: Session, actor: Actor, label: str, adcode: str | None
) -> CanaryPerson:
    """Return a fresh, unique canary recipient living in `adcode`'s district when given."""
    faker = new_faker()
    region, address = _address(faker, adcode)
    phone, source, number_id = _number(rt, session, actor, label, region.adcode[:4] + "00")
    index = rt.keyring.index
    for _ in range(ATTEMPTS):
        name = faker.name()
        digest = index.digest(rt.tenant, "name_region", name_region_key(name, region))
        if not _taken(session, rt.tenant, "name_region_bidx", digest):
            return CanaryPerson(
                Sensitive(name), phone, Sensitive(address), region, source, number_id
            )
    raise Conflict("no unused canary name could be found", code="canary_name_exhausted")


def range_number(rt: Runtime, session: Session) -> Phone:
    """Return an unused number of the dedicated canary range."""
    prefix = canary_prefix(rt)
    for _ in range(ATTEMPTS):
        digits = prefix + "".join(str(secrets.randbelow(10)) for _ in range(11 - len(prefix)))
        phone = normalize_phone(digits)
        if phone is not None and not phone_taken(rt, session, phone):
            return phone
    raise Conflict("the canary range has no unused number left", code="canary_range_exhausted")


def phone_taken(rt: Runtime, session: Session, phone: Phone) -> bool:
    """Return whether any party or canary already has this number."""
    digest = rt.keyring.index.digest(rt.tenant, "phone", phone.e164)
    return _taken(session, rt.tenant, "phone_bidx", digest)


def _taken(session: Session, tenant_id: str, column: str, digest: bytes) -> bool:
    canary = exists().where(Canary.tenant_id == tenant_id, getattr(Canary, column) == digest)
    return vault_queries.digest_taken(session, tenant_id, column, digest) or bool(
        session.scalar(select(canary))
    )


def _number(
    rt: Runtime, session: Session, actor: Actor, label: str, city: str
) -> tuple[Phone, str, str | None]:
    taken = _relay_number(rt, session, actor, label, city)
    if taken is not None:
        return taken
    return range_number(rt, session), "range", None


def _relay_number(
    rt: Runtime, session: Session, actor: Actor, label: str, city: str
) -> tuple[Phone, str, str | None] | None:
    """Set a pool number aside through the relay; None when the relay has none to give."""
    try:
        from parcelguard.relay import service as relay
    except ImportError:
        return None
    try:
        with session.begin_nested():  # a missing pool or an empty one must not spoil the seed
            reserved = relay.reserve_canary_numbers(rt, session, actor, 1, label=label, city=city)
    except (Conflict, SQLAlchemyError):
        return None
    for number in reserved:
        phone = normalize_phone(number.number)
        if phone is not None and not phone_taken(rt, session, phone):
            return phone, "relay", number.number_id
    return None


def _address(faker: Faker, adcode: str | None) -> tuple[Region, str]:
    wanted = _division(adcode)
    for _ in range(ATTEMPTS):
        address = faker.address(wanted or faker.division())
        region = resolve_regions([address])[0]
        if region is not None:
            return region, address
        wanted = None
    raise Conflict("no resolvable canary address could be made", code="canary_address")


def _division(adcode: str | None) -> Division | None:
    if not adcode:
        return None
    return next((d for d in divisions() if d.adcode == adcode[:6]), None)
