"""`BankCardRecognizer`: card numbers with a UnionPay or other major-scheme prefix and Luhn."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.entity import Span
from parcelguard.pii.normalize import luhn_ok
from parcelguard.pii.recognizers.recognizer import Recognizer, context_verdict, words, words_pattern
from parcelguard.pii.text_view import TextView

_CARD = re.compile(r"(?<![0-9A-Za-z])[2-9][0-9]{3}(?:[ \-]?[0-9]){11,15}(?![0-9])")
_MASKED = re.compile(r"(?<![0-9*])[2-9][0-9]{3}[ \-]?(?:[*×]{4}[ \-]?){2,3}[0-9]{1,4}(?![0-9*])")
POSITIVE = words_pattern(
    words(
        """
    卡号 银行卡 储蓄卡 信用卡 借记卡 账号 帐号 账户 帐户 开户 银行 转账 汇款 收款 打款 退款
    card Card 卡"""
    )
)
NEGATIVE = words_pattern(
    words(
        """
    订单 单号 编号 流水 交易号 运单 快递 物流 批次 序列号 条码 SN 发票 取件码 工单 order Order
    回执 No. 编码"""
    )
)


def scheme_ok(digits: str) -> bool:
    """Return whether a number has the length and prefix of UnionPay, Visa, Mastercard & co."""
    n = len(digits)
    if digits[:2] in ("34", "37"):
        return n == 15
    if n < 16 or n > 19:
        return False
    if digits.startswith(("62", "60", "81", "9558", "9559")):
        return True  # UnionPay and the domestic debit ranges: 16 to 19 digits
    if digits[0] == "4":
        return n in (16, 19)  # 19: the Visa-branded debit cards of Chinese banks
    head = int(digits[:4])
    return n == 16 and (5100 <= head <= 5599 or 2221 <= head <= 2720 or head // 100 in (35, 65))


def _usual_length(digits: str) -> bool:
    """Return whether the length is the scheme's usual one (a 19-digit co-branded Visa is rarer)."""
    return digits.startswith(("62", "60", "81", "9558", "9559", "34", "37")) or len(digits) == 16


class BankCardRecognizer(Recognizer):
    """Finds bank card numbers, grouped (6222 0212 …) or not; masked ones are flagged."""

    entity_type = "BANK_CARD"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield card numbers that pass the scheme prefix and Luhn checks."""
        if not view.has_digit:
            return
        text = view.folded
        for match in _CARD.finditer(text) if view.longest_number >= 15 else ():
            digits = re.sub(r"[ \-]", "", match.group())
            if not scheme_ok(digits):
                continue
            verdict = context_verdict(view, match.start(), POSITIVE, NEGATIVE, 12)
            if not luhn_ok(digits) and not (self.lenient and verdict > 0):
                continue
            if verdict < 0:
                continue
            score = 0.95 if verdict > 0 else 0.8 if _usual_length(digits) else 0.6
            yield self.span(match.start(), match.end(), score)
        for match in _MASKED.finditer(text) if view.has_mask else ():
            yield self.span(match.start(), match.end(), 0.9, masked=True)
