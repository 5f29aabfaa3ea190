"""Audit events as ArcSight CEF:0 lines, escaped as the CEF specification demands."""

from __future__ import annotations

import json

from parcelguard import __version__
from parcelguard.siem.ocsf import class_of, severity_of
from parcelguard.siem.record import Record, is_alert, uid

CEF_SEVERITY = {1: 3, 2: 4, 3: 6, 4: 8, 5: 10}


def _header(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _ext(value: object) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("=", "\\=").replace("\r", "\\r").replace("\n", "\\n")


def to_cef(record: Record) -> str:
    """Return the CEF line of one audit record (`externalId` is the stable id)."""
    severity = CEF_SEVERITY[severity_of(record)]
    name = (
        f"alert {record['details'].get('rule', record['reason'])}"
        if is_alert(record)
        else record["action"]
    )
    fields: dict[str, object] = {
        "rt": int(record["at"].timestamp() * 1000),
        "externalId": uid(record),
        "cat": class_of(record),
        "act": record["action"],
        "suser": record["actor_id"],
        "cs1Label": "role",
        "cs1": record["actor_role"],
        "outcome": "failure" if record["decision"] == "deny" else "success",
    }
    optional = {
        "duser": record["target_id"],
        "cs2Label": "station" if record["station_id"] else None,
        "cs2": record["station_id"],
        "reason": record["reason"],
        "cs3Label": "purpose" if record["purpose"] else None,
        "cs3": record["purpose"],
        "cs4Label": "details" if record["details"] else None,
        "cs4": json.dumps(record["details"], ensure_ascii=False, sort_keys=True)
        if record["details"]
        else None,
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    extension = " ".join(f"{k}={_ext(v)}" for k, v in fields.items())
    header = "|".join(
        _header(p)
        for p in ("ParcelGuard", "ParcelGuard", __version__, record["action"], name, str(severity))
    )
    return f"CEF:0|{header}|{extension}"
