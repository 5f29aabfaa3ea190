"""SCIM 2.0 groups: a directory's groups, whose names map to roles through `[sso] roles`."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.access import provisioning
from parcelguard.db import new_id
from parcelguard.errors import InvalidInput, NotFound
from parcelguard.identity.config import SsoConfig
from parcelguard.identity.models import ScimGroup
from parcelguard.identity.scim import (
    GROUP_SCHEMA,
    LIST_SCHEMA,
    SCIM_ACTOR,
    external_id,
    get_user,
    required_text,
)
from parcelguard.runtime import Runtime


def group_view(group: ScimGroup) -> dict[str, Any]:
    """Return a group as a SCIM group resource."""
    return {
        "schemas": [GROUP_SCHEMA],
        "id": group.group_id,
        "displayName": group.display_name,
        "externalId": group.external_id,
        "members": [{"value": m} for m in json.loads(group.members)],
        "meta": {"resourceType": "Group", "location": f"/scim/v2/Groups/{group.group_id}"},
    }


def get_group(rt: Runtime, session: Session, group_id: str) -> ScimGroup:
    """Return a group or raise `NotFound`."""
    group = session.get(ScimGroup, (rt.tenant, group_id[:32]))
    if group is None:
        raise NotFound("no such group", code="noTarget")
    return group


def list_groups(rt: Runtime, session: Session) -> dict[str, Any]:
    """Return every group as a SCIM list response."""
    groups = [
        group_view(g)
        for g in session.scalars(select(ScimGroup).where(ScimGroup.tenant_id == rt.tenant))
    ]
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": len(groups),
        "startIndex": 1,
        "itemsPerPage": len(groups),
        "Resources": groups,
    }


def create_group(
    rt: Runtime, session: Session, body: dict[str, Any], mapping: SsoConfig
) -> dict[str, Any]:
    """Create a group; its members get the role its name maps to."""
    name = required_text(body, "displayName", 200)
    now = rt.clock.now()
    group = ScimGroup(
        tenant_id=rt.tenant,
        group_id=new_id(),
        display_name=name,
        external_id=external_id(body),
        members="[]",
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    _set_members(rt, session, group, _member_ids(body.get("members")), mapping)
    return group_view(group)


def replace_group(
    rt: Runtime, session: Session, group_id: str, body: dict[str, Any], mapping: SsoConfig
) -> dict[str, Any]:
    """PUT: new name and member list."""
    group = get_group(rt, session, group_id)
    if body.get("displayName"):
        group.display_name = str(body["displayName"])[:200]
    _set_members(rt, session, group, _member_ids(body.get("members")), mapping)
    return group_view(group)


def patch_group(
    rt: Runtime, session: Session, group_id: str, body: dict[str, Any], mapping: SsoConfig
) -> dict[str, Any]:
    """PATCH: add, remove or replace members (and replace the name)."""
    group = get_group(rt, session, group_id)
    members = list(json.loads(group.members))
    for op in body.get("Operations") or []:
        kind, path, value = str(op.get("op", "")).lower(), op.get("path") or "", op.get("value")
        if kind == "replace" and path == "displayName":
            group.display_name = str(value)[:200]
        elif kind == "add":
            members += [m for m in _member_ids(value) if m not in members]
        elif kind == "remove" and path.startswith("members[value eq"):
            gone = path.split('"')[1] if '"' in path else ""
            members = [m for m in members if m != gone]
        elif kind == "remove":
            gone_ids = set(_member_ids(value)) if value else set(members)
            members = [m for m in members if m not in gone_ids]
        elif kind == "replace":
            members = _member_ids(value)
        else:
            raise InvalidInput("unsupported group operation", code="invalidSyntax")
    _set_members(rt, session, group, members, mapping)
    return group_view(group)


def delete_group(rt: Runtime, session: Session, group_id: str) -> None:
    """Delete a group (its members keep their accounts and roles)."""
    session.delete(get_group(rt, session, group_id))


def _member_ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return [str(m.get("value"))[:32] for m in items if isinstance(m, dict) and m.get("value")]


def _set_members(
    rt: Runtime, session: Session, group: ScimGroup, members: list[str], mapping: SsoConfig
) -> None:
    for member in members:
        get_user(rt, session, member)  # members are SCIM users of this tenant
    group.members, group.updated_at = json.dumps(sorted(set(members))), rt.clock.now()
    session.flush()
    rule = next((r for r in mapping.roles if r.group == group.display_name), None)
    if rule is None:
        return
    for member in members:
        principal, _ = get_user(rt, session, member)
        if principal.status == "active":
            provisioning.update_person(
                rt, session, principal, actor=SCIM_ACTOR, role=rule.role, station=rule.station
            )
