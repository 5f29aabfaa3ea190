"""SCIM 2.0 (RFC 7643/7644) users and groups, as a company directory provisions staff.

A SCIM user is a member of staff: `userName` is the directory's login name, the role comes
from `roles[].value` or else from the groups the user is in (through the `[sso] roles`
mapping), the station from the enterprise extension's `department` or the mapping. Nothing is
ever deleted: `DELETE` and `active: false` deactivate, which ends every session and revokes
every API key of the person at once (`access.provisioning.deactivate`), audited. All account
rules stay the access domain's: a directory cannot make a security officer without a second
officer's approval, nor the first officer of a tenant.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access import provisioning, service
from parcelguard.access.service import Principal
from parcelguard.audit.service import Actor
from parcelguard.errors import Conflict, InvalidInput, NotFound
from parcelguard.identity.config import STAFF_ROLES, SsoConfig
from parcelguard.identity.models import ExternalIdentity, ScimGroup
from parcelguard.runtime import Runtime

SCIM_ACTOR = Actor("scim", "system")
SOURCE = "scim"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
FILTERS = {"userName": ExternalIdentity.subject, "externalId": ExternalIdentity.external_id}
SERVICE_PROVIDER_CONFIG: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "patch": {"supported": True},
    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": 500},
    "changePassword": {"supported": False},
    "sort": {"supported": False},
    "etag": {"supported": False},
    "authenticationSchemes": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "The [scim] token of config.toml",
        }
    ],
}
RESOURCE_TYPES: dict[str, Any] = {
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    "totalResults": 2,
    "Resources": [
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
            "schemaExtensions": [
                {
                    "schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                    "required": False,
                }
            ],
        },
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "schema": "urn:ietf:params:scim:schemas:core:2.0:Group",
        },
    ],
}


def _role_of(
    body: dict[str, Any], groups: list[str], mapping: SsoConfig
) -> tuple[str | None, str | None]:
    """Return (role, station) asked for by a user resource, or by its groups."""
    station = (body.get(ENTERPRISE) or {}).get("department")
    for item in body.get("roles") or []:
        value = item.get("value") if isinstance(item, dict) else item
        if value in STAFF_ROLES:
            return str(value), str(station)[:64] if station else None
    rule = next((r for r in mapping.roles if r.group in groups), None)
    if rule is None:
        return None, str(station)[:64] if station else None
    return rule.role, str(station)[:64] if station else rule.station


def required_text(body: dict[str, Any], key: str, limit: int) -> str:
    """Return a required attribute as trimmed text of at most `limit`, or raise `invalidValue`."""
    text = str(body.get(key) or "").strip()[:limit]
    if not text:
        raise InvalidInput(f"{key} is required", code="invalidValue")
    return text


def external_id(body: dict[str, Any]) -> str | None:
    """Return a resource's `externalId` (at most 255 characters), or None when it has none."""
    return str(body["externalId"])[:255] if body.get("externalId") else None


def _name_of(body: dict[str, Any]) -> str | None:
    name = body.get("displayName") or (body.get("name") or {}).get("formatted")
    return str(name)[:64] if name else None


def user_view(
    rt: Runtime, session: Session, principal: Principal, link: ExternalIdentity
) -> dict[str, Any]:
    """Return a principal as a SCIM user resource (no phone, no secrets)."""
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": principal.principal_id,
        "userName": link.user_name,
        "externalId": link.external_id,
        "displayName": principal.name,
        "active": principal.status == "active",
        "roles": [{"value": principal.role, "primary": True}],
        ENTERPRISE: {"department": principal.station_id, "employeeNumber": principal.employee_no},
        "groups": [
            {"value": g.group_id, "display": g.display_name}
            for g in _groups_of(rt, session, principal.principal_id)
        ],
        "meta": {
            "resourceType": "User",
            "created": principal.created_at.isoformat(),
            "location": f"/scim/v2/Users/{principal.principal_id}",
        },
    }


def create_user(
    rt: Runtime, session: Session, body: dict[str, Any], mapping: SsoConfig
) -> dict[str, Any]:
    """Create a member of staff from a SCIM user resource."""
    user_name = required_text(body, "userName", 255)
    if session.get(ExternalIdentity, (rt.tenant, SOURCE, user_name)) is not None:
        raise Conflict("a user with this userName exists", code="uniqueness")
    role, station = _role_of(body, [], mapping)
    if role is None:
        raise InvalidInput(
            "the user needs a role (roles[].value) or a mapped group", code="invalidValue"
        )
    principal = provisioning.create_person(
        rt,
        session,
        name=_name_of(body) or user_name,
        role=role,
        station=station,
        actor=SCIM_ACTOR,
        source=SOURCE,
        employee_no=(body.get(ENTERPRISE) or {}).get("employeeNumber"),
    )
    link = ExternalIdentity(
        tenant_id=rt.tenant,
        source=SOURCE,
        subject=user_name,
        principal_id=principal.principal_id,
        user_name=user_name,
        external_id=external_id(body),
        created_at=rt.clock.now(),
    )
    session.add(link)
    session.flush()
    if body.get("active") is False:
        provisioning.deactivate(rt, session, SCIM_ACTOR, principal.principal_id, reason="scim")
    return user_view(rt, session, principal, link)


