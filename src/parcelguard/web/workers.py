"""uvicorn's config for `serve --workers N`, with a listening socket that says it is TCP."""

from __future__ import annotations

import socket

import uvicorn


class TcpConfig(uvicorn.Config):
    """uvicorn's config whose shared listening socket is marked TCP, so replies are not delayed.

    uvicorn binds the workers' shared socket as `socket(family)`, protocol 0; asyncio then
    leaves Nagle on for every accepted connection (it sets TCP_NODELAY only on sockets whose
    protocol is TCP), and a keep-alive client waits ~40 ms (delayed ACK) on each small answer:
    44 ms per `/healthz` at 2 workers against 5 ms at 1. Module level: the workers unpickle it.
    """

    def bind_socket(self) -> socket.socket:
        """Bind as uvicorn does, then mark an IP socket as TCP (same descriptor)."""
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock
