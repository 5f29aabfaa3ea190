"""The reveal policy: one table of rules per role, loaded from data, tightened per tenant.

`decide()` is the only place that says yes or no to a plaintext field; it returns the reason
code either way so every decision can be audited.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from parcelguard.access.principals import Caller
from parcelguard.errors import ConfigError

# The parties' name, phone and address; with the sender's ID number, every revealable field.
PARTY_FIELDS = (
    "recipient.name",
    "recipient.phone",
    "recipient.address",
    "sender.name",
    "sender.phone",
    "sender.address",
)
FIELDS = (*PARTY_FIELDS, "sender.id_no")
PURPOSES = ("delivery", "customer_service", "investigation", "self")
# What no ticket pattern may accept: a bare phone or ID number, no text at all, free prose.
NOT_TICKETS = ("13912345678", "11010519491231002X", "x", "see notes", "张三", "#", " ")


@dataclass(frozen=True)
class Rule:
    """What one role may reveal, and under which conditions."""

    fields: frozenset[str]
    purposes: frozenset[str]
    reference: str = ""
    reference_pattern: str = ""  # a ticket reference must match it (re.fullmatch)
    assigned_only: bool = False
    own_only: bool = False
    scoped: bool = False
    states: frozenset[str] = frozenset()
    after_delivery_minutes: int = 0
    max_fields: int = 0
    daily_quota: int = 0
    training: bool = True
    step_up_minutes: int = 5
    bulk_export_approvals: int = 1


@dataclass(frozen=True)
class Policy:
    """The rules of every role plus tenant-wide switches."""

    rules: dict[str, Rule]
    step_up_for_device_keys: bool = False

    def rule(self, role: str) -> Rule | None:
        """Return the rule of a role (None: the role reveals nothing)."""
        return self.rules.get(role)


@dataclass(frozen=True)
class ShipmentFacts:
    """What the policy needs to know about a shipment (no PII)."""

    status: str
    courier_id: str | None
    station_id: str | None
    delivered_at: datetime | None
    party_digests: dict[str, bytes] = field(default_factory=dict)  # role → phone blind index


@dataclass(frozen=True)
class RevealRequest:
    """One caller asking for fields of one shipment, for a purpose, at a moment."""

    caller: Caller
    shipment: ShipmentFacts
    fields: tuple[str, ...]
    purpose: str
    reference: str | None
    now: datetime
    today_count: int
    reference_ok: bool = True


@dataclass(frozen=True)
class RevealDecision:
    """Yes or no, and why (a reason code that is audited and returned to the caller)."""

    allowed: bool
    reason: str


class PolicyConfig(BaseModel):
    """The `[policy]` table: per-role tightenings (`[policy.roles.<role>]`) and switches."""

    model_config = ConfigDict(extra="ignore")

    roles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)
    _policy: Policy | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _tightens_only(self) -> PolicyConfig:
        self._policy = load_policy(self.model_dump())  # refuses a loosening at start-up
        return self

    def policy(self) -> Policy:
        """Return the default policy tightened by this table."""
        if self._policy is None:
            self._policy = load_policy(self.model_dump())
        return self._policy


@cache
def _default_table() -> dict[str, Any]:
    """Return the packaged default policy (read once: it is part of the program)."""
    text = resources.files("parcelguard.access").joinpath("default_policy.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_policy(overrides: dict[str, Any] | None = None) -> Policy:
    """Return the default policy, tightened by a tenant's `[policy]` table."""
    data = _default_table()
    rules = {role: _rule(values) for role, values in data["roles"].items()}
    switches = data.get("settings", {})
    overrides = overrides or {}
    for role, values in overrides.get("roles", {}).items():
        if role not in rules:
            raise ConfigError(f"[policy.roles.{role}]: unknown role")
        rules[role] = tighten(role, rules[role], values)
    step_up = bool(switches.get("step_up_for_device_keys", False))
    if "step_up_for_device_keys" in overrides.get("settings", {}):
        step_up = step_up or bool(overrides["settings"]["step_up_for_device_keys"])
    return Policy(rules, step_up)


