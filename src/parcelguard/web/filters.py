"""The Jinja filters every page uses to show times and numbers (one place, installed once).

`{{ at | local_time }}` is the tenant's local time, `{{ at | ago }}` the relative time in the
page language, `{{ at | when }}` both ("2026-12-03 17:50 · 3 分钟前"), `{{ n | grouped }}` a
count with thousands grouped, `{{ code | say("action") }}` the wording of a code, `{{ id |
short_id }}` an internal 32-hex id cut to its first 12 digits (the whole one goes in a title),
`{{ t.sentence | fill(name=…, waybill=…) }}` a catalogue sentence with its data filled in and
marked as data (`fill`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from parcelguard.words import CodeKind, say
from parcelguard.words.formats import grouped, local_text, relative


def _runtime(context: Context) -> Any:
    request = context.get("request")
    app = getattr(request, "app", None)
    return getattr(getattr(app, "state", None), "runtime", None)


def _zone(context: Context) -> str | None:
    rt = _runtime(context)
    return getattr(getattr(rt, "settings", None), "timezone", None)


def _now(context: Context) -> datetime:
    rt = _runtime(context)
    clock = getattr(rt, "clock", None)
    return clock.now() if clock is not None else datetime.now(UTC)


@pass_context
def local_time(context: Context, at: str | datetime | None) -> str:
    """Return the time in the tenant's zone, to the minute."""
    return local_text(at, _zone(context))


@pass_context
def ago(context: Context, at: str | datetime | None) -> str:
    """Return how long ago (or until) a time is, in the page language."""
    return relative(at, _now(context), context.get("lang") or "zh")


@pass_context
def when(context: Context, at: str | datetime | None) -> str:
    """Return local time and relative time together ("—" for no time)."""
    text = local_text(at, _zone(context))
    if text == "—":
        return text
    return f"{text} · {relative(at, _now(context), context.get('lang') or 'zh')}"


@pass_context
def say_code(context: Context, code: str | None, kind: CodeKind) -> str:
    """Return the wording of a code in the page language."""
    return say(context.get("lang"), kind, code)


def short_id(value: str | None) -> str:
    """Return an internal 32-hex id cut to 12 digits and "…"; any other id as it is."""
    text = value or ""
    return f"{text[:12]}…" if re.fullmatch(r"[0-9a-f]{32}", text) else text


DATA = Markup('<span translate="no">{}</span>')


def fill(sentence: str, **data: object) -> Markup:
    """Return a catalogue sentence with its data filled in, for a page (HTML).

    The sentence is escaped and every text value is marked `translate="no"`: a name, a waybill,
    a ticket or a phone mask is data, not wording, so a translating browser (and the page walk's
    check for the other language's words) leaves it as written. Numbers and markup (wording
    another filter made) go in as they are, escaped where they are not markup. Plain text (JSON,
    a `<title>`) keeps `str.format`.
    """
    marked = {key: _marked(value) for key, value in data.items()}
    return escape(sentence).format(**marked)


def _marked(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return DATA.format(value)
    return value


def install(env: Environment) -> None:
    """Add the filters to a template environment."""
    env.filters.update(
        local_time=local_time,
        ago=ago,
        when=when,
        grouped=grouped,
        say=say_code,
        short_id=short_id,
        fill=fill,
    )
