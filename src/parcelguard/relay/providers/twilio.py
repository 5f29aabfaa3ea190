"""Twilio: form-encoded webhooks signed with `X-Twilio-Signature`, answered in TwiML.

Signatures are checked with the twilio package's `RequestValidator`: with the account Auth
Token (HMAC-SHA1), or, when Twilio sends `X-Twilio-Webhooks-Signature-Settings`, with the
configured SharedKey secret and the algorithm that header names. The URL signed is the one
Twilio called: `public_base_url` + path and query when set (behind a proxy), else the
request's own URL.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from parcelguard.errors import ConfigError, Denied, InvalidInput
from parcelguard.relay.config import RelayConfig
from parcelguard.relay.providers import base as seam

if TYPE_CHECKING:
    from datetime import datetime

SIGNATURE_HEADER = "x-twilio-signature"
SETTINGS_HEADER = "x-twilio-webhooks-signature-settings"
STATUS_PATH = "/relay/twilio/status"
XML = "application/xml"
# What an unbound caller hears; the same words whatever the internal reason (canary included).
SPOKEN = {
    "expired": "您拨打的隐私号码已过期，无法接通。如需联系快递员，请通过快递公司官方渠道。",
    # The help after a wrong extension twice: names no party, no parcel, no number.
    "wrong_extension": "您输入的分机号无效或已过期。请核对面单上的号码和分机号后重拨，"
    "或通过快递公司官方渠道联系。",
    "default": "您拨打的号码未绑定，无法接通。请核对号码，或通过快递公司官方渠道联系。",
}
SILENT_REJECT = ("invalid_caller", "unknown_number")
ASK = {
    "extension_needed": "请输入分机号，以井号键结束。",
    "wrong_extension": "分机号有误，请重新输入分机号，以井号键结束。",
}
GATHER_TIMEOUT = 8
# Before an extension's digits: each "w" waits half a second (TwiML <Number sendDigits>).
EXTENSION_PAUSE = "wwww"


class TwilioProvider(seam.TelephonyProvider):
    """Twilio Programmable Voice and Messaging."""

    name = "twilio"

    def __init__(
        self,
        auth_token: str | None,
        shared_key: str | None,
        public_base_url: str | None,
        extension_digits: int = 4,
    ) -> None:
        self._extension_digits = extension_digits
        self._auth_token = auth_token
        self._shared_key = shared_key
        self._base = public_base_url.rstrip("/") if public_base_url else None

    @classmethod
    def from_config(cls, config: RelayConfig, tenant_id: str) -> TwilioProvider:
        """Build the provider from `[relay]`."""
        token = config.twilio_auth_token
        shared = config.twilio_shared_key
        return cls(
            token.get_secret_value() if token else None,
            shared.get_secret_value() if shared else None,
            config.public_base_url,
            config.extension_digits,
        )

    def signed_url(self, request: seam.WebhookRequest) -> str:
        """Return the URL Twilio signed."""
        if self._base is None:
            return request.url
        parts = urlsplit(request.url)
        return self._base + parts.path + (f"?{parts.query}" if parts.query else "")

    def authenticate(self, request: seam.WebhookRequest, now: float) -> None:
        """Refuse unless `X-Twilio-Signature` matches (403), whichever key Twilio signed with."""
        signature = request.header(SIGNATURE_HEADER)
        settings = request.header(SETTINGS_HEADER)
        secret = self._shared_key if settings else self._auth_token
        if settings and not self._shared_key:
            raise ConfigError(
                "Twilio signs with a SharedKey: set twilio_shared_key in [relay]",
                code="twilio_shared_key_missing",
            )
        if not signature or not secret:
            raise Denied("Twilio signature missing or Twilio not configured", code="bad_signature")
        validator = RequestValidator(secret)
        algorithm = get_signature_algorithm(settings)
        if not validator.validate(
            self.signed_url(request), dict(request.form), signature, algorithm
        ):
            raise Denied("Twilio signature invalid", code="bad_signature")

    def call_event(self, request: seam.WebhookRequest, channel: str) -> seam.CallEvent:
        """Read From, To and CallSid (MessageSid and Body for an SMS)."""
        form = request.form
        call_id = form.get("CallSid") or form.get("MessageSid") or form.get("SmsSid")
        if not call_id:
            raise InvalidInput("CallSid or MessageSid is missing", code="invalid_webhook")
        # Our own <Gather action> (and its <Redirect> when nothing was keyed) says which ask
        # this answers; Twilio signs the URL with its query, so a caller cannot change it.
        query = dict(parse_qsl(urlsplit(request.url).query))
        attempt = query.get("attempt", "")
        asked = attempt.isdigit() and 1 <= int(attempt) <= 9
        return seam.CallEvent(
            form.get("From"),
            form.get("To"),
            call_id,
            channel,
            form.get("Body"),
            form.get("Digits", "") if asked else None,
            int(attempt) if asked else 1,
        )

    def status_event(self, request: seam.WebhookRequest) -> seam.StatusEvent:
        """Read a call or message status callback; a child leg reports for its parent call."""
        form = request.form
        sms = "MessageSid" in form or "MessageStatus" in form
        call_id = form.get("ParentCallSid") or form.get("CallSid") or form.get("MessageSid")
        status = form.get("MessageStatus") if sms else form.get("CallStatus")
        if not call_id or not status:
            raise InvalidInput("the callback has no call id or status", code="invalid_webhook")
        duration = form.get("CallDuration") or form.get("DialCallDuration")
        parent_leg = "ParentCallSid" not in form
        return seam.StatusEvent(
            call_id,
            status,
            "sms" if sms else "voice",
            int(duration) if duration and duration.isdigit() else None,
            _timestamp(form.get("Timestamp")),
            form.get("From") if parent_leg else None,
            form.get("To") if parent_leg else None,
        )

    def reply(
        self, decision: seam.Decision, event: seam.CallEvent, request: seam.WebhookRequest
    ) -> seam.WebhookReply:
        """TwiML: `<Dial>` the other party showing X, or a spoken rejection in Chinese."""
        if event.channel == "sms":
            return seam.WebhookReply(XML, _sms(decision, event))
        response = VoiceResponse()
        if decision.action == "connect" and decision.connect_to is not None:
            callback = self._status_url(request)
            dial = response.dial(caller_id=decision.virtual_number, timeout=30)
            digits = decision.connect_digits
            dial.number(
                decision.connect_to.reveal(),
                # A privacy number's extension: wait for its switch to answer, then key it in.
                send_digits=f"{EXTENSION_PAUSE}{digits.reveal()}#" if digits else None,
                status_callback=callback,
                status_callback_event="initiated ringing answered completed",
            )
        elif decision.action == "gather":
            action = self._voice_url(request, decision.attempt or 1)
            gather = response.gather(
                num_digits=self._extension_digits,
                action=action,
                method="POST",
                timeout=GATHER_TIMEOUT,
                finish_on_key="#",
            )
            gather.say(
                ASK.get(decision.reason or "", ASK["extension_needed"]),
                language="cmn-CN",
                voice="Polly.Zhiyu",
            )
            response.redirect(action, method="POST")  # nothing keyed: the same ask, answered empty
        elif decision.reason in SILENT_REJECT:
            response.reject(reason="rejected")
        else:
            text = SPOKEN.get(decision.reason or "", SPOKEN["default"])
            response.say(text, language="cmn-CN", voice="Polly.Zhiyu")
            response.hangup()
        return seam.WebhookReply(XML, str(response))

    def _voice_url(self, request: seam.WebhookRequest, attempt: int) -> str:
        """Return this voice webhook's URL for the `attempt`th ask for the extension."""
        parts = urlsplit(request.url)
        base = self._base if self._base is not None else f"{parts.scheme}://{parts.netloc}"
        return f"{base}{parts.path}?attempt={attempt}"

    def _status_url(self, request: seam.WebhookRequest) -> str:
        if self._base is not None:
            return self._base + STATUS_PATH
        parts = urlsplit(request.url)
        return f"{parts.scheme}://{parts.netloc}{STATUS_PATH}"


def _sms(decision: seam.Decision, event: seam.CallEvent) -> str:
    response = MessagingResponse()
    if decision.action == "connect" and decision.connect_to is not None:
        # The scrubbed text (routing took phone, ID and card numbers out), sent from X.
        text = decision.forward_text.reveal() if decision.forward_text is not None else ""
        response.message(text, to=decision.connect_to.reveal(), from_=decision.virtual_number)
    return str(response)


def _timestamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
