"""Check: TLS, secure cookies and HSTS in production."""

from __future__ import annotations

from urllib.parse import urlsplit

from parcelguard.doctor.check import Check, DoctorContext, Finding

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class TransportSecurity(Check):
    """Sessions and PII must never cross a network in clear text."""

    name = "transport.tls"

    def run(self, ctx: DoctorContext) -> Finding:
        """Fail in production unless base_url is https and cookies and HSTS are on."""
        settings = ctx.rt.settings
        url = urlsplit(settings.base_url)
        if ctx.production:
            missing = [
                text
                for text, ok in (
                    ("base_url is not https", url.scheme == "https"),
                    ("secure_cookies is off", settings.cookies_secure),  # https implies it
                    ("hsts is off", settings.hsts),
                )
                if not ok
            ]
            if missing:
                return self.failed("; ".join(missing))
            return self.passed("https base URL, secure cookies and HSTS")
        if url.scheme != "https" and (url.hostname or "") not in LOCAL_HOSTS:
            return self.warned(f"plain http on {url.hostname}: only localhost may go without TLS")
        return self.passed("development: TLS not required on localhost")
