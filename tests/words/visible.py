"""What a person sees on a page, and the machine codes that must never be part of it."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# issue 18's raw-code patterns: dotted/underscored codes, Python list/dict reprs, 32-hex ids,
# ISO UTC timestamps.
RAW_CODES = {
    "code": re.compile(r"\b[a-z]+[._][a-z_]+\b"),
    "list repr": re.compile(r"\[\s*'[^']*'"),
    "dict repr": re.compile(r"\{\s*'[^']*'\s*:"),
    "hex id": re.compile(r"\b[0-9a-f]{32}\b"),
    "iso time": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
}


class _Text(HTMLParser):
    SKIP = frozenset({"script", "style", "template", "head"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Return the text of a page's body as a person reads it (no script, style or markup)."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_codes(html: str) -> dict[str, list[str]]:
    """Return every raw-code pattern found in the visible text, by kind."""
    text = visible_text(html)
    found = {kind: pattern.findall(text) for kind, pattern in RAW_CODES.items()}
    return {kind: hits for kind, hits in found.items() if hits}
