"""The one client address of a request: the peer's, or the one a configured proxy reports.

`X-Forwarded-For`, `Forwarded` and `X-Real-IP` are believed only when the connection comes
from an address in `[http] trusted_proxies` (CIDRs; none by default). The chain is read from
the right: hops that are themselves trusted proxies are skipped, and the first other address
is the client, so whatever a client prepends is ignored. `ClientAddress` rewrites the ASGI
scope's `client` (and `scheme`, from the proxy's `X-Forwarded-Proto`) once, before anything
else runs, so rate limits, the lockout, audit details and the access log all use that one
address. uvicorn's own `--proxy-headers` must stay off (`parcelguard serve` turns it off).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from parcelguard.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The networks whose forwarded-for headers are believed."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, cidrs: Iterable[str]) -> TrustedProxies:
        """Return the proxies of `[http] trusted_proxies`; a bad entry is a `ConfigError`."""
        networks = []
        for cidr in cidrs:
            try:
                networks.append(ipaddress.ip_network(str(cidr).strip(), strict=False))
            except ValueError:
                raise ConfigError(
                    f"[http] trusted_proxies: {str(cidr)[:64]!r} is not an address or CIDR"
                ) from None
        return cls(tuple(networks))

    def trusts(self, address: str) -> bool:
        """Return whether `address` is one of the trusted proxies."""
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.networks)


@dataclass(frozen=True)
class Resolved:
    """The client address, and the scheme the proxy saw (None: keep the connection's)."""

    client: str
    scheme: str | None = None


def resolve(peer: str, headers: Mapping[str, str], proxies: TrustedProxies) -> Resolved:
    """Return the client behind `peer` given the request's (lower-case) headers."""
    if not proxies.trusts(peer):
        return Resolved(peer)
    client = str(_ip(peer))
    for hop in reversed(_hops(headers)):
        address = _ip(hop)
        if address is None:
            break  # garbage in the chain: nothing left of it can be believed
        client = str(address)
        if not proxies.trusts(client):
            break
    return Resolved(client, _scheme(headers))


def _hops(headers: Mapping[str, str]) -> list[str]:
    if headers.get("x-forwarded-for"):
        return [h.strip() for h in headers["x-forwarded-for"].split(",")]
    if headers.get("forwarded"):
        return [_pair(element, "for") or "" for element in headers["forwarded"].split(",")]
    if headers.get("x-real-ip"):
        return [headers["x-real-ip"].strip()]
    return []


def _scheme(headers: Mapping[str, str]) -> str | None:
    value = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
    if not value and headers.get("forwarded"):
        value = (_pair(headers["forwarded"].split(",")[-1], "proto") or "").lower()
    return value if value in ("http", "https") else None


def _pair(element: str, name: str) -> str | None:
    for pair in element.split(";"):
        key, _, value = pair.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"')
    return None


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse an address, with or without a port (`1.2.3.4:80`, `[2001:db8::1]:443`)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


class ClientAddress:
    """ASGI middleware: resolve the client address once, in the scope, before anything else."""

    def __init__(self, app: ASGIApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite `client` (and `scheme`) when the peer is a trusted proxy."""
        if scope["type"] in ("http", "websocket"):
            self.rewrite(scope)
        await self.app(scope, receive, send)

    def rewrite(self, scope: Scope) -> None:
        """Rewrite the scope's `client` (and `scheme`) when the peer is a trusted proxy."""
        client = scope.get("client")
        if client and self.proxies.networks and self.proxies.trusts(client[0]):
            headers: dict[str, str] = {}
            for key, value in scope.get("headers", ()):
                name = bytes(key).decode("latin-1").lower()
                text = bytes(value).decode("latin-1")
                headers[name] = f"{headers[name]}, {text}" if name in headers else text
            resolved = resolve(client[0], headers, self.proxies)
            scope["client"] = (resolved.client, 0 if resolved.client != client[0] else client[1])
            if resolved.scheme and scope["type"] == "http":
                scope["scheme"] = resolved.scheme
