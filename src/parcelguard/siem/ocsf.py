"""Audit events as OCSF 1.3 events: Authentication, API Activity, Datastore Activity, Detection.

Class by action: sign-ins, sign-outs and step-ups are Authentication (3002); reading or
exporting personal data is Datastore Activity (6005, the data-access class); an alert is a
Detection Finding (2004); everything else is API Activity (6003). `metadata.uid` is the stable
id (`pg:<tenant>:<seq>`), so a SIEM recognises an event it received twice.
"""

from __future__ import annotations

from typing import Any

from parcelguard import __version__
from parcelguard.siem.record import Record, is_alert, uid

VERSION = "1.3.0"
AUTHENTICATION, API_ACTIVITY, DATASTORE_ACTIVITY, DETECTION = 3002, 6003, 6005, 2004
CATEGORY = {AUTHENTICATION: 3, API_ACTIVITY: 6, DATASTORE_ACTIVITY: 6, DETECTION: 2}
CLASS_NAME = {
    AUTHENTICATION: "Authentication",
    API_ACTIVITY: "API Activity",
    DATASTORE_ACTIVITY: "Datastore Activity",
    DETECTION: "Detection Finding",
}
SIGN_IN = ("session.sign_in", "portal.signin", "session.step_up", "enrolment.use")
SIGN_OUT = ("session.sign_out", "portal.signout")
DATA_ACCESS = ("reveal", "export.run", "export.download", "shipment.view", "shipment.search")
SEVERITY = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}


def class_of(record: Record) -> int:
    """Return the OCSF class of an audit event."""
    if is_alert(record):
        return DETECTION
    if record["action"] in SIGN_IN or record["action"] in SIGN_OUT:
        return AUTHENTICATION
    if record["action"] in DATA_ACCESS or record["action"].startswith("reveal"):
        return DATASTORE_ACTIVITY
    return API_ACTIVITY


def _activity(record: Record, klass: int) -> tuple[int, str]:
    if klass == AUTHENTICATION:
        return (2, "Logoff") if record["action"] in SIGN_OUT else (1, "Logon")
    if klass == DETECTION:
        return 1, "Create"
    if klass == DATASTORE_ACTIVITY:
        return 2, "Read"
    verb = record["action"].rsplit(".", 1)[-1]
    if verb in ("create", "issue", "import", "open", "request", "register"):
        return 1, "Create"
    if verb in ("revoke", "purge", "retire", "deactivate", "forget", "close"):
        return 4, "Delete"
    if verb in ("list", "search", "view", "check"):
        return 2, "Read"
    return 3, "Update"


def severity_of(record: Record) -> int:
    """Return the OCSF severity id: an alert's own, a denial medium, the rest informational."""
    if is_alert(record):
        return SEVERITY.get(str(record["details"].get("severity", "medium")), 3)
    return 3 if record["decision"] == "deny" else 1


def to_ocsf(record: Record) -> dict[str, Any]:
    """Return the OCSF event of one audit record."""
    klass = class_of(record)
    activity_id, activity = _activity(record, klass)
    denied = record["decision"] == "deny"
    event: dict[str, Any] = {
        "class_uid": klass,
        "class_name": CLASS_NAME[klass],
        "category_uid": CATEGORY[klass],
        "activity_id": activity_id,
        "activity_name": activity,
        "type_uid": klass * 100 + activity_id,
        "time": int(record["at"].timestamp() * 1000),
        "severity_id": severity_of(record),
        "status_id": 2 if denied else 1,
        "status": "Failure" if denied else "Success",
        "message": record["action"],
        "metadata": {
            "version": VERSION,
            "uid": uid(record),
            "sequence": record["seq"],
            "tenant_uid": record["tenant_id"],
            "log_name": "audit",
            "product": {
                "name": "ParcelGuard",
                "vendor_name": "ParcelGuard",
                "version": __version__,
            },
        },
        "actor": {
            "user": {"uid": record["actor_id"], "type": record["actor_role"]},
            **({"station": record["station_id"]} if record["station_id"] else {}),
        },
        "unmapped": {
            "action": record["action"],
            "target_type": record["target_type"],
            "target_id": record["target_id"],
            "decision": record["decision"],
            "reason": record["reason"],
            "purpose": record["purpose"],
            "reference": record["reference"],
            "details": record["details"],
        },
    }
    if denied and record["reason"]:
        event["status_detail"] = record["reason"]
    if klass == AUTHENTICATION:
        event["user"] = {"uid": record["target_id"] or record["actor_id"]}
        if record["details"].get("method"):
            event["auth_protocol"] = str(record["details"]["method"])
    elif klass == DETECTION:
        event["finding_info"] = {
            "uid": record["target_id"],
            "title": str(record["details"].get("rule") or record["reason"] or "alert"),
            "types": [str(record["details"].get("rule") or record["reason"] or "alert")],
        }
        event["resources"] = [
            {"uid": str(record["details"].get("principal_id")), "type": "principal"}
        ]
    elif klass == DATASTORE_ACTIVITY:
        event["resources"] = [{"uid": record["target_id"], "type": record["target_type"]}]
    else:
        event["api"] = {"operation": record["action"]}
    return event
