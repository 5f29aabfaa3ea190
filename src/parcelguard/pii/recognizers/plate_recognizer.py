"""`PlateRecognizer`: mainland licence plates, including the 6-character new-energy plates."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.entity import Span
from parcelguard.pii.recognizers.recognizer import Recognizer
from parcelguard.pii.text_view import TextView

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PROVINCE = re.compile(f"[{_PROVINCES}]")  # a cheap scan first: most texts hold no plate
_L = "A-HJ-NP-Z"  # plates use no I and no O
_PLATE = re.compile(
    rf"(?<![A-Za-z0-9])[{_PROVINCES}][{_L}][·•.\- ]?"
    rf"(?:[DF][{_L}0-9][0-9]{{4}}|[0-9]{{5}}[DF]|[{_L}0-9]{{5}}[挂学警港澳]?)"
    r"(?![A-Za-z0-9])"
)
_MASKED = re.compile(
    rf"(?<![A-Za-z0-9])[{_PROVINCES}][{_L}][·•.\- ]?[{_L}0-9*]{{5,6}}(?![A-Za-z0-9*])"
)


class PlateRecognizer(Recognizer):
    """Finds plates such as 浙A·12345, 粤B D12345 and 沪A12345D; 浙A***45 is flagged."""

    entity_type = "PLATE"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield licence plates with at least three digits in the serial."""
        if not view.has_digit:
            return
        text = view.folded
        for match in _PLATE.finditer(text) if _PROVINCE.search(text) else ():
            serial = match.group()[2:]
            if sum(ch.isdigit() for ch in serial) >= 3:
                yield self.span(match.start(), match.end(), 0.85)
        for match in _MASKED.finditer(text) if view.has_mask else ():
            if "*" in match.group():
                yield self.span(match.start(), match.end(), 0.85, masked=True)
