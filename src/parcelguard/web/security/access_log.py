"""Access-log lines without secrets: token-bearing paths and every query value are masked.

Whoever reads a server's log (an operator, a log shipper, a support contractor) must not find
a way in there. Masked: the token of a QR landing page (`/s/…`) and of an old-form enrolment
link (`/console/enrol/…`), the prefix of an exposure check (`/api/v1/exposure/range/…`), any
path segment that looks like a random token, a mobile number or an ID number, or is not plain
ASCII (a name), and the value of every query parameter. Enrolment tokens themselves never
reach a URL any more (they travel in the fragment and in POST bodies; docs/access.md).
"""

from __future__ import annotations

import logging
import re

MASK = "…"
# Paths whose next segment is a secret whatever it looks like.
SECRET_AFTER = ("/s/", "/console/enrol/", "/api/v1/exposure/range/")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,}")
_HEX_ID = re.compile(r"[0-9a-f]{20,64}")  # our own row ids (new_id): not secrets
_PERSONAL = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")
_PARAM = re.compile(r"[A-Za-z0-9_.\-\[\]]{1,40}")


def mask_target(target: str) -> str:
    """Return a request target (path and query) with every secret-looking part masked."""
    path, has_query, query = target.partition("?")
    for prefix in SECRET_AFTER:
        if path.startswith(prefix) and len(path) > len(prefix):
            rest = path[len(prefix) :]
            path = prefix + MASK + rest[rest.find("/") :] if "/" in rest else prefix + MASK
    masked = "/".join(MASK if _secret_like(part) else part for part in path.split("/"))
    if has_query:
        masked += "?" + "&".join(_mask_pair(pair) for pair in query.split("&"))
    return masked


def _secret_like(segment: str) -> bool:
    if not segment or segment == MASK:
        return False
    if not segment.isascii() or "%" in segment or _PERSONAL.search(segment):
        return True
    return bool(_TOKEN.fullmatch(segment)) and not _HEX_ID.fullmatch(segment)


def _mask_pair(pair: str) -> str:
    name = pair.split("=", 1)[0]
    return f"{name}={MASK}" if _PARAM.fullmatch(name) else MASK


class AccessLogMask(logging.Filter):
    """Rewrites the request target of uvicorn's access-log records (`%s %s HTTP/%s` args)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the path argument; never drop the record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_target(args[2]), *args[3:])
        return True
