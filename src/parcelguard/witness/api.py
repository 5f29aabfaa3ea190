"""The witness over HTTP: `POST /add-checkpoint` (c2sp.org/tlog-witness) and a read endpoint.

`GET /checkpoint?origin=<origin>` is ParcelGuard's monitoring endpoint (the spec leaves
retrieval open): the newest checkpoint cosigned for that log, as a signed note carrying the
log's signature and this witness's cosignature, so a verifier can compare it with the log.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from parcelguard.tlog.witness_request import MAX_BODY
from parcelguard.witness.service import Witness


def create_witness_app(witness: Witness) -> Starlette:
    """Return the witness's ASGI app."""

    async def add_checkpoint(request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return PlainTextResponse("request body too large\n", status_code=413)
        answer = witness.add_checkpoint(body)
        return Response(answer.body, status_code=answer.status, media_type=answer.content_type)

    async def checkpoint(request: Request) -> Response:
        origin = request.query_params.get("origin", "")
        latest = witness.latest(origin) if origin else None
        if latest is None:
            return PlainTextResponse("no checkpoint cosigned for this origin\n", status_code=404)
        return PlainTextResponse(latest.note)

    async def key(_request: Request) -> Response:
        return PlainTextResponse(witness.vkey() + "\n")

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/add-checkpoint", add_checkpoint, methods=["POST"]),
            Route("/checkpoint", checkpoint, methods=["GET"]),
            Route("/key", key, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
