"""PII API: POST /api/v1/pii/scan, /redact and /redact-image.

`/redact-image` takes a multipart upload (`file`) and answers the redacted photo itself, in
the input's format, with the report in the `X-PII-Report` header (JSON, ASCII-escaped); with
`?report=json` it answers `{"image": base64, "media_type", "regions", …}` instead.

`pii` stays pure (checked by import-linter), so the tenant's hash key is read from the app's
runtime through `request.app.state` rather than by importing the runtime module.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from parcelguard.errors import ConfigError
from parcelguard.pii import service
from parcelguard.pii.image.image_input import MAX_BYTES
from parcelguard.pii.schemas import ImageReportOut, RedactIn, RedactOut, ScanIn, ScanOut

router = APIRouter(prefix="/api/v1/pii", tags=["pii"])
# Text tools need an authenticated caller (the hash operator uses the tenant's key, which must
# not become an oracle); photo redaction is a public service (nothing is stored): its work per
# request is bounded (image_input) and anonymous callers have a tight rate limit (web.security).
text_tools = APIRouter(prefix="/api/v1/pii", tags=["pii"])
REPORT_HEADER = "X-PII-Report"


@text_tools.post("/scan", response_model=ScanOut)
def scan(body: ScanIn) -> ScanOut:
    """Find the personal information in a text."""
    return ScanOut.model_validate(service.scan(body.text).as_dict())


@text_tools.post("/redact", response_model=RedactOut)
def redact(body: RedactIn, request: Request) -> RedactOut:
    """Return the text masked, replaced (`<PHONE>`) or hashed with the tenant's key."""
    key = _hash_key(request) if body.operator == "hash" else None
    result = service.redact_text(body.text, body.operator, hash_key=key)
    return RedactOut.model_validate(result.as_dict())


@router.post(
    "/redact-image",
    responses={
        200: {
            "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
            "description": f"The redacted photo; the report is in the {REPORT_HEADER} header.",
        }
    },
)
def redact_image(
    file: UploadFile = File(..., description="A JPEG, PNG or WebP photo."),
    style: Literal["blur", "fill"] = Query("blur"),
    report: Literal["header", "json"] = Query("header"),
) -> Response:
    """Blur the personal information and fill the codes of a photo; strip its metadata."""
    data = file.file.read(MAX_BYTES + 1)  # over MAX_BYTES: refused (413) by read_photo
    result = service.redact_photo(data, param="file", style=style)
    document = result.report()
    if report == "json":
        document["media_type"] = result.media_type
        document["image"] = base64.b64encode(result.image).decode()
        return JSONResponse(ImageReportOut.model_validate(document).model_dump())
    return Response(
        result.image,
        media_type=result.media_type,
        headers={REPORT_HEADER: json.dumps(document, ensure_ascii=True, separators=(",", ":"))},
    )


def _hash_key(request: Request) -> bytes:
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise ConfigError("no runtime for the hash key", code="no_runtime")
    key: bytes = runtime.keyring.index.derive("pii-hash")
    return key


def mount(app: FastAPI, guard: Callable[..., Any] | None = None) -> None:
    """Add the PII API; `guard` (a dependency) protects the text tools."""
    dependencies = [Depends(guard)] if guard is not None else []
    app.include_router(text_tools, dependencies=dependencies)
    app.include_router(router)