def _rule(values: dict[str, Any]) -> Rule:
    unknown = set(values.get("fields", [])) - set(FIELDS)
    if unknown:
        raise ConfigError(f"policy names unknown fields: {', '.join(sorted(unknown))}")
    return Rule(
        fields=frozenset(values.get("fields", [])),
        purposes=frozenset(values.get("purposes", [])),
        reference=values.get("reference", ""),
        reference_pattern=values.get("reference_pattern", ""),
        assigned_only=bool(values.get("assigned_only", False)),
        own_only=bool(values.get("own_only", False)),
        scoped=bool(values.get("scoped", False)),
        states=frozenset(values.get("states", [])),
        after_delivery_minutes=int(values.get("after_delivery_minutes", 0)),
        max_fields=int(values.get("max_fields", 0)),
        daily_quota=int(values.get("daily_quota", 0)),
        training=bool(values.get("training", True)),
        step_up_minutes=int(values.get("step_up_minutes", 5)),
        bulk_export_approvals=int(values.get("bulk_export_approvals", 1)),
    )


def tighten(role: str, rule: Rule, values: dict[str, Any]) -> Rule:
    """Apply a tenant's override; anything that would loosen the default is refused."""

    def refuse(what: str) -> ConfigError:
        return ConfigError(f"[policy.roles.{role}] may only tighten the default policy: {what}")

    changes: dict[str, Any] = {}
    for name in ("fields", "purposes", "states"):
        if name in values:
            new = frozenset(values[name])
            if not new <= getattr(rule, name) and not (name == "states" and not rule.states):
                raise refuse(f"{name} adds {sorted(new - getattr(rule, name))}")
            changes[name] = new
    for name in ("daily_quota", "after_delivery_minutes", "step_up_minutes"):
        if name in values:
            value = int(values[name])
            if value > getattr(rule, name) and not (
                name == "step_up_minutes" and getattr(rule, name) == 0
            ):
                raise refuse(f"{name} {value} is above the default {getattr(rule, name)}")
            changes[name] = value
    if "max_fields" in values:
        value = int(values["max_fields"])
        if rule.max_fields and (value == 0 or value > rule.max_fields):
            raise refuse(f"max_fields {value} is above the default {rule.max_fields}")
        changes["max_fields"] = value
    for name in ("training", "assigned_only", "own_only"):
        if name in values:
            if getattr(rule, name) and not values[name]:
                raise refuse(f"{name} cannot be switched off")
            changes[name] = bool(values[name])
    if "reference_pattern" in values:
        changes["reference_pattern"] = ticket_pattern(role, rule, values["reference_pattern"])
    if "bulk_export_approvals" in values:
        if int(values["bulk_export_approvals"]) < rule.bulk_export_approvals:
            raise refuse("bulk_export_approvals cannot go down")
        changes["bulk_export_approvals"] = int(values["bulk_export_approvals"])
    return replace(rule, **changes)


def ticket_pattern(role: str, rule: Rule, pattern: object) -> str:
    """Return a tenant's ticket pattern, or refuse one that is broken or would admit anything.

    Any regex is allowed as long as it compiles and refuses every entry of `NOT_TICKETS`
    (a phone or ID number typed as a "ticket" would put PII in the audit log).
    """
    where = f"[policy.roles.{role}] reference_pattern"
    if rule.reference != "ticket":
        raise ConfigError(f"{where}: this role takes no ticket reference")
    try:
        compiled = re.compile(str(pattern))
    except re.error as exc:
        raise ConfigError(f"{where} is not a valid regular expression: {exc.msg}") from None
    admitted = [probe for probe in NOT_TICKETS if compiled.fullmatch(probe)]
    if not str(pattern) or admitted:
        raise ConfigError(f"{where} would accept {admitted[:1] or ['anything']}: tighten it")
    return str(pattern)


