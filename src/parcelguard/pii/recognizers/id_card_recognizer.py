"""`IdCardRecognizer`: 18-character resident ID numbers, check digit and birth date validated."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from parcelguard.pii.entity import Span
from parcelguard.pii.normalize import normalize_resident_id
from parcelguard.pii.recognizers.recognizer import Recognizer, context_verdict, words_pattern
from parcelguard.pii.text_view import TextView

_ID = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}[ ]?(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9][ ]?"
    r"[0-9]{3}[0-9Xx](?![0-9])"
)
_MASKED = re.compile(r"(?<![0-9*])[1-9][0-9]{0,6}[*×]{6,16}[0-9]{0,4}[0-9Xx*](?![0-9*])")
POSITIVE = words_pattern(["身份证", "证件", "公民身份", "ID", "身份号", "证号"])
NEGATIVE = words_pattern(["订单", "单号", "流水", "交易", "卡号", "账号"])


class IdCardRecognizer(Recognizer):
    """Finds resident ID numbers; masked ones (3301**********123X) are flagged."""

    entity_type = "ID_CARD"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield valid resident IDs (in lenient mode, a valid birth date is enough)."""
        if not view.has_digit:
            return
        text = view.folded
        for match in _ID.finditer(text) if view.longest_number >= 17 else ():
            raw = match.group().replace(" ", "")
            if normalize_resident_id(raw) is not None:
                score = 0.99
            elif self.lenient and _plausible(raw):
                score = 0.7
            else:
                continue
            if context_verdict(view, match.start(), POSITIVE, NEGATIVE, 10) < 0 and score < 0.9:
                continue
            yield self.span(match.start(), match.end(), score)
        for match in _MASKED.finditer(text) if view.has_mask else ():
            if len(match.group()) == 18:
                yield self.span(match.start(), match.end(), 0.9, masked=True)


def _plausible(raw: str) -> bool:
    """Return whether an ID has a real birth date, whatever its check digit says."""
    try:
        born = date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        return False
    return born.year >= 1900 and born <= date.today()
