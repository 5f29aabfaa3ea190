"""The provider-neutral webhook: JSON in, JSON out, HMAC-SHA256 signed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from parcelguard.errors import Denied, InvalidInput
from parcelguard.relay import signatures
from parcelguard.relay.config import RelayConfig
from parcelguard.relay.providers import base as seam


class CallIn(BaseModel):
    """`{from, to, call_id}` (and `text` for an SMS)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    caller: str | None = Field(default=None, alias="from", max_length=40)
    to: str = Field(max_length=40)
    call_id: str | None = Field(default=None, max_length=64)
    text: str | None = Field(default=None, max_length=2000)
    extension: str | None = Field(default=None, max_length=8, pattern=r"^[0-9#*]*$")
    attempt: int = Field(default=1, ge=1, le=9)


class StatusIn(BaseModel):
    """`{call_id, status, duration?, at?, channel?}`."""

    model_config = ConfigDict(extra="ignore")

    call_id: str = Field(max_length=64)
    status: str = Field(max_length=24)
    duration: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)
    at: datetime | None = None
    channel: str = Field(default="voice", pattern="^(voice|sms)$")


class NeutralProvider(seam.TelephonyProvider):
    """Any carrier that can sign a JSON body with the shared secret."""

    name = "neutral"

    def __init__(self, secret: bytes | None, tolerance: int) -> None:
        self._secret = secret
        self._tolerance = tolerance

    @classmethod
    def from_config(cls, config: RelayConfig, tenant_id: str) -> NeutralProvider:
        """Build the provider for a tenant."""
        return cls(config.secret_for(tenant_id), config.signature_tolerance_seconds)

    def authenticate(self, request: seam.WebhookRequest, now: float) -> None:
        """Refuse unless the body carries a fresh signature made with the tenant's secret."""
        if not signatures.valid(
            self._secret,
            request.header(signatures.TIMESTAMP_HEADER),
            request.header(signatures.SIGNATURE_HEADER),
            request.body,
            now,
            self._tolerance,
        ):
            raise Denied("webhook signature missing, stale or invalid", code="bad_signature")

    def call_event(self, request: seam.WebhookRequest, channel: str) -> seam.CallEvent:
        """Parse `{from, to, call_id}`."""
        call = _parse(CallIn, request.body)
        return seam.CallEvent(
            call.caller, call.to, call.call_id, channel, call.text, call.extension, call.attempt
        )

    def status_event(self, request: seam.WebhookRequest) -> seam.StatusEvent:
        """Parse `{call_id, status, duration?, at?}`."""
        status = _parse(StatusIn, request.body)
        return seam.StatusEvent(
            status.call_id, status.status, status.channel, status.duration, status.at
        )

    def reply(
        self, decision: seam.Decision, event: seam.CallEvent, request: seam.WebhookRequest
    ) -> seam.WebhookReply:
        """Answer `{action, number, reason}`; `number` is for the carrier's switch only."""
        return seam.WebhookReply("application/json", json.dumps(decision.answer()))


def _parse(model: Any, body: bytes) -> Any:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        fields = sorted(
            {".".join(str(p) for p in e.get("loc", ())) or "body" for e in exc.errors()}
        )
        raise InvalidInput(
            f"invalid webhook body: {', '.join(fields)}", code="invalid_webhook", details=fields
        ) from None
