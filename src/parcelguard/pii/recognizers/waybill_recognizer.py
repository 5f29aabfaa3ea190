"""`WaybillRecognizer`: waybill numbers of the major carriers (SF, JD, YTO, ZTO, STO, Yunda …)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parcelguard.pii.entity import Span
from parcelguard.pii.recognizers.recognizer import Recognizer, context_verdict, words, words_pattern
from parcelguard.pii.text_view import TextView

# Carriers whose numbers carry a letter prefix are recognised alone; all-digit numbers (ZTO,
# STO, Yunda, EMS, Best …) look like any other code, so they need a carrier or waybill cue.
_PREFIXED = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"SF[0-9]{12,13}"  # SF Express
    r"|JD[A-Z]{0,2}[0-9]{11,13}"  # JD Logistics
    r"|YT[0-9]{13}"  # YTO Express
    r"|JT[0-9]{13}"  # J&T Express
    r"|DPK[0-9]{10,12}"  # Deppon
    r"|ZTO[0-9]{12}"  # ZTO international form
    r"|[A-Z]{2}[0-9]{9}CN"  # China Post / EMS international (UPU S10)
    r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_LETTER = re.compile("[A-Za-z]")  # a cheap scan first: most texts have no prefixed number
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_NUMERIC = re.compile(r"(?<![A-Za-z0-9])[0-9]{10,15}(?![0-9])")
POSITIVE = re.compile(
    words_pattern(
        words(
            """
    运单 快递单 物流单 面单 快递号 追踪号 中通 圆通 申通 韵达 百世 极兔 邮政 EMS ems 德邦
        京东 顺丰 天天快递 宅急送 丰网 track Track 单号"""
        )
    ).pattern.replace("单号", "(?<![订工账帐])单号")
)
NEGATIVE = words_pattern(
    words(
        """
    订单 工单 交易 流水 账号 帐号 卡号 手机 电话 验证码 取件码 会员 金额 ¥ ￥ 发票 税号
    身份证"""
    )
)


class WaybillRecognizer(Recognizer):
    """Finds carrier waybill numbers: prefixed forms anywhere, numeric forms after a cue."""

    entity_type = "WAYBILL_NO"

    def find(self, view: TextView) -> Iterator[Span]:
        """Yield waybill numbers."""
        if view.longest_number < 9:
            return
        text = view.folded
        for match in _PREFIXED.finditer(text) if _LETTER.search(text) else ():
            if match.group()[:2].isupper() or match.group()[:2].islower():
                yield self.span(match.start(), match.end(), 0.9)
        for match in _NUMERIC.finditer(text):
            if _MOBILE.fullmatch(match.group()):
                continue  # eleven digits from 13… to 19… are a phone, whatever precedes them
            if context_verdict(view, match.start(), POSITIVE, NEGATIVE, 16) > 0:
                yield self.span(match.start(), match.end(), 0.8)
