"""NameRecognizer: cues, list fields, names before numbers, running text, two-character
surnames, transliterated names; forms of address and everyday words are no names."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans

from parcelguard.pii.analyzer import Analyzer

POSITIVES = [
    ("收件人：王小明 13812345678", "王小明"),
    ("收件人王小明13812345678", "王小明"),
    ("寄件人:李娜，电话138", "李娜"),
    ("姓名：欧阳娜娜\n性别：女", "欧阳娜娜"),
    ("我叫司马光明，今年三十", "司马光明"),
    ("联系人 陈思思 广东省深圳市", "陈思思"),
    ("收货人是赵小红", "赵小红"),
    ("王强,13912345678,北京市朝阳区建国路88号", "王强"),
    ("张伟\t13912345678\t上海", "张伟"),
    ("联系李明13812345678", "李明"),
    ("昨天张伟来拿快递了", "张伟"),
    ("麻烦通知一下黄晓明，他的快递到了", "黄晓明"),
    ("签收人：买买提·艾力。", "买买提·艾力"),
    ("顺便帮古丽娜扎·吐尔逊也拿了", "古丽娜扎·吐尔逊"),
    ("古丽娜扎·阿不都,147 9337 9863", "古丽娜扎·阿不都"),
    ("麻烦备注一下：郑鸿琪收，13359275833", "郑鸿琪"),
    ("@周海艳 你的快递到了", "周海艳"),
    ("韵达\n收方升175-2422-5634\n山西省", "方升"),
    ("收谢海坤 189-6405-6384", "谢海坤"),
    ("收阿依古丽吐尔逊17800039388", "阿依古丽吐尔逊"),
    ("寄件人：买买提艾力+8613850827688", "买买提艾力"),
    ("收件人：ＡＢＣ王芳１３８１２３４５６７８", "王芳"),
]
NEGATIVES = [
    "好的谢谢王先生，取件码12-3-4567",
    "李女士您好，您的包裹已到",
    "马上就到了，别急",
    "我们高兴地张开双臂",
    "黄金价格上涨，金额1380元",
    "周末有空吗？方便的话",
    "联系方式：见群公告",
    "菜鸟驿站(文三路店)",
    "快递员张师傅、李师傅今天休息",
    "从杭州发往广州",
    "江南皮革厂倒闭了",
    "向日葵的种子发货了吗",
]


@pytest.mark.parametrize(("text", "name"), POSITIVES)
def test_finds_names(analyzer: Analyzer, text: str, name: str) -> None:
    start = text.index(name)
    assert (start, start + len(name), name) in spans(analyzer, text, "NAME")


@pytest.mark.parametrize("text", NEGATIVES)
def test_forms_of_address_and_words_are_no_names(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "NAME") == []


@pytest.mark.parametrize(
    ("text", "value"), [("收件人：张*", "张*"), ("欧阳** 收", "欧阳**"), ("王某某报案", "王某某")]
)
def test_masked_names(analyzer: Analyzer, text: str, value: str) -> None:
    assert spans(analyzer, text, "NAME") == []
    assert value in masked(analyzer, text, "NAME")


def test_name_stops_before_a_province(analyzer: Analyzer) -> None:
    text = "收件人李娜浙江省杭州市西湖区文三路478号"
    assert spans(analyzer, text, "NAME") == [(3, 5, "李娜")]
