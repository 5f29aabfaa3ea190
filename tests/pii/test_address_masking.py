"""Address masks keep the divisions and the road whole and hide what locates the door."""

from __future__ import annotations

import re

import pytest

from parcelguard.pii.masking import MASK, address_head, mask_address

# (region prefix, detail, expected mask) over several provinces and address shapes.
CASES = [
    # 街道 / 镇 / 乡 / 村 stay whole, the road number goes.
    ("浙江省杭州市余杭区", "五常街道文一西路969号", "浙江省杭州市余杭区五常街道文一西路***"),
    ("浙江省杭州市萧山区", "楼塔镇楼家村18号", "浙江省杭州市萧山区楼塔镇楼家村***"),
    (
        "四川省凉山彝族自治州",
        "昭觉县解放乡火普村3组12号",
        "四川省凉山彝族自治州昭觉县解放乡火普村***",
    ),
    ("河南省周口市", "郸城县汲冢镇李楼村委会东50米", "河南省周口市郸城县汲冢镇李楼村委会***"),
    ("内蒙古自治区", "呼和浩特市赛罕区大学西街235号", "内蒙古自治区呼和浩特市赛罕区大学西街***"),
    (
        "内蒙古自治区锡林郭勒盟",
        "阿巴嘎旗别力古台镇巴彦图嘎嘎查5号",
        "内蒙古自治区锡林郭勒盟阿巴嘎旗别力古台镇巴彦图嘎嘎查***",
    ),
    (
        "湖北省武汉市洪山区",
        "关山街道光谷社区居委会旁8号",
        "湖北省武汉市洪山区关山街道光谷社区居委会***",
    ),
    ("江苏省苏州市", "工业园区星湖街328号15栋2102", "江苏省苏州市工业园区星湖街***"),
    (
        "广东省深圳市",
        "南山区高新技术产业开发区科苑路15号",
        "广东省深圳市南山区高新技术产业开发区科苑路***",
    ),
    # 号楼 / 单元 / 室 / 幢 / 弄 / 座 / 层 patterns after the road.
    ("浙江省杭州市西湖区", "文三路100号3幢2单元501室", "浙江省杭州市西湖区文三路***"),
    ("上海市浦东新区", "张杨路88弄6号1202", "上海市浦东新区张杨路***"),
    ("北京市海淀区", "中关村大街27号中关村大厦1101", "北京市海淀区中关村大街***"),
    ("北京市朝阳区", "建国路甲88号SOHO现代城A座2305", "北京市朝阳区建国路***"),
    ("广东省广州市", "天河区珠江新城华夏路10号富力中心28楼", "广东省广州市天河区珠江新城华夏路***"),
    ("天津市和平区", "南京道二十号三号楼二单元四〇一", "天津市和平区南京道***"),
    ("重庆市渝中区", "解放碑民族路188号环球金融中心46层", "重庆市渝中区解放碑民族路***"),
    ("陕西省西安市雁塔区", "科技路阳光花园小区三号楼二单元501", "陕西省西安市雁塔区科技路***"),
    # No division or road word: nothing of the detail survives.
    ("浙江省杭州市西湖区", "华星时代广场A座1502室", "浙江省杭州市西湖区***"),
    ("山东省青岛市市南区", "幸福小区3栋2单元", "山东省青岛市市南区***"),
    ("", "香格里拉大酒店1208房", "***"),
    ("福建省厦门市思明区", "", "福建省厦门市思明区***"),
    # Ordinary nouns ending in a division character are not divisions.
    ("湖南省长沙市岳麓区", "麓谷小区8栋", "湖南省长沙市岳麓区***"),
    ("浙江省宁波市", "中山路华联超市旁3号", "浙江省宁波市中山路***"),
    # The whole address in one string (no region prefix) reads the same.
    ("", "浙江省杭州市西湖区文三路478号华星时代广场A座1502室", "浙江省杭州市西湖区文三路***"),
]


@pytest.mark.parametrize(("region", "detail", "expected"), CASES)
def test_address_mask_keeps_divisions_and_road_and_hides_the_door(
    region: str, detail: str, expected: str
) -> None:
    assert mask_address(region, detail) == expected


@pytest.mark.parametrize(("region", "detail", "expected"), CASES)
def test_no_digit_or_door_word_of_the_house_or_room_survives(
    region: str, detail: str, expected: str
) -> None:
    masked = mask_address(region, detail)
    tail = detail[len(address_head(detail)) :]
    assert not re.search(r"[0-9０-９A-Za-z]", masked)
    assert not re.search(r"[号栋幢座层室户]|单元|小区|大厦", masked)
    assert masked.endswith(MASK * 3) and (not tail or tail not in masked)


@pytest.mark.parametrize(
    "word", ["五常街道", "某某镇", "红星乡", "火普村", "光谷社区", "经济技术开发区"]
)
def test_a_division_word_alone_stays_whole(word: str) -> None:
    assert mask_address("", f"{word}12号") == f"{word}***"


def test_chinese_numeral_house_numbers_are_hidden_like_digits() -> None:
    assert mask_address("", "人民路一百二十号三单元") == "人民路***"
