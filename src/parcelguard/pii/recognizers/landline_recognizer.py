"""`LandlineRecognizer`: fixed-line numbers with an area code (010, 02X, 0XXX) and extensions."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.entity import Span
from parcelguard.pii.normalize import normalize_phone
from parcelguard.pii.recognizers.recognizer import Recognizer, context_verdict, words, words_pattern
from parcelguard.pii.text_view import TextView

_SEP = r"[ \-]?"
_LANDLINE = re.compile(
    r"(?<![0-9])"
    r"(?P<country>(?:\+|00)86[ \-]?(?:\(0?\)|0)?)?"
    r"(?P<area>\(0?[1-9][0-9]{1,2}\)|0?[1-9][0-9]{1,2})"
    r"(?P<sep>[ \-]?)"
    r"(?P<local>[2-9][0-9]{2,3}[ \-]?[0-9]{3,4})"
    r"(?P<ext>(?:转|-|分机|ext\.?|EXT\.?|x)[0-9]{1,5})?"
    r"(?![0-9])"
)
_MASKED = re.compile(
    r"(?<![0-9*])\(?0[1-9][0-9]{1,2}\)?[ \-]?[0-9]{0,4}[*×]{3,8}[0-9]{0,4}(?![0-9*])"
)
POSITIVE = words_pattern(
    words(
        """
    电话 座机 固话 联系 致电 拨打 来电 号码 tel Tel TEL phone Phone 办公 总机 传真 fax Fax
    ☎ 📞"""
    )
)
NEGATIVE = words_pattern(
    words(
        """
    订单 单号 编号 流水 交易 取件码 验证码 工号 账号 卡号 批次 货号 邮编 邮政编码 金额 ¥ ￥
    价格"""
    )
)


class LandlineRecognizer(Recognizer):
    """Finds landlines: `0571-88886666`, `(021)6233 1234`, `+86 10 6275 1234转8012`."""

    entity_type = "LANDLINE"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield landline numbers, and masked ones (0571-******66) flagged."""
        if not view.has_digit:
            return
        text = view.folded
        # A landline shows its area code with the trunk 0, or follows +86 / 0086.
        scan = view.longest_number >= 9 and ("0" in text or "+" in text)
        for match in _LANDLINE.finditer(text) if scan else ():
            span = self._judge(view, match)
            if span is not None:
                yield span
        for match in _MASKED.finditer(text) if view.has_mask else ():
            yield self.span(match.start(), match.end(), 0.9, masked=True)

    def _judge(self, view: TextView, match: re.Match[str]) -> Span | None:
        area = match.group("area").strip("()")
        if not area.startswith("0") and match.group("country") is None:
            return None  # without +86 the trunk zero is how a landline shows its area code
        digits = area + match.group("local").replace(" ", "").replace("-", "")
        phone = normalize_phone(("+86" if match.group("country") else "") + digits)
        if phone is None or phone.kind != "landline":
            return None
        verdict = context_verdict(view, match.start(), POSITIVE, NEGATIVE, 10)
        if verdict < 0:
            return None
        separated = bool(match.group("sep")) or match.group("area").startswith("(")
        if not separated and match.group("country") is None and verdict == 0:
            return None  # 12 bare digits starting with 0 are as often a code as a landline
        end = match.end() if match.group("ext") else match.end("local")
        return self.span(match.start(), end, 0.95 if verdict > 0 else 0.85)
