"""Split address columns joined once each; combined 收货信息 cells split at the phone."""

from __future__ import annotations

import pytest

from parcelguard.vault.assemble import join_address, parse_combined
from parcelguard.vault.sources import clean_header, recognise

JOINED = [
    (("浙江省", "杭州市", "西湖区", "", "文三路1号"), "浙江省杭州市西湖区文三路1号"),
    (
        ("浙江省", "杭州市", "西湖区", "", "浙江省杭州市西湖区文三路1号"),
        "浙江省杭州市西湖区文三路1号",
    ),
    (("浙江省", "杭州市", "西湖区", "", "西湖区文三路1号"), "浙江省杭州市西湖区文三路1号"),
    (("浙江省", "杭州市", "西湖区", "", "杭州西湖区文三路1号"), "浙江省杭州市西湖区文三路1号"),
    (("浙江省", "杭州市", "西湖区", "", "西湖路1号"), "浙江省杭州市西湖区西湖路1号"),  # a road
    (("山东省", "青岛市", "市南区", "", "杭州路8号"), "山东省青岛市市南区杭州路8号"),
    (("北京市", "北京市", "朝阳区", "", "建国路88号"), "北京市朝阳区建国路88号"),
    (
        ("云南省", "楚雄彝族自治州", "楚雄市", "", "友谊路1号"),
        "云南省楚雄彝族自治州楚雄市友谊路1号",
    ),
    (
        ("浙江省", "杭州市", "西湖区", "文新街道", "文三路1号"),
        "浙江省杭州市西湖区文新街道文三路1号",
    ),
    (("江苏省 ", " 扬州市", "广陵区", "", "文昌路 2 号"), "江苏省扬州市广陵区文昌路2号"),
]
COMBINED = [
    (
        "张三，13800138000，浙江省杭州市西湖区文三路1号",
        ("张三", "13800138000", "浙江省杭州市西湖区文三路1号"),
    ),
    (
        "周强，86-13900000004，江苏省 扬州市 广陵区 示例路2号",
        ("周强", "86-13900000004", "江苏省扬州市广陵区示例路2号"),
    ),
    (
        "浙江省杭州市西湖区文三路1号 张三 13800138000-1234",
        ("张三", "13800138000-1234", "浙江省杭州市西湖区文三路1号"),
    ),
    (
        "收货人: 欧阳娜娜 手机: 13800138000 地址: 上海市浦东新区世纪大道100号",
        ("欧阳娜娜", "13800138000", "上海市浦东新区世纪大道100号"),
    ),
    (
        "李四 0571-88886666转12 浙江省杭州市上城区解放路9号",
        ("李四", "0571-88886666转12", "浙江省杭州市上城区解放路9号"),
    ),
]


@pytest.mark.parametrize(("parts", "full"), JOINED)
def test_split_parts_join_once(parts: tuple[str, ...], full: str) -> None:
    assert join_address(*parts) == full


@pytest.mark.parametrize(("cell", "expected"), COMBINED)
def test_combined_cell_splits_at_the_phone(cell: str, expected: tuple[str, str, str]) -> None:
    parts = parse_combined(cell)
    assert parts is not None and (parts.name, parts.phone, parts.address) == expected


def test_a_cell_without_a_phone_is_not_combined() -> None:
    assert parse_combined("张三，浙江省杭州市西湖区文三路1号") is None


@pytest.mark.parametrize(
    ("written", "cleaned"),
    [
        ("  收货人姓名 ", "收货人姓名"),
        ("收货人姓名：", "收货人姓名"),
        ("'运单号", "运单号"),
        ("*收件人手机", "收件人手机"),
        ("买家姓名（必填）", "买家姓名"),
        ("收件（省）", "收件(省)"),
        ("\ufeffWaybill_No", "waybill_no"),
        ("收 货 地 址", "收货地址"),
    ],
)
def test_header_cells_are_compared_cleaned(written: str, cleaned: str) -> None:
    assert clean_header(written) == cleaned


def test_an_order_number_is_never_taken_for_a_waybill() -> None:
    plan = recognise(["订单号", "收件人", "收件人电话", "收件地址"])
    assert not plan.has("waybill_no")
