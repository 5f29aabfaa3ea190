"""`AddressRecognizer`: postal addresses, from the national divisions down to the room.

An address starts at a division name (浙江省杭州市西湖区, or a short 杭州) followed by at
least one detail part, or, without divisions, at a run of detail parts strong enough alone
(文三路478号, 李楼村3组, 阳光花园3栋2单元501). Divisions alone are not personal information.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.address_grammar import STOP, parse_detail
from parcelguard.pii.division_lexicon import division_lexicon
from parcelguard.pii.entity import Span
from parcelguard.pii.recognizers.recognizer import Recognizer
from parcelguard.pii.text_view import TextView

# Words that often stand right before an address and are no part of it.
_LEAD = re.compile(
    "到达|送达|抵达|已到|发往|寄往|寄到|送到|位于|来自|地址|住址|住在|家在|就在|现在|目前|已经|派送|配送|收货"
)
_ANCHOR = re.compile(r"[路街道巷弄村镇乡号栋幢座单元室组区苑园楼层]")
_START = re.compile(rf"(?<![\u4e00-\u9fffA-Za-z0-9])[A-Za-z0-9]|(?![{STOP}])[\u4e00-\u9fff]")


class AddressRecognizer(Recognizer):
    """Finds addresses; 浙江省杭州市西湖区文三路*** is flagged as masked."""

    entity_type = "ADDRESS"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield addresses; a line break inside one (a wrapped label line) is read through."""
        text = view.folded
        if "\n" not in text:
            yield from self._find(text)
            return
        index = [i for i, ch in enumerate(text) if ch not in "\r\n"]
        joined = "".join(text[i] for i in index)
        breaks = frozenset(j for j in range(1, len(index)) if index[j] - index[j - 1] > 1)
        for span in self._find(joined, breaks):
            yield self.span(
                index[span.start], index[span.end - 1] + 1, span.score, masked=span.masked
            )

    def _find(self, text: str, breaks: frozenset[int] = frozenset()) -> Iterator[Span]:
        lexicon = division_lexicon()
        found: list[Span] = []
        for at in range(len(text)):
            if (found and at < found[-1].end) or not lexicon.longest_at(text, at):
                continue
            if not lexicon.run_at(text, at)[1]:
                continue
            span = self._with_divisions(text, at, breaks)
            if span is not None:
                found.append(span)
        yield from found
        if _ANCHOR.search(text):
            yield from self._detail_only(text, found, breaks)

    def _with_divisions(self, text: str, at: int, breaks: frozenset[int]) -> Span | None:
        end, levels = division_lexicon().run_at(text, at)
        gap = 1 if text[end : end + 1] == " " else 0
        detail = parse_detail(text, end + gap, breaks)
        if detail.masked_end:
            return self.span(at, detail.masked_end, 0.9, masked=True)
        if not detail.parts:
            return None
        if levels == 1 and not detail.strong and len(detail.parts) < 2:
            return None  # 杭州东站: a city and a place, not somebody's address
        return self.span(at, detail.end, 0.9 if levels >= 2 else 0.8)

    def _detail_only(self, text: str, found: list[Span], breaks: frozenset[int]) -> Iterator[Span]:
        at = 0
        while True:
            match = _START.search(text, at)
            if match is None:
                return
            start = match.start()
            lead = _lead_end(text, start)
            if lead > start:
                at = lead
                continue
            inside = next((s for s in found if s.start <= start < s.end), None)
            if inside is not None:
                at = inside.end
                continue
            anchor = _ANCHOR.search(text, start, start + 16)
            if anchor is None:
                at = start + 1
                continue
            detail = parse_detail(text, start, breaks)
            if detail.masked_end and detail.parts:
                yield self.span(start, detail.masked_end, 0.7, masked=True)
                at = detail.masked_end
            elif detail.strong:
                yield self.span(start, detail.end, 0.75)
                at = detail.end
            else:
                at = _next_start(text, start)


def _lead_end(text: str, start: int) -> int:
    """Return the end of a lead word (到达, 地址 …) that covers `start`, else `start`."""
    for back in range(3, -1, -1):
        match = _LEAD.match(text, max(0, start - back))
        if match and match.end() > start:
            return match.end()
    return start


def _next_start(text: str, start: int) -> int:
    """Return the next position a detail-only address may start: after the current word."""
    at = start + 1
    while at < len(text) and text[at].isascii() and text[at].isalnum():
        at += 1
    return at