def get_user(rt: Runtime, session: Session, user_id: str) -> tuple[Principal, ExternalIdentity]:
    """Return a SCIM-provisioned principal and its link, or raise `NotFound`."""
    link = session.scalars(
        select(ExternalIdentity).where(
            ExternalIdentity.tenant_id == rt.tenant,
            ExternalIdentity.source == SOURCE,
            ExternalIdentity.principal_id == user_id[:32],
        )
    ).first()
    if link is None:
        raise NotFound("no such user", code="noTarget")
    return service.get_or_raise(session, rt.tenant, link.principal_id), link


def list_users(
    rt: Runtime, session: Session, wanted: tuple[str, str] | None, start: int, count: int
) -> dict[str, Any]:
    """Return a SCIM list response, optionally filtered by `userName` or `externalId` eq."""
    query = select(ExternalIdentity).where(
        ExternalIdentity.tenant_id == rt.tenant, ExternalIdentity.source == SOURCE
    )
    if wanted is not None:
        query = query.where(FILTERS[wanted[0]] == wanted[1])
    links = list(session.scalars(query.order_by(ExternalIdentity.created_at)))
    page = links[max(start, 1) - 1 : max(start, 1) - 1 + max(count, 0)]
    resources = [
        user_view(rt, session, service.get_or_raise(session, rt.tenant, link.principal_id), link)
        for link in page
    ]
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": len(links),
        "startIndex": max(start, 1),
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def replace_user(
    rt: Runtime, session: Session, user_id: str, body: dict[str, Any], mapping: SsoConfig
) -> dict[str, Any]:
    """PUT: take the resource's name, role, station and active flag."""
    principal, link = get_user(rt, session, user_id)
    if (given := external_id(body)) is not None:
        link.external_id = given
    groups = [g.display_name for g in _groups_of(rt, session, principal.principal_id)]
    role, station = _role_of(body, groups, mapping)
    _apply(
        rt,
        session,
        principal,
        name=_name_of(body),
        role=role,
        station=station,
        active=body.get("active"),
    )
    return user_view(rt, session, principal, link)


def patch_user(
    rt: Runtime, session: Session, user_id: str, body: dict[str, Any], mapping: SsoConfig
) -> dict[str, Any]:
    """PATCH (RFC 7644 §3.5.2): `replace` of active, displayName, roles or the department."""
    principal, link = get_user(rt, session, user_id)
    changes: dict[str, Any] = {}
    for op in body.get("Operations") or []:
        if str(op.get("op", "")).lower() not in ("replace", "add"):
            raise InvalidInput("only replace and add are supported on users", code="invalidSyntax")
        path, value = op.get("path"), op.get("value")
        if path:
            changes[str(path)] = value
        elif isinstance(value, dict):
            changes.update(value)
    name = changes.get("displayName") or changes.get("name.formatted")
    roles = changes.get("roles")
    role = None
    if isinstance(roles, list) and roles:
        first = roles[0].get("value") if isinstance(roles[0], dict) else roles[0]
        role = str(first) if first in STAFF_ROLES else None
        if role is None:
            raise InvalidInput("unknown role", code="invalidValue")
    station = changes.get(f"{ENTERPRISE}:department") or (changes.get(ENTERPRISE) or {}).get(
        "department"
    )
    active = changes.get("active")
    if isinstance(active, str):
        active = active.lower() == "true"
    _apply(rt, session, principal, name=name, role=role, station=station, active=active)
    return user_view(rt, session, principal, link)


def deactivate_user(rt: Runtime, session: Session, user_id: str) -> None:
    """DELETE: deactivate (people are never deleted: their audit trail names them)."""
    principal, _ = get_user(rt, session, user_id)
    if principal.status != "disabled":
        provisioning.deactivate(rt, session, SCIM_ACTOR, principal.principal_id, reason="scim")


def _apply(
    rt: Runtime,
    session: Session,
    principal: Principal,
    *,
    name: Any,
    role: str | None,
    station: Any,
    active: Any,
) -> None:
    if active is False and principal.status != "disabled":
        provisioning.deactivate(rt, session, SCIM_ACTOR, principal.principal_id, reason="scim")
        return
    if active is True and principal.status == "disabled":
        provisioning.reactivate(rt, session, SCIM_ACTOR, principal.principal_id)
    provisioning.update_person(
        rt,
        session,
        principal,
        actor=SCIM_ACTOR,
        name=str(name)[:64] if name else None,
        role=role,
        station=str(station)[:64] if station else None,
    )
    session.flush()


def _groups_of(rt: Runtime, session: Session, principal_id: str) -> list[ScimGroup]:
    rows = session.scalars(select(ScimGroup).where(ScimGroup.tenant_id == rt.tenant))
    return [g for g in rows if principal_id in json.loads(g.members)]
