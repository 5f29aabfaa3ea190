"""What the server logs: tracebacks that say what failed and where, never with which values.

An exception's message may quote a submitted value (`ValueError: invalid literal … '139…'`,
a driver error with a statement's parameters), so a logged traceback keeps the exception's
type and its frames (file, line, function, source line) and drops every message; locals are
never printed. `install()` puts the filters on the loggers the server writes through (they
survive uvicorn's own logging set-up), and `server_options()` is how `parcelguard serve` runs
uvicorn: our log configuration with the filters on every handler, and no proxy headers (the
client address is resolved by `ClientAddress` from `[http] trusted_proxies`).
"""

from __future__ import annotations

import copy
import logging
import traceback
from typing import Any

from parcelguard.web.results import ServerOptions
from parcelguard.web.security.access_log import AccessLogMask

WITHHELD = "(message withheld: it may quote submitted values)"


def scrubbed_traceback(exc: BaseException) -> str:
    """Return the traceback of `exc` and its causes: types and frames, no messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.StackSummary.extract(
            traceback.walk_tb(current.__traceback__), capture_locals=False
        )
        kind = type(current)
        block = "Traceback (most recent call last):\n" + "".join(frames.format())
        parts.append(f"{block}{kind.__module__}.{kind.__qualname__} {WITHHELD}\n")
        current = current.__cause__ or current.__context__
    return "\nwhich was raised while handling:\n".join(parts).rstrip("\n")


class TracebackScrub(logging.Filter):
    """Replaces a record's traceback by the scrubbed one; exceptions in args by their type."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub in place; never drop the record."""
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrubbed_traceback(record.exc_info[1])
            record.exc_info = None
        if isinstance(record.args, tuple):
            record.args = tuple(
                type(a).__name__ if isinstance(a, BaseException) else a for a in record.args
            )
        return True


_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "uvicorn.access")


def install() -> None:
    """Put the filters on the server's loggers and on the handlers they write to (idempotent).

    A logger's filter sees only the records logged on that very logger, so every logger of
    ours that exists by now (the app imported every module) gets one, as do uvicorn's; the
    handlers present (and Python's last-resort handler) get one too.
    """
    access = logging.getLogger("uvicorn.access")
    _add(access, AccessLogMask)
    ours = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "parcelguard"]
    loggers = [logging.getLogger(n) for n in (*_LOGGERS, *ours)]
    for logger in loggers:
        _add(logger, TracebackScrub)
    handlers = [h for lg in (logging.getLogger(), *loggers) for h in lg.handlers]
    for handler in (*handlers, logging.lastResort):
        if handler is not None:
            _add(handler, TracebackScrub)
    for handler in access.handlers:
        _add(handler, AccessLogMask)


def _add(target: logging.Filterer, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in target.filters):
        target.addFilter(kind())


def log_config() -> dict[str, Any]:
    """Return uvicorn's logging configuration with our filters on every handler.

    Records of every logger (ours included) reach a handler that masks and scrubs; the root
    logger writes INFO and above to stderr like uvicorn's own lines.
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {
        "scrub": {"()": f"{__name__}.TracebackScrub"},
        "mask": {"()": f"{AccessLogMask.__module__}.AccessLogMask"},
    }
    config["handlers"]["default"]["filters"] = ["scrub"]
    config["handlers"]["access"]["filters"] = ["mask", "scrub"]
    config["root"] = {"handlers": ["default"], "level": "INFO"}
    return config


def server_options() -> ServerOptions:
    """Return the uvicorn options every server of ours runs with (serve, demo, tests)."""
    return {
        "proxy_headers": False,  # trusted proxies are ours to resolve (ClientAddress)
        "server_header": False,
        "log_config": log_config(),
    }
