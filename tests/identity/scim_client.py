"""A SCIM client for tests: the app under test with the directory's bearer token."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def user(
    user_name: str, role: str | None = "courier", station: str | None = "HZ-01"
) -> dict[str, Any]:
    """Return a SCIM user resource as a directory sends it."""
    body: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE],
        "userName": user_name,
        "externalId": f"ext-{user_name}",
        "displayName": f"{user_name.title()} Example",
        "active": True,
    }
    if role:
        body["roles"] = [{"value": role, "primary": True}]
    if station:
        body[ENTERPRISE] = {"department": station}
    return body


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    """Return a SCIM PatchOp body."""
    return {"schemas": [PATCH], "Operations": list(operations)}


class Scim:
    """Calls /scim/v2 with a bearer token."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(f"/scim/v2{path}", json=body, headers=self.headers)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(f"/scim/v2{path}", json=body, headers=self.headers)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(f"/scim/v2{path}", json=body, headers=self.headers)

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/scim/v2{path}", params=params, headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"/scim/v2{path}", headers=self.headers)
