"""`EmailRecognizer`: e-mail addresses, also with a full-width ＠ or between Chinese text."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.entity import Span
from parcelguard.pii.recognizers.recognizer import Recognizer
from parcelguard.pii.text_view import TextView

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])"
    r"(?P<local>[A-Za-z0-9*](?:[A-Za-z0-9._%+\-*]{0,62}[A-Za-z0-9*])?)"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
    r"(?![A-Za-z0-9\-])"
)


class EmailRecognizer(Recognizer):
    """Finds e-mail addresses; `z***@qq.com` is flagged as masked."""

    entity_type = "EMAIL"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield e-mail addresses."""
        if "@" not in view.folded:
            return
        for match in _EMAIL.finditer(view.folded):
            masked = "*" in match.group("local")
            yield self.span(match.start(), match.end(), 0.9 if masked else 0.95, masked=masked)
