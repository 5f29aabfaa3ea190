"""The service contract: what a function returns is a named shape, not `dict[str, Any]`.

Each domain's result shapes live in `<domain>/results.py` (TypedDicts, so the JSON is the same
dict it always was). A function may still return `dict[str, Any]` only when the shape truly
is someone else's or is keyed by data, and then it is listed here with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "parcelguard"
UNTYPED = {"dict[str, Any]", "dict[str, Any] | None", "Optional[dict[str, Any]]"}

# "module path relative to src/parcelguard :: function" -> why its shape stays open.
ALLOWED = {
    # Another party's document, passed through as it came.
    "identity/oidc.py::userinfo": "the OpenID provider's userinfo claims",
    "identity/oidc.py::verify_id_token": "the OpenID provider's ID-token claims",
    "identity/oidc.py::_verified_claims": "the OpenID provider's ID-token claims",
    "identity/oidc.py::_get_json": "the OpenID provider's discovery and key documents",
    "identity/api.py::_body": "a SCIM request body, as the directory sent it",
    "identity/scim.py::user_view": "a SCIM user resource (RFC 7643; URN-named keys)",
    "identity/scim.py::create_user": "a SCIM user resource (RFC 7643)",
    "identity/scim.py::list_users": "a SCIM list response (RFC 7644)",
    "identity/scim.py::replace_user": "a SCIM user resource (RFC 7643)",
    "identity/scim.py::patch_user": "a SCIM user resource (RFC 7643)",
    "identity/scim_groups.py::group_view": "a SCIM group resource (RFC 7643)",
    "identity/scim_groups.py::list_groups": "a SCIM list response (RFC 7644)",
    "identity/scim_groups.py::create_group": "a SCIM group resource (RFC 7643)",
    "identity/scim_groups.py::replace_group": "a SCIM group resource (RFC 7643)",
    "identity/scim_groups.py::patch_group": "a SCIM group resource (RFC 7643)",
    "relay/providers/aliyun.py::call": "Alibaba Cloud's JSON answer",
    "relay/providers/huawei.py::_call": "Huawei Cloud's JSON answer",
    "siem/ocsf.py::to_ocsf": "an OCSF event: the OCSF schema's, its keys vary by class",
    "web/deps.py::json_body_doc": "an OpenAPI fragment for FastAPI's `openapi_extra`",
    "web/security/log_hygiene.py::log_config": "uvicorn's logging dictConfig",
    # Files read as they are: configuration, policy, the keyring, a leaked file.
    "settings.py::read_config_file": "config.toml, validated section by section later",
    "access/policy.py::_default_table": "the packaged policy TOML, validated by Policy",
    "crypto/keystore.py::read": "the keyring file: secrets and epochs keyed by name and day",
    "crypto/keystore.py::update": "the keyring file: secrets and epochs keyed by name and day",
    "forensics/leak_jsonl.py::_object": "one record of a leaked JSON-lines file",
    "forensics/leak_jsonl.py::_flat": "one record of a leaked JSON-lines file, flattened",
    # Keyed by data: column names, catalogue keys, rule details, pool states.
    "crypto/envelope.py::seal_new": "sealed column values keyed by the table's column names",
    "vault/sealing.py::seal": "a Party row: its sealed columns come from the envelope",
    "audit/leaf.py::leaf_document": "the hashed leaf: keys are PUBLIC_FIELDS, canonical JSON",
    "audit/leaf.py::public_details": "the public subset of an event's free-form details",
    "monitor/incidents.py::_merged": "a finding's details: each detector writes its own",
    "monitor/detectors/volume.py::context": "a finding's details: each detector writes its own",
    "monitor/detectors/own_volume.py::context": "a finding's details: the usual count",
    "monitor/detectors/peer_volume.py::context": "a finding's details: the role compared with",
    "words/__init__.py::both": "a catalogue section in every language, keyed by words",
    "relay/inventory.py::status": "per-state counts keyed by the states found in the pool",
    "relay/api.py::pool_status": "relay.inventory.status, as it is",
}


def _untyped_returns() -> set[str]:
    found = set()
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if node.returns is not None and ast.unparse(node.returns) in UNTYPED:
                found.add(f"{path.relative_to(SRC).as_posix()}::{node.name}")
    return found


def test_services_return_named_shapes_not_open_dicts() -> None:
    """A new `-> dict[str, Any]` needs a TypedDict in `<domain>/results.py` instead."""
    unexpected = sorted(_untyped_returns() - set(ALLOWED))
    assert not unexpected, (
        "these return dict[str, Any]; give them a TypedDict in <domain>/results.py "
        f"(docs/development.md, 'Service contract'): {unexpected}"
    )


def test_the_allow_list_names_only_functions_that_still_exist() -> None:
    """An entry whose function is gone or now typed comes off the list."""
    stale = sorted(set(ALLOWED) - _untyped_returns())
    assert not stale, f"remove from ALLOWED (typed now, or gone): {stale}"


def test_every_allowed_open_dict_says_why() -> None:
    assert all(reason.strip() for reason in ALLOWED.values())
