"""`PhoneRecognizer`: mainland mobiles, with +86 / 0086, spaces, dashes, full-width digits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.entity import Span
from parcelguard.pii.normalize import normalize_phone
from parcelguard.pii.recognizers.recognizer import Recognizer, context_verdict, words, words_pattern
from parcelguard.pii.text_view import TextView

# Digit lookarounds instead of \b: \b sees no boundary between 电话 and 138.
_PREFIX = r"(?:(?:\+|00)86[ \-]?|\(\+?86\)[ \-]?|86[ \-]?)?"
_PHONE = re.compile(
    rf"(?<![0-9.]){_PREFIX}(?:"
    r"1[3-9][0-9](?:[ \-]?[0-9]){8}"  # 13812345678, 138 1234 5678, 138-1234-5678
    r"|1[3-9][0-9](?:\.[0-9]{4}){2}"  # 138.1234.5678
    r"|1[3-9][0-9](?: - [0-9]{4}){2}"  # 138 - 1234 - 5678
    r"|\(1[3-9][0-9]\) ?[0-9]{4}[ \-]?[0-9]{4}"  # (138)1234-5678
    r")(?![0-9]|\.[0-9])"
)
_MASK_CHARS = "*xX×●"
_MASKED = re.compile(r"(?<![0-9*×●])(?:(?:\+|00)86[ \-]?)?1(?:[ \-]?[0-9*xX×●]){10}(?![0-9*×●])")
POSITIVE = words_pattern(
    words(
        """
    手机 电话 联系 致电 拨打 来电 号码 热线 tel Tel TEL phone Phone mobile Mobile 📞 ☎ 打给
    手机号 联系方式 收件人 寄件人 收货人"""
    )
)
NEGATIVE = words_pattern(
    words(
        """
    订单 单号 编号 流水 交易 取件码 验证码 工号 QQ号 qq号 QQ群 账号 卡号 批次 货号 条码 序列号
    券码 快递单 运单 物流单 会员号 用户ID order Order"""
    )
)


class PhoneRecognizer(Recognizer):
    """Finds mobile numbers (11 digits, 1[3-9]…), and flags masked ones like 138****5678."""

    entity_type = "PHONE"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield mobile numbers and masked mobile numbers."""
        if not view.has_digit:
            return
        text = view.folded
        for match in _PHONE.finditer(text) if view.longest_number >= 11 else ():
            phone = normalize_phone(match.group())
            if phone is None or phone.kind != "mobile":
                continue
            verdict = context_verdict(view, match.start(), POSITIVE, NEGATIVE, 10)
            if verdict < 0:
                continue
            yield self.span(match.start(), match.end(), 0.95 if verdict > 0 else 0.85)
        masks = view.has_mask or "x" in text or "X" in text
        for match in _MASKED.finditer(text) if masks else ():
            if any(ch in _MASK_CHARS for ch in match.group()[-10:]):
                yield self.span(match.start(), match.end(), 0.9, masked=True)
