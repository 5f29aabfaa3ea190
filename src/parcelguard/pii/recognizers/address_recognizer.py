"""`AddressRecognizer`: postal addresses, from the national divisions down to the room.

An address starts at a division name (浙江省杭州市西湖区, or a short 杭州) followed by at
least one detail part, or, without divisions, at a run of detail parts strong enough alone
(文三路478号, 李楼村3组, 阳光花园3栋2单元501). Divisions alone are not personal information.
"""

from __future__ import annotations

import re
from bisect import bisect_right
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
# Where a detail-only address can end: a house number, a village, a building, a room …
_LINE_BREAKS = re.compile(r"[\r\n]+")
_ANCHOR = re.compile(r"(?<=[0-9])\s?号|号[楼院]|单元|交叉口|[村镇乡栋幢座室组苑园楼层厦场院弄]")


class AddressRecognizer(Recognizer):
    """Finds addresses; 浙江省杭州市西湖区文三路*** is flagged as masked."""

    entity_type = "ADDRESS"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield addresses; a line break inside one (a wrapped label line) is read through."""
        text = view.folded
        if "\n" not in text:
            yield from self._find(text)
            return
        joined = _LINE_BREAKS.sub("", text)
        starts: list[int] = []  # where, in `joined`, each run of line breaks was taken out
        shifts: list[int] = []  # how many characters were taken out up to and with that run
        removed = 0
        for run in _LINE_BREAKS.finditer(text):
            starts.append(run.start() - removed)
            removed += run.end() - run.start()
            shifts.append(removed)
        breaks = frozenset(at for at in starts if 0 < at < len(joined))

        def original(at: int) -> int:
            run = bisect_right(starts, at)
            return at + (shifts[run - 1] if run else 0)

        for span in self._find(joined, breaks):
            yield self.span(
                original(span.start), original(span.end - 1) + 1, span.score, masked=span.masked
            )

    def _find(self, text: str, breaks: frozenset[int] = frozenset()) -> Iterator[Span]:
        lexicon = division_lexicon()
        found: list[Span] = []
        for match in lexicon.starts.finditer(text):
            at = match.start()
            if (found and at < found[-1].end) or not lexicon.longest_at(text, at):
                continue
            span = self._with_divisions(text, at, breaks)
            if span is not None:
                found.append(span)
        yield from found
        yield from self._detail_only(text, found, breaks)

    def _with_divisions(self, text: str, at: int, breaks: frozenset[int]) -> Span | None:
        end, levels = division_lexicon().run_at(text, at)
        if not levels:
            return None
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
        """Yield addresses without divisions, found from their suffixes (路, 号, 村, 室 …)."""
        covered = [(s.start, s.end) for s in found]
        for anchor in _ANCHOR.finditer(text):
            at = anchor.start()
            if any(lo <= at < hi for lo, hi in covered):
                continue
            first = _start_before(text, at)
            for start in range(first, min(first + 3, at + 1)):  # a misread first character
                detail = parse_detail(text, start, breaks)
                if detail.end > at and (detail.strong or detail.masked_end):
                    end = detail.masked_end or detail.end
                    yield self.span(
                        start,
                        end,
                        0.7 if detail.masked_end else 0.75,
                        masked=bool(detail.masked_end),
                    )
                    covered.append((start, end))
                    break


def _start_before(text: str, anchor: int) -> int:
    """Return where a detail-only address ending in `anchor` may start: after a stop or lead.

    Digits count only before the first Chinese character met going back (the 137 of
    教工街 137 号): a phone glued in front of a road name on an OCR line is no part of it.
    """
    start, seen_han = anchor, False
    while start > 0 and anchor - start < 14:
        ch = text[start - 1]
        if ch == "与" and text[start - 2 : start - 1] in ("路", "街", "道"):
            start -= 1  # 府前路与和平路交叉口: both roads belong to it
            continue
        spaced = ch == " " and not seen_han and text[start - 2 : start - 1].isalnum()
        if not spaced and (ch in STOP or not ch.isalnum() or (seen_han and ch.isdigit())):
            break
        seen_han = seen_han or not ch.isascii()
        start -= 1
    return _lead_end(text, start)


def _lead_end(text: str, start: int) -> int:
    """Return the end of a lead word (到达, 地址 …) that covers `start`, else `start`."""
    for back in range(3, -1, -1):
        match = _LEAD.match(text, max(0, start - back))
        if match and match.end() > start:
            return match.end()
    return start