def reference_ok(rule: Rule, reference: str | None) -> bool:
    """Return whether a reference has the shape the rule asks for (any shape without a pattern)."""
    if not rule.reference_pattern:
        return True
    return re.fullmatch(rule.reference_pattern, (reference or "").strip()) is not None


def decide(policy: Policy, request: RevealRequest) -> RevealDecision:
    """Return whether the request may see its fields, and the reason code."""
    caller, facts = request.caller, request.shipment
    rule = policy.rule(caller.role)
    checks = (
        (rule is None or not rule.fields or rule.daily_quota == 0, "role_cannot_reveal"),
        (caller.reveal_suspended, "reveal_suspended"),
        (facts.status == "purged", "shipment_purged"),
    )
    for failed, reason in checks:
        if failed:
            return RevealDecision(False, reason)
    assert rule is not None
    for check in (_fields_and_purpose, _caller_state, _shipment_state, _quota):
        refused = check(policy, rule, request)
        if refused is not None:
            return RevealDecision(False, refused)
    return RevealDecision(True, "allowed")


def _fields_and_purpose(policy: Policy, rule: Rule, request: RevealRequest) -> str | None:
    if not request.fields:
        return "no_fields"
    if any(f not in rule.fields for f in request.fields):
        return "field_not_allowed"
    if rule.scoped and any(f"reveal:{f}" not in request.caller.scopes for f in request.fields):
        return "scope_missing"
    if request.purpose not in rule.purposes:
        return "purpose_not_allowed"
    if rule.max_fields and len(request.fields) > rule.max_fields:
        return "too_many_fields"
    if rule.reference and not (request.reference or "").strip():
        return f"{rule.reference}_required"
    if rule.reference and not reference_ok(rule, request.reference):
        return f"{rule.reference}_invalid"
    if rule.reference and not request.reference_ok:
        return f"{rule.reference}_not_open"
    return None


def _caller_state(policy: Policy, rule: Rule, request: RevealRequest) -> str | None:
    caller = request.caller
    if rule.training and (
        caller.trained_until is None or caller.trained_until < _china_date(request.now)
    ):
        return "training_expired"
    if not step_up_fresh(policy, rule, caller, request.now):
        return "step_up_required"
    return None


def step_up_fresh(policy: Policy, rule: Rule, caller: Caller, now: datetime) -> bool:
    """Return whether the caller needs no step-up, or made one within the rule's minutes.

    A browser session always needs one; a person's API key only when the tenant says so.
    """
    needs_step_up = caller.via == "session" or (
        caller.via == "api_key" and policy.step_up_for_device_keys and caller.is_person
    )
    if not rule.step_up_minutes or not needs_step_up:
        return True
    return caller.step_up_at is not None and now - caller.step_up_at <= timedelta(
        minutes=rule.step_up_minutes
    )


def _shipment_state(policy: Policy, rule: Rule, request: RevealRequest) -> str | None:
    caller, facts = request.caller, request.shipment
    if rule.assigned_only and facts.courier_id != caller.principal_id:
        return "not_assigned"
    if rule.own_only:
        roles = {f.split(".")[0] for f in request.fields}
        if caller.phone_digest is None or any(
            facts.party_digests.get(r) != caller.phone_digest for r in roles
        ):
            return "not_own_data"
    if rule.states and facts.status not in rule.states:
        return "outside_delivery_window"
    if facts.status == "delivered" and rule.states:
        closes = (facts.delivered_at or request.now) + timedelta(
            minutes=rule.after_delivery_minutes
        )
        if request.now > closes:
            return "outside_delivery_window"
    return None


def _quota(policy: Policy, rule: Rule, request: RevealRequest) -> str | None:
    if request.today_count >= rule.daily_quota:
        return "daily_quota_exceeded"
    return None


def _china_date(at: datetime) -> date:
    from parcelguard.clock import CHINA

    return at.astimezone(CHINA).date()
