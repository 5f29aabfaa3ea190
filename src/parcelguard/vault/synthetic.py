"""Synthetic people and parcels for tests, benchmarks and the demo.

Names follow the common-surname distribution, phones use real mobile prefixes, resident IDs
carry real division codes, birth dates and check digits, and addresses are built from the
national division codes shipped with `cpca`, so every generated row passes import.
"""

from __future__ import annotations

import csv
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from parcelguard.pii.normalize import id_check_digit

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND = ("欧阳", "司马", "诸葛", "上官", "慕容", "东方", "皇甫", "令狐")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强晓明海燕雪梅子涵浩然欣怡梓萱宇轩"
    "思远佳怡俊杰婷婷文博雨桐一诺嘉怡志伟丹丹慧敏鹏飞晨曦天宇欣然可馨晓东立新春梅红霞玉兰德华建军"
)
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "172",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "193",
    "195",
    "198",
    "199",
]
ROADS = [
    "人民",
    "解放",
    "中山",
    "建设",
    "文化",
    "和平",
    "新华",
    "胜利",
    "幸福",
    "光明",
    "青年",
    "友谊",
    "长江",
    "黄河",
    "文三",
    "学院",
    "滨江",
    "春晖",
    "金沙",
    "望江",
]
ROAD_SUFFIX = ("路", "街", "大道", "巷")
COMPOUNDS = [
    "阳光花园",
    "翠苑小区",
    "锦绣家园",
    "金色家园",
    "万科城",
    "碧桂园",
    "东方明珠苑",
    "景和园",
    "幸福里",
    "和平新村",
]
PSEUDO_CITIES = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
CARRIERS = (
    "顺丰速运",
    "中通快递",
    "圆通速递",
    "韵达快递",
    "申通快递",
    "京东物流",
    "EMS",
    "极兔速递",
)


@dataclass(frozen=True)
class Division:
    """A district-level division with its full name chain."""

    adcode: str
    province: str
    city: str
    district: str


@lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    """Return every district-level division from the national codes shipped with cpca."""
    import cpca

    path = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
    with open(path, encoding="utf-8") as fh:
        names = {row["adcode"]: row["name"] for row in csv.DictReader(fh)}
    found = []
    for code, name in names.items():
        if code.endswith("000000") and not code.endswith("00000000"):
            province = names.get(code[:2] + "0" * 10)
            city = names.get(code[:4] + "0" * 8, province)
            if city in PSEUDO_CITIES:
                city = province  # municipalities and province-administered counties
            if province and city and name not in PSEUDO_CITIES:
                found.append(Division(code[:6], province, city, name))
    return tuple(sorted(found, key=lambda d: d.adcode))


class Faker:
    """A seeded generator of realistic, valid, entirely fictional people and parcels."""

    def __init__(self, seed: int = 0) -> None:
        self.random = random.Random(seed)  # noqa: S311 - fiction, not secrets

    def name(self) -> str:
        """Return a plausible Chinese name (1 in 40 with a two-character surname)."""
        r = self.random
        surname = r.choice(COMPOUND) if r.random() < 0.025 else r.choice(SURNAMES)
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")
        return surname + given

    def mobile(self) -> str:
        """Return a valid mainland mobile number."""
        return self.random.choice(MOBILE_PREFIXES) + f"{self.random.randrange(10**8):08d}"

    def division(self) -> Division:
        """Return a random real district."""
        return self.random.choice(divisions())

    def address(self, division: Division | None = None) -> str:
        """Return a full address in a real district, down to the room."""
        d = division or self.division()
        r = self.random
        city = "" if d.city == d.province else d.city
        road = r.choice(ROADS) + r.choice(ROAD_SUFFIX)
        return (
            f"{d.province}{city}{d.district}{road}{r.randrange(1, 999)}号"
            f"{r.choice(COMPOUNDS)}{r.randrange(1, 30)}栋{r.randrange(1, 6)}单元"
            f"{r.randrange(1, 33)}{r.randrange(1, 5):02d}室"
        )

    def resident_id(self, born: date | None = None) -> str:
        """Return a valid 18-digit resident ID number."""
        r = self.random
        birth = born or date(1950, 1, 1) + timedelta(days=r.randrange(0, 365 * 55))
        body = f"{self.division().adcode}{birth:%Y%m%d}{r.randrange(1000):03d}"
        return body + id_check_digit(body)

    def shipment_row(
        self, waybill_no: str | None = None, *, with_id: bool = False
    ) -> dict[str, str]:
        """Return one import row with the contract's English field names."""
        row = {
            "waybill_no": waybill_no or f"SF{self.random.randrange(10**12):012d}",
            "carrier": self.random.choice(CARRIERS),
            "sender_name": self.name(),
            "sender_phone": self.mobile(),
            "sender_address": self.address(),
            "recipient_name": self.name(),
            "recipient_phone": self.mobile(),
            "recipient_address": self.address(),
        }
        if with_id:
            row["sender_id_no"] = self.resident_id()
        return row

    def rows(
        self, count: int, *, start: datetime | None = None, prefix: str = "PGT"
    ) -> Iterator[dict[str, str]]:
        """Yield `count` rows with waybill numbers unique under `prefix`."""
        for i in range(count):
            row = self.shipment_row(f"{prefix}{i:010d}", with_id=i % 5 == 0)
            if start is not None:
                row["created_at"] = (start + timedelta(minutes=i)).isoformat()
            yield row
