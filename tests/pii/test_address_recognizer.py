"""AddressRecognizer: national divisions and the detail grammar (路 街 号 栋 单元 室 村 组)."""

from __future__ import annotations

import pytest
from tests.pii.helpers import masked, spans

from parcelguard.pii.analyzer import Analyzer

POSITIVES = [
    (
        "寄到浙江省杭州市西湖区文三路478号华星时代广场A座1502室，谢谢",
        "浙江省杭州市西湖区文三路478号华星时代广场A座1502室",
    ),
    ("北京市朝阳区建国路88号SOHO现代城5号楼1203", "北京市朝阳区建国路88号SOHO现代城5号楼1203"),
    ("地址：广东 深圳 南山区 科技园南路18号", "广东 深圳 南山区 科技园南路18号"),
    ("河南省周口市郸城县宁平镇李楼村3组，电话", "河南省周口市郸城县宁平镇李楼村3组"),
    ("我住在文三路478号，麻烦放门口", "文三路478号"),
    ("阳光花园3栋2单元501室", "阳光花园3栋2单元501室"),
    ("杭州西湖区教工路18号世贸丽晶城欧美中心", "杭州西湖区教工路18号世贸丽晶城欧美中心"),
    ("上海市浦东新区淮海中路100弄5号302室", "上海市浦东新区淮海中路100弄5号302室"),
    ("寄到府前路与和平路交叉口东北角国贸中心", "府前路与和平路交叉口东北角国贸中心"),
    (
        "收件：新疆维吾尔自治区乌鲁木齐市天山区\n八一街711号幸福里C座2002",
        "新疆维吾尔自治区乌鲁木齐市天山区\n八一街711号幸福里C座2002",
    ),
]
NEGATIVES = [
    "我下周去杭州玩",
    "从浙江省杭州市发出",
    "菜鸟驿站(文三路店)今天到件",
    "第3单元的住户请注意停水",
    "取件码12-3-4567",
    "北京路和南京路都堵车",
]


@pytest.mark.parametrize(("text", "address"), POSITIVES)
def test_finds_addresses(analyzer: Analyzer, text: str, address: str) -> None:
    start = text.index(address)
    assert spans(analyzer, text, "ADDRESS") == [(start, start + len(address), address)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_divisions_alone_and_shops_are_no_addresses(analyzer: Analyzer, text: str) -> None:
    assert spans(analyzer, text, "ADDRESS") == []


def test_masked_address(analyzer: Analyzer) -> None:
    text = "收件地址：浙江省杭州市西湖区文三路***"
    assert spans(analyzer, text, "ADDRESS") == []
    assert masked(analyzer, text, "ADDRESS") == ["浙江省杭州市西湖区文三路***"]
