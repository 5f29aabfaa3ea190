"""PII use cases: scan a text, redact a text, redact a photo; what the CLI and the API call.

The analyzer and the photo redactor are built on first use and shared (the OCR models and the
jieba dictionary take a second or two to load; every later call reuses them). At most
`PHOTO_SLOTS` photos are redacted at once in a process; a photo that finds no slot within
`PHOTO_WAIT` seconds is refused as `busy` (429) rather than queued with its pixels in memory.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from parcelguard.errors import InvalidInput, RateLimited
from parcelguard.pii.analyzer import Analysis, Analyzer
from parcelguard.pii.image.image_redactor import ImageRedaction, ImageRedactor
from parcelguard.pii.operators import Operator, operator_for
from parcelguard.pii.redactor import Redaction, redact
from parcelguard.sensitive import Sensitive

MAX_TEXT = 200_000
PHOTO_SLOTS = 2  # photos redacted at once per process (each holds up to 50 MB of pixels)
PHOTO_WAIT = 20.0  # seconds a photo may wait for a slot
TEXT_OPERATORS = ("mask", "replace", "hash")
_lock = threading.Lock()
_cache: dict[str, Any] = {}


def analyzer() -> Analyzer:
    """Return the shared text analyzer."""
    return _shared("analyzer", Analyzer)


def image_redactor() -> ImageRedactor:
    """Return the shared photo redactor (OCR engine loaded on its first photo)."""
    return _shared("image_redactor", ImageRedactor)


def _shared(name: str, make: Any) -> Any:
    if name not in _cache:
        with _lock:
            if name not in _cache:
                _cache[name] = make()
    return _cache[name]


def scan(text: str | Sensitive, *, param: str = "text") -> Analysis:
    """Return the personal information in a text."""
    return analyzer().analyze(_checked(text, param))


def scan_records(lines: Iterable[str], *, param: str = "file") -> Iterator[dict[str, Any]]:
    """Yield {"id", "entities"} for each JSON line {"id", "text"} (blank lines skipped)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise _bad_line(param, number, "is not JSON") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise _bad_line(param, number, 'needs a string "text"')
        analysis = scan(record["text"], param=f"{param} line {number}")
        yield {"id": record.get("id"), "entities": [e.as_dict() for e in analysis.entities]}


def redact_text(
    text: str | Sensitive, operator: str | Operator, *, hash_key: bytes | None = None
) -> Redaction:
    """Return a text with its personal information replaced by `operator`."""
    plain = _checked(text, "text")
    if isinstance(operator, str):
        name = operator.strip().lower()
        options: dict[str, Any] = {"key": hash_key} if name == "hash" else {}
        if name == "hash" and not hash_key:
            raise InvalidInput("the hash operator needs the tenant key", code="hash_key_required")
        operator = operator_for(name, **options)
    return redact(plain, operator, analyzer())


def redact_photo(data: bytes, *, param: str = "image", style: str | None = None) -> ImageRedaction:
    """Return a photo with its personal information blurred and its codes filled."""
    redactor = image_redactor()
    if style is not None and style != redactor.style:
        redactor = ImageRedactor(redactor.engine, redactor.analyzer, style=style)
    slots = photo_slots()
    if not slots.acquire(timeout=PHOTO_WAIT):
        raise RateLimited(
            "too many photos are being redacted; try again shortly",
            code="busy",
            details={"retry_after": 10},
        )
    try:
        return redactor.redact(data, param=param)
    finally:
        slots.release()


def photo_slots() -> threading.BoundedSemaphore:
    """Return the process's photo slots (`PHOTO_SLOTS` redactions at a time)."""
    slots: threading.BoundedSemaphore = _shared(
        "photo_slots", lambda: threading.BoundedSemaphore(PHOTO_SLOTS)
    )
    return slots


def _checked(text: str | Sensitive, param: str) -> str:
    plain = text.reveal() if isinstance(text, Sensitive) else text
    if not isinstance(plain, str):
        raise InvalidInput(f"{param} must be text", code="invalid_text")
    if len(plain) > MAX_TEXT:
        raise InvalidInput(
            f"{param} is longer than {MAX_TEXT} characters", code="too_long", details=param
        )
    return plain


def _bad_line(param: str, number: int, reason: str) -> InvalidInput:
    return InvalidInput(
        f"{param} line {number} {reason}", code="bad_line", details={"line": number}
    )
