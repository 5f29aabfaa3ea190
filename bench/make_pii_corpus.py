"""Build the labelled PII corpus: bench/data/pii_corpus.jsonl (deterministic, seeded).

Each line is {"id", "category", "text", "spans": [{"type", "start", "end"}]} with Python string
offsets into `text`. Texts come from varied templates per category (courier SMS, chats,
complaints, forms, leaked-list rows, OCR output of labels, mixed English, and negatives:
order numbers, amounts, timestamps, pickup codes, hotlines, masked values, forms of address).
The values are synthetic but valid (real division codes, ID check digits, card Luhn digits).

The generator does not import the recognizers: its formats are written from how people and
systems write these values, not from the patterns that find them.

    python bench/make_pii_corpus.py [--seed 20241120] [--per-category 150]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE / "data" / "pii_corpus.jsonl"

COMMON = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪"
RARE = "亓笪禤鄂逯沐訾糜冼"
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方", "慕容", "令狐", "皇甫", "尉迟", "公孙"]
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国文斌辉鹏飞宇浩轩梓涵睿博思雨佳嘉俊志"
    "海云春秋冬雪梅兰玉金宝成德福荣安康乐顺利晓小子一可欣怡婷倩颖琳瑶璐蕾晨阳光亮新红燕萍"
    "玲凤莉秀兵波峰林鑫鸿坤凯毅昊然铭泽晗萱诗琪雅楠薇宁彬琦翔旭东升"
)
MINORITY = ["买买提·艾力", "阿依古丽·吐尔逊", "热依拉·买买提", "艾尔肯·吾斯曼", "古丽娜扎·阿不都"]
MOBILE_HEADS = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "145",
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
    "171",
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
    "195",
    "198",
    "199",
]
AREAS = [
    "010",
    "020",
    "021",
    "022",
    "023",
    "024",
    "025",
    "027",
    "028",
    "029",
    "0311",
    "0351",
    "0371",
    "0431",
    "0451",
    "0471",
    "0512",
    "0513",
    "0531",
    "0532",
    "0551",
    "0571",
    "0574",
    "0577",
    "0591",
    "0592",
    "0731",
    "0755",
    "0757",
    "0769",
    "0771",
    "0851",
    "0871",
    "0898",
    "0931",
    "0951",
    "0971",
    "0991",
]
BINS = [
    "622202",
    "621226",
    "622848",
    "621700",
    "622588",
    "621483",
    "621661",
    "601382",
    "622262",
    "625965",
    "436742",
    "403391",
    "518710",
    "524047",
]
DOMAINS = [
    "qq.com",
    "163.com",
    "126.com",
    "gmail.com",
    "outlook.com",
    "sina.com",
    "foxmail.com",
    "yeah.net",
    "hotmail.com",
    "example.com.cn",
    "corp-mail.cn",
]
PINYIN = [
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "lin",
    "luo",
    "gao",
    "zheng",
    "liang",
    "xie",
    "song",
    "tang",
]
ROAD_HEADS = [
    "中山",
    "人民",
    "解放",
    "建设",
    "和平",
    "新华",
    "文三",
    "文一西",
    "天目山",
    "延安西",
    "长江",
    "黄河",
    "淮海中",
    "南京东",
    "北京",
    "深南",
    "科技",
    "学院",
    "工业",
    "创业",
    "迎宾",
    "滨江",
    "环城北",
    "东风",
    "青年",
    "胜利",
    "光明",
    "幸福",
    "团结",
    "友谊",
    "朝阳",
    "振兴",
    "金沙",
    "望江",
    "府前",
    "凤凰",
    "莫干山",
    "古墩",
    "丰潭",
    "教工",
    "翠柏",
    "星光",
    "沿江",
    "白沙",
    "高新南七",
    "华强北",
    "五一",
    "八一",
]
ROAD_TAILS = ["路", "路", "路", "街", "大道", "大街", "西路", "东路", "南路", "北路", "中路", "巷"]
PLACES = [
    "华星时代广场",
    "阳光花园",
    "金色家园",
    "碧桂园",
    "万科城",
    "绿城桂花园",
    "东方明珠小区",
    "幸福里",
    "和平新村",
    "丽景湾",
    "中海国际社区",
    "保利天悦",
    "翡翠城",
    "紫荆公寓",
    "世纪大厦",
    "国贸中心",
    "软件园",
    "星河湾",
    "龙湖天街",
    "融创府",
    "SOHO现代城",
    "锦绣花苑",
    "金桥大厦",
    "创意产业园",
]
CARRIERS = ["顺丰", "中通", "圆通", "申通", "韵达", "京东", "极兔", "邮政", "EMS", "德邦", "百世"]
STATIONS = ["菜鸟驿站", "妈妈驿站", "兔喜生活", "丰巢快递柜", "中通快递超市", "京东自提点"]
PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
HONORIFICS = ["先生", "女士", "师傅", "小姐", "老师", "阿姨", "总", "哥", "姐"]
FULL = str.maketrans("0123456789-+@", "０１２３４５６７８９－＋＠")


def _divisions() -> list[tuple[str, str, str]]:
    import cpca

    path = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
    with open(path, encoding="utf-8") as fh:
        names = {row["adcode"][:6]: row["name"] for row in csv.DictReader(fh)}
    out = []
    for code, name in names.items():
        if code.endswith("00") or code[:2] + "0000" not in names:
            continue
        province = names[code[:2] + "0000"]
        city = names.get(code[:4] + "00", "")
        if city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            city = ""
        if len(name) >= 3 and name not in ("市辖区", "省直辖县级行政区划"):
            out.append((province, city, name))
    return sorted(out)


DIVISIONS = _divisions()


class Values:
    """Synthetic, valid values in the many ways people write them."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def pick(self, seq):
        return self.r.choice(seq)

    def name(self) -> str:
        x = self.r.random()
        if x < 0.03:
            return self.pick(MINORITY)
        if x < 0.09:
            surname = self.pick(COMPOUND)
        elif x < 0.12:
            surname = self.pick(RARE)
        else:
            surname = self.pick(COMMON[:40]) if self.r.random() < 0.7 else self.pick(COMMON)
        size = 1 if self.r.random() < 0.3 else 2
        return surname + "".join(self.pick(GIVEN) for _ in range(size))

    def phone(self) -> str:
        d = self.pick(MOBILE_HEADS) + "".join(str(self.r.randrange(10)) for _ in range(8))
        style = self.r.random()
        if style < 0.45:
            return d
        if style < 0.57:
            return f"{d[:3]} {d[3:7]} {d[7:]}"
        if style < 0.65:
            return f"{d[:3]}-{d[3:7]}-{d[7:]}"
        if style < 0.70:
            return "+86" + d
        if style < 0.75:
            return f"+86 {d[:3]} {d[3:7]} {d[7:]}"
        if style < 0.78:
            return "0086-" + d
        if style < 0.86:
            return d.translate(FULL)
        if style < 0.90:
            return f"{d[:3]} {d[3:]}"
        if style < 0.94:
            return f"+86-{d[:3]}-{d[3:7]}-{d[7:]}"
        return f"{d[:3]}-{d[3:]}"

    def landline(self) -> str:
        area = self.pick(AREAS)
        n = 8 if len(area) == 3 or self.r.random() < 0.6 else 7
        local = str(self.r.randrange(2, 10)) + "".join(
            str(self.r.randrange(10)) for _ in range(n - 1)
        )
        style = self.r.random()
        ext = f"转{self.r.randrange(100, 9999)}" if self.r.random() < 0.1 else ""
        if style < 0.45:
            out = f"{area}-{local}"
        elif style < 0.6:
            out = f"({area}){local}"
        elif style < 0.7:
            out = f"{area} {local[:4]} {local[4:]}"
        elif style < 0.78:
            out = f"+86-{area[1:]}-{local}"
        elif style < 0.86:
            out = f"（{area}）{local}"
        elif style < 0.93:
            out = f"{area}-{local}".translate(FULL)
        else:
            out = f"{area}-{local[:4]}-{local[4:]}" if n == 8 else f"{area}-{local}"
        return out + ext

    def id_card(self) -> str:
        code = self._district_code()
        year = self.r.randrange(1950, 2007)
        month, day = self.r.randrange(1, 13), self.r.randrange(1, 29)
        first = f"{code}{year}{month:02d}{day:02d}{self.r.randrange(1000):03d}"
        full = first + check_digit(first)
        style = self.r.random()
        if full.endswith("X") and style < 0.3:
            return full[:-1] + "x"
        if style < 0.05:
            return f"{full[:6]} {full[6:14]} {full[14:]}"
        if style < 0.1:
            return full.translate(FULL)
        return full

    def _district_code(self) -> str:
        return self.pick(ID_AREAS)

    def bank_card(self) -> str:
        bin_ = self.pick(BINS)
        if bin_.startswith("6"):
            length = self.pick([16, 19, 19, 18])
        else:
            length = self.pick([16, 16, 16, 19]) if bin_ in ("436742", "403391") else 16
        body = bin_ + "".join(str(self.r.randrange(10)) for _ in range(length - 7))
        card = body + luhn_digit(body)
        style = self.r.random()
        if style < 0.55:
            return card
        if style < 0.85:
            return " ".join(card[i : i + 4] for i in range(0, len(card), 4))
        if style < 0.92:
            return "-".join(card[i : i + 4] for i in range(0, len(card), 4))
        return card.translate(FULL)

    def email(self) -> str:
        local = self.pick(
            [
                lambda: self.pick(PINYIN) + self.pick(PINYIN) + str(self.r.randrange(100)),
                lambda: str(self.r.randrange(10000000, 3999999999)),
                lambda: self.pick(PINYIN) + "." + self.pick(PINYIN),
                lambda: (
                    self.pick(PINYIN)[0]
                    + self.pick(PINYIN)
                    + "_"
                    + str(self.r.randrange(1980, 2005))
                ),
            ]
        )()
        out = f"{local}@{self.pick(DOMAINS)}"
        return out.translate(str.maketrans("@", "＠")) if self.r.random() < 0.05 else out

    def road(self) -> str:
        return self.pick(ROAD_HEADS) + self.pick(ROAD_TAILS)

    def detail(self) -> str:
        r = self.r
        if r.random() < 0.22:  # rural
            town = self.pick(GIVEN) + self.pick(GIVEN) + self.pick(["镇", "乡", "街道"])
            village = self.pick(COMMON) + self.pick("楼庄营岗湾坪寨家沟河桥") + "村"
            group = self.pick(
                [f"{r.randrange(1, 12)}组", f"{self.pick('一二三四五六七八九')}组", ""]
            )
            return town + village + group + (f"{r.randrange(1, 80)}号" if r.random() < 0.3 else "")
        parts = [self.road(), f"{r.randrange(1, 999)}号"]
        if r.random() < 0.7:
            parts.append(self.pick(PLACES))
        tail = r.random()
        if tail < 0.3:
            parts.append(
                f"{r.randrange(1, 30)}栋{r.randrange(1, 6)}单元{r.randrange(1, 33)}{r.randrange(1, 5):02d}室"
            )
        elif tail < 0.5:
            parts.append(f"{self.pick('ABCDE')}座{r.randrange(1, 33)}{r.randrange(1, 9):02d}")
        elif tail < 0.65:
            parts.append(f"{r.randrange(1, 20)}号楼{r.randrange(101, 2600)}室")
        elif tail < 0.75:
            parts.append(f"{r.randrange(1, 30)}-{r.randrange(1, 6)}-{r.randrange(101, 1800)}")
        return "".join(parts)

    def address(self, *, spaced: bool | None = None) -> str:
        province, city, district = self.pick(DIVISIONS)
        r = self.r.random()
        if r < 0.08:
            head: list[str] = []
        elif r < 0.3:
            head = [city or province, district]
        elif r < 0.4:
            head = [short(province), short(city) if city else "", district]
        else:
            head = [province, city, district]
        head = [h for h in head if h]
        detail = self.detail()
        if spaced or (spaced is None and self.r.random() < 0.12):
            return " ".join([*head, detail])
        return "".join(head) + detail

    def waybill(self) -> tuple[str, str]:
        r = self.r
        digits = lambda n: "".join(str(r.randrange(10)) for _ in range(n))  # noqa: E731
        kind = r.randrange(9)
        return [
            ("顺丰", "SF" + digits(13)),
            ("顺丰", "SF" + digits(12)),
            ("极兔", "JT" + digits(13)),
            ("圆通", "YT" + digits(13)),
            ("京东", "JDX" + digits(12)),
            ("德邦", "DPK" + digits(12)),
            ("中通", "7" + digits(13)),
            ("韵达", "43" + digits(11)),
            ("邮政", "11" + digits(11)),
        ][kind]

    def plate(self) -> str:
        head = self.pick(PROVINCE_CHARS) + self.pick(PLATE_LETTERS)
        if self.r.random() < 0.3:
            tail = (
                self.pick("DF")
                + self.pick(PLATE_LETTERS + "0123456789")
                + "".join(str(self.r.randrange(10)) for _ in range(4))
            )
        else:
            chars = [str(self.r.randrange(10)) for _ in range(5)]
            for i in self.r.sample(range(5), self.r.randrange(0, 2)):
                chars[i] = self.pick(PLATE_LETTERS)
            tail = "".join(chars)
        sep = self.pick(["", "", "·", " "])
        return head + sep + tail


def short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _id_areas() -> list[str]:
    import cpca

    path = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
    with open(path, encoding="utf-8") as fh:
        codes = [row["adcode"][:6] for row in csv.DictReader(fh)]
    return sorted(c for c in codes if not c.endswith("00") and c[0] in "123456")


ID_AREAS = _id_areas()


class Fillers(Values):
    """Everything that is not personal information but looks like it could be."""

    def digits(self, n: int) -> str:
        return "".join(str(self.r.randrange(10)) for _ in range(n))

    def order(self) -> str:
        r = self.r.random()
        if r < 0.3:
            return f"{self.r.randrange(2021, 2025)}{self.r.randrange(1, 13):02d}{self.r.randrange(1, 29):02d}{self.digits(11)}"
        if r < 0.55:
            return self.pick("1234") + self.digits(18)
        if r < 0.7:
            return f"{self.r.randrange(220101, 241231)}-{self.digits(15)}"
        if r < 0.85:
            return self.pick("46") + self.digits(15)
        return "E" + self.digits(17)

    def amount(self) -> str:
        v = self.r.randrange(1, 2000000) / 100
        return self.pick(
            [
                f"¥{v:.2f}",
                f"{v:.2f}元",
                f"￥{v:,.2f}",
                f"{int(v)}元",
                f"RMB {v:,.0f}",
                f"{self.digits(5)}元",
            ]
        )

    def time(self) -> str:
        y, m, d = self.r.randrange(2022, 2026), self.r.randrange(1, 13), self.r.randrange(1, 29)
        hh, mm, ss = self.r.randrange(24), self.r.randrange(60), self.r.randrange(60)
        return self.pick(
            [
                f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}",
                f"{y}/{m}/{d} {hh:02d}:{mm:02d}",
                f"{y}{m:02d}{d:02d}{hh:02d}{mm:02d}{ss:02d}",
                f"{m}月{d}日 {hh:02d}:{mm:02d}前",
                str(self.r.randrange(1600000000, 1760000000)),
                f"{y}年{m}月{d}日",
            ]
        )

    def pickup(self) -> str:
        r = self.r
        return self.pick(
            [
                f"{r.randrange(1, 30)}-{r.randrange(1, 9)}-{r.randrange(1000, 9999)}",
                f"{self.pick('ABCDEF')}{r.randrange(1, 30)}-{r.randrange(1000, 9999)}",
                f"{r.randrange(1, 9)}-{r.randrange(1, 9)}-{r.randrange(100, 999)}",
                self.digits(6),
                f"{r.randrange(10, 99)}-{r.randrange(1, 9)}-{r.randrange(1000, 9999)}".translate(
                    FULL
                ),
            ]
        )

    def vcode(self) -> str:
        return self.digits(self.pick([4, 6, 6]))

    def hotline(self) -> str:
        return self.pick(
            [
                "95338",
                "95311",
                "95546",
                "95554",
                "10086",
                "12305",
                "400-820-8820",
                "400 111 1111",
                "4008-111-111",
                "800-820-5100",
                "11183",
                "95543",
            ]
        )

    def postcode(self) -> str:
        return self.pick(["310012", "100020", "518057", "200120", "430074", "610041"])

    def qq(self) -> str:
        return str(self.r.randrange(10000000, 3999999999))

    def sku(self) -> str:
        return self.pick(
            [
                f"SKU{self.digits(10)}",
                f"{self.digits(12)}",
                f"A{self.digits(4)}-XL",
                f"MX-{self.digits(6)}",
            ]
        )

    def masked_phone(self) -> str:
        head = self.pick(MOBILE_HEADS)
        return self.pick(
            [
                f"{head}****{self.digits(4)}",
                f"{head}******{self.digits(2)}",
                f"尾号{self.digits(4)}",
                f"{head}xxxx{self.digits(4)}",
            ]
        )

    def masked_name(self) -> str:
        n = self.name().replace("·", "")
        keep = 2 if n[:2] in COMPOUND else 1
        return n[:keep] + "*" * (len(n) - keep)

    def masked_address(self) -> str:
        province, city, district = self.pick(DIVISIONS)
        return f"{province}{city}{district}{self.road()}***"

    def masked_id(self) -> str:
        return self.pick(ID_AREAS)[:4] + "*" * 10 + self.digits(3) + self.pick("0123456789X")

    def masked_card(self) -> str:
        return f"{self.pick(BINS)[:4]} **** **** {self.digits(4)}"

    def honorific(self) -> str:
        return self.pick(COMMON) + self.pick(HONORIFICS)

    def city(self) -> str:
        province, city, _ = self.pick(DIVISIONS)
        return short(city or province)

    def station(self) -> str:
        return f"{self.pick(STATIONS)}({self.road()}店)"

    def item(self) -> str:
        return self.pick(
            [
                "一件羽绒服",
                "两箱苹果",
                "手机壳",
                "一双运动鞋",
                "几本书",
                "奶粉",
                "一台电脑",
                "化妆品",
                "生鲜",
                "文件",
            ]
        )

    def date(self) -> str:
        return f"{self.r.randrange(2023, 2026)}年{self.r.randrange(1, 13)}月{self.r.randrange(1, 29)}日"

    def ip(self) -> str:
        return f"192.168.{self.r.randrange(256)}.{self.r.randrange(256)}"

    def weight(self) -> str:
        return self.pick(
            [
                f"{self.r.randrange(1, 300) / 10}kg",
                f"{self.r.randrange(1, 20)}件",
                f"{self.r.randrange(100, 999)}g",
            ]
        )

    def num(self) -> str:
        return str(self.r.randrange(2, 60))

    def digits12(self) -> str:
        return self.digits(12)

    def vcode4(self) -> str:
        return self.digits(4)

    def id17(self) -> str:
        return self.id_card().replace(" ", "")[:17]

    def bad_card(self) -> str:
        card = self.bank_card().replace(" ", "").replace("-", "")
        last = card[-1]
        return card[:-1] + str((int(last) + 1) % 10) if last.isdigit() else card

    def phone_dotted(self) -> str:
        d = self.pick(MOBILE_HEADS) + self.digits(8)
        return self.pick(
            [
                f"{d[:3]}.{d[3:7]}.{d[7:]}",
                f"({d[:3]}){d[3:7]}-{d[7:]}",
                f"{d[:3]} - {d[3:7]} - {d[7:]}",
            ]
        )

    def address_hard(self) -> str:
        province, city, district = self.pick(DIVISIONS)
        head = self.pick(
            [
                "",
                f"{province}{city}",
                f"{city or province}{district}",
                f"{province}{city}{district}",
            ]
        )
        r = self.r
        road, road2 = self.road(), self.road()
        return head + self.pick(
            [
                f"{road}与{road2}交叉口东北角{self.pick(PLACES)}",
                f"{self.pick(['浙江大学', '复旦大学', '四川大学', '中山大学'])}{self.pick(['紫金港', '邯郸', '江安', '南'])}校区{r.randrange(1, 30)}号宿舍楼{r.randrange(101, 699)}",
                f"{road}{r.randrange(1, 300)}号{self.pick(['华创', '新宇', '恒达'])}科技有限公司",
                f"{road}{r.randrange(1, 999)}弄{r.randrange(1, 99)}号{r.randrange(101, 1999)}室",
                f"{road} {r.randrange(1, 999)} 号 {self.pick(PLACES)}",
                f"{self.pick(PLACES)}{r.randrange(1, 30)}幢{r.randrange(1, 6)}单元{r.randrange(101, 2999)}",
                f"{road}{r.randrange(1, 99)}号院{r.randrange(1, 20)}号楼{r.randrange(1, 6)}单元{r.randrange(101, 2999)}",
                f"{self.pick(GIVEN)}{self.pick(GIVEN)}工业园区{r.randrange(1, 20)}号厂房{r.randrange(1, 6)}楼",
            ]
        )


TEMPLATES: dict[str, list[str]] = {
    "sms": [
        "【{carrier}】您的快递已到{station}，请凭取件码{pickup}领取，如有疑问请致电{LANDLINE}。",
        "【{carrier}快递】{NAME}您好，您的包裹{carrier}单号{WAYBILL_NO}正在派送，派件员{NAME}，电话{PHONE}。",
        "【丰巢】取件码{pickup}，您的{carrier}包裹已存入{station}，{time}前有效，超时收费。",
        "您好，我是{carrier}快递员{honorific}，您的件放在{station}了，电话{PHONE}，取件码{pickup}",
        "【{carrier}】运单{WAYBILL_NO}已签收，签收人：{NAME}。感谢使用，客服热线{hotline}。",
        "【菜鸟】您的包裹已到达{ADDRESS}附近的{station}，取件码{pickup}，驿站电话{PHONE}",
        "[{carrier}] 快递员{NAME}({PHONE})正在为您派送运单{WAYBILL_NO}，预计{time}送达",
        "【{carrier}】您有一个包裹因地址不详无法派送，请联系{PHONE}或回复新地址。订单{order}",
        "【{carrier}】验证码{vcode}，您正在修改收件地址，请勿泄露。",
        "{carrier}提醒：{masked_name}您好，尾号{num}的包裹已到{station}，取件码{pickup}。",
        "【{carrier}速运】您的快件{WAYBILL_NO}已由{NAME}代收，如有疑问请拨打{hotline}。",
        "【驿站通知】{masked_phone}的包裹请尽快领取，取件码{pickup}，地址{station}。",
    ],
    "chat": [
        "亲，我的快递单号是{WAYBILL_NO}，收件人写的{NAME}，电话{PHONE}，能帮我查一下吗",
        "老板 地址改一下 {ADDRESS} {NAME} {PHONE} 谢谢",
        "好的，马上到，你在{station}等我一下",
        "收到～我叫{NAME}，手机{PHONE}，麻烦发{carrier}",
        "你把东西寄到{ADDRESS}吧，收件人{NAME}",
        "我的{carrier}单号{WAYBILL_NO}怎么三天了还没动？",
        "{NAME}你好，你的快递放门卫了，我是小区{honorific}",
        "帮我转告{NAME}，明天{time}之前到{station}拿件",
        "我邮箱是{EMAIL}，发票开好发我，金额{amount}",
        "退款请打到我卡上 {BANK_CARD} 户名{NAME}",
        "师傅，我家在{ADDRESS}，放门口就行，打我电话{PHONE}",
        "刚刚有人冒充快递员打我电话{PHONE}，说我的包裹丢了要赔偿，让我提供卡号，骗子吧",
        "今天{time}取件的时候，{NAME}说我的快递被别人领走了",
        "昨天{NAME}来拿快递了，顺便帮{NAME}也拿了",
        "订单号{order}，付了{amount}，到现在还没发货",
        "下午三点左右送到{ADDRESS}可以吗？我叫{NAME}",
        "好的谢谢{honorific}，取件码{pickup}对吧",
        "车停在楼下了，车牌{PLATE}，你下来拿一下",
        "加我微信吧，或者直接打{PHONE}，找{NAME}",
        "我妈妈{NAME}的身份证号是{ID_CARD}，寄件要实名",
    ],
    "complaint": [
        "本人{NAME}（身份证号：{ID_CARD}）于{date}通过{carrier}寄出包裹，运单号{WAYBILL_NO}，至今未送达，快递员拒接电话。",
        "投诉：{carrier}派件员{NAME}未经同意将我的快递放在{station}，我的手机号{PHONE}被泄露后天天接到骚扰电话。",
        "我是{ADDRESS}的住户{NAME}，最近总有陌生人叫出我的名字和电话{PHONE}，怀疑快递面单信息被倒卖。",
        "{date}我在网上买了{item}，订单{order}，金额{amount}，商家用{carrier}发货，单号{WAYBILL_NO}，显示已签收但我没收到。",
        "快递员{NAME}（工号{vcode}）态度恶劣，还把我的地址{ADDRESS}写在群里，请严肃处理。联系电话{LANDLINE}",
        "有人冒充{carrier}客服给我打电话，让我把钱转到{BANK_CARD}，说是理赔保证金。我报警了，报警回执{order}。",
        "面单上的{masked_phone}和{masked_name}已经打码了，但是骗子还是知道我的全名{NAME}和地址，请查明泄露渠道。",
        "我于{time}收到一个陌生包裹，寄件人{NAME}，电话{PHONE}，内有{item}，随后收到扣款{amount}的短信。",
        "请{carrier}给个说法：运单号{WAYBILL_NO}，收件人{NAME}，地址{ADDRESS}，联系电话{PHONE}，包裹破损，价值{amount}。",
        "我的邮箱{EMAIL}收到钓鱼邮件，内容是我的{carrier}订单详情，连{date}寄的{item}都写了。",
        "客服{honorific}让我提供身份证号和银行卡号核验身份，我拒绝了，对方号码{PHONE}。",
        "投诉人：{NAME}，电话：{PHONE}，被投诉网点：{station}，事由：私拆包裹。",
    ],
    "form": [
        "姓名：{NAME}\n性别：男\n手机：{PHONE}\n地址：{ADDRESS}\n身份证号：{ID_CARD}",
        "寄件人：{NAME}\n寄件人电话：{PHONE}\n寄件地址：{ADDRESS}\n收件人：{NAME}\n收件人电话：{PHONE}\n收件地址：{ADDRESS}",
        "客户姓名 {NAME} | 联系电话 {LANDLINE} | 邮箱 {EMAIL} | 订单编号 {order}",
        "收货人: {NAME}\n手机号码: {PHONE}\n所在地区: {city}\n详细地址: {ADDRESS}\n邮编: {postcode}",
        "开户名：{NAME}；开户行：中国工商银行{city}分行；卡号：{BANK_CARD}；预留手机：{PHONE}",
        "报修单 No.{order}\n报修人：{NAME}\n电话：{PHONE}\n地址：{ADDRESS}\n预约时间：{time}",
        "车主：{NAME}  车牌号：{PLATE}  联系方式：{PHONE}  停车位：B2-{num}号",
        "实名寄件登记\n寄件人：{NAME}\n证件号码：{ID_CARD}\n物品：{item}\n重量：{weight}",
    ],
    "list": [
        "{NAME},{PHONE},{ADDRESS}",
        "{NAME}\t{PHONE}\t{ADDRESS}\t{order}\t{amount}",
        "{order},{NAME},{PHONE},{ADDRESS},{time}",
        "{NAME}|{ID_CARD}|{PHONE}|{ADDRESS}",
        "{WAYBILL_NO},{NAME},{PHONE},{city}",
        "{NAME} {PHONE} {ADDRESS}",
        "{NAME},{EMAIL},{PHONE},{time}",
        "{time},{NAME},{BANK_CARD},{amount}",
        "{NAME}，{PHONE}，{ADDRESS}，{item}",
        "{num}. {NAME} {PHONE}",
    ],
    "ocr": [
        "收件人：{NAME}{PHONE}\n{ADDRESS}\n寄件人：{NAME}{PHONE}\n{carrier}快递",
        "收{NAME}{PHONE}\n{ADDRESS}\n寄{masked_name}{masked_phone}\n{city}",
        "{carrier}\n运单号{WAYBILL_NO}\n收件人{NAME}\n{PHONE}\n{ADDRESS}\n已验视",
        "收件：{NAME}\n电话：{PHONE}\n地址：{ADDRESS}\n重量{weight}\n打印时间{time}",
        "寄件人{NAME}{LANDLINE}\n收件人{masked_name}{masked_phone}\n{masked_address}\n{WAYBILL_NO}",
        "{WAYBILL_NO}\n{NAME}\n{PHONE}\n{ADDRESS}",
        "代收货款{amount}\n收方{NAME}{PHONE}\n{ADDRESS}\n订单号{order}",
    ],
    "english": [
        "Name: {NAME} / Tel: {PHONE} / Email: {EMAIL}",
        "Ship to {NAME}, {ADDRESS}, phone {PHONE}, tracking {carrier} {WAYBILL_NO}",
        "Contact: {NAME} ({EMAIL}), office {LANDLINE}, order #{order}",
        "Please refund to card {BANK_CARD} (holder: {NAME}), amount {amount}",
        "Driver {NAME}, plate {PLATE}, mobile {PHONE}",
    ],
    "negative": [
        "订单号{order}，实付{amount}，下单时间{time}",
        "您的取件码为{pickup}，请于{time}前到{station}领取",
        "验证码{vcode}，5分钟内有效，请勿告诉他人。",
        "客服热线{hotline}，工作时间9:00-18:00",
        "已为{masked_name}（{masked_phone}）办理退货，退款{amount}将原路返回",
        "收件地址：{masked_address}，收件人：{masked_name}",
        "证件号 {masked_id}，卡号 {masked_card}",
        "{honorific}您好，您的包裹重{weight}，运费{amount}",
        "包裹从{city}发出，预计{date}到达{city}",
        "商品编码{sku}，数量{num}，单价{amount}",
        "服务器{ip}在{time}记录到{num}次登录失败",
        "邮政编码{postcode}，请在信封上写清楚",
        "QQ群{qq}，欢迎加入交流",
        "高兴地告诉大家，马上就到周末了，方便的话一起去{city}玩",
        "温馨提示：金额{amount}已到账，余额{amount}",
        "今天{time}，{city}的天气晴，气温{num}度",
        "程序版本v{num}.{num}.{num}，安装包大小{weight}",
        "黄金周期间{carrier}照常派送，{city}地区可能延误{num}天",
        "{station}今日到件{num}件，未取{num}件",
        "第{num}单元的住户请注意，{date}停水",
        "请联系客服{hotline}处理，我们的工单号是{order}",
        "付款{amount}，交易流水号{order}",
    ],
}

TEMPLATES["dialogue"] = [
    "我刚搬家了，新地址是{ADDRESS}，以后寄这里",
    "{NAME}：好的收到\n{NAME}：那我明天去拿",
    "[{time}] {NAME}: 快递到了没",
    "@{NAME} 你的快递到了，在{station}",
    "喂，是{NAME}吗？我是快递，你家门口没人",
    "我是{NAME}的同事，帮他代收一下",
    "张总说把合同寄给{NAME}，电话{PHONE}",
    "麻烦备注一下：{NAME}收，{PHONE}，晚上七点后送",
    "下单人 {NAME} 下单时间 {time} 订单金额 {amount}",
    "我的手机号换了，新号码{PHONE}，旧号码{PHONE}不用了",
    "快递小哥说他叫{NAME}，工号{vcode}，车牌{PLATE}",
    "[图片] 这是面单，{masked_name} {masked_phone}，看不清",
    "刚刚{NAME}在群里说{NAME}的快递被拿错了",
    "宝贝已发出，{carrier}快递{WAYBILL_NO}，注意查收哦亲",
    "你好，请问是{NAME}女士吗",
    "打{LANDLINE}没人接，打{PHONE}也关机",
    "发票抬头：杭州某某科技有限公司，邮箱{EMAIL}，电话{LANDLINE}",
    "电话{PHONE_DOTTED}，地址{ADDRESS_HARD}",
    "收货地址：{ADDRESS_HARD}（{NAME}收）",
    "寄到{ADDRESS_HARD}给{NAME}",
    "{NAME}/{PHONE}/{ADDRESS_HARD}",
    "我叫{NAME}，{num}岁，住{ADDRESS}，身份证{ID_CARD}，银行卡{BANK_CARD}",
    "尊敬的{NAME}先生，您尾号{num}的银行卡于{time}消费{amount}",
    "请把{item}交给{NAME}或者{NAME}，他们都在{ADDRESS}",
]
TEMPLATES["hard_negative"] = [
    "马上就到了，别急",
    "周末有空吗？一起去万达吃饭",
    "这个价格方便的话再便宜点，{amount}行不行",
    "向日葵的种子发货了吗，订单{order}",
    "黄山风景区门票两张，共{amount}",
    "金华火腿和宁波汤圆都到了",
    "白云机场的航班延误了{num}小时",
    "余额宝收益不错，昨天收益{amount}",
    "胡萝卜和白菜各两斤，{weight}",
    "钱包丢在出租车上了，车费{amount}",
    "高铁站附近的驿站几点关门",
    "常熟的朋友寄来的大闸蟹，{num}只",
    "于是我就去{station}问了",
    "包裹里面是文具和{item}",
    "雷雨天气暂停派送，预计{date}恢复",
    "宋体字太小看不清取件码{pickup}",
    "江西老表寄的脐橙，一共{weight}",
    "安全第一，快递员请戴好头盔",
    "温州鞋厂直发，{carrier}包邮",
    "学号{digits12}，考场{num}号",
    "请输入11位手机号，例如1XXXXXXXXXX",
    "身份证号填错了，少了一位：{id17}",
    "卡号{bad_card}校验不通过，请重新输入",
    "联系方式：见群公告，邮编{postcode}",
    "@所有人 明天{time}开会",
    "12345678901不是有效号码",
    "价格从1380元降到1280元",
    "第{num}栋的快递放{num}号柜",
    "共{num}件，合计{amount}，运费险{amount}",
    "请于{date}前到{station}领取，逾期退回{city}",
    "本店电话400-820-{vcode4}，营业时间8:00-22:00",
    "订单号13812345678的货已经发了",
    "版本号2.13.8-20241120",
    "坐标30.27415,120.15515",
    "快递员张师傅、李师傅今天休息",
    "王者荣耀账号出售",
]

# Written after the recognizers were tuned on the categories above and never tuned on since:
# `pii_eval.py` reports this category on its own as a check against overfitting.
TEMPLATES["holdout"] = [
    "顺丰小哥{NAME}刚给我打电话（{PHONE}），说包裹放在{station}了",
    "新收货信息——{NAME}，{ADDRESS}，手机：{PHONE}",
    "【物流异常】尊敬的客户，您寄往{city}的快件{WAYBILL_NO}因超重滞留，请联系{LANDLINE}",
    "业主{NAME}（{PLATE}）的车挡住了快递车，电话{PHONE}",
    "身份证：{ID_CARD}  姓名：{NAME}  住址：{ADDRESS}",
    "{NAME}在{date}签收了快递，签收地点{ADDRESS}",
    "请转账到{BANK_CARD}（{NAME}），备注订单号{order}",
    "Hi {NAME}, your parcel {WAYBILL_NO} is at {station}. Call {PHONE} if needed.",
    "寄件人{NAME}（{PHONE}）寄给收件人{NAME}（{PHONE}）",
    "我老婆叫{NAME}，她的电话是{PHONE}，你联系她",
    "地址写错了，应该是{ADDRESS}，不是{city}",
    "{NAME}\n{PHONE}\n{ADDRESS}\n{postcode}",
    "快递员{NAME}把我的快递给了邻居{NAME}",
    "发货人：{NAME}；发货电话：{LANDLINE}；发货地址：{ADDRESS}",
    "联系邮箱{EMAIL}或者座机{LANDLINE}",
    "取件码{pickup}，{NAME}的包裹，{masked_phone}",
]

SIZES = {
    "sms": 180,
    "chat": 220,
    "complaint": 150,
    "form": 120,
    "list": 200,
    "ocr": 150,
    "english": 60,
    "negative": 200,
    "dialogue": 200,
    "hard_negative": 150,
    "holdout": 160,
}
SLOT = re.compile(r"\{(\w+)\}")
PII: dict[str, Callable[[Fillers], str]] = {
    "NAME": Fillers.name,
    "PHONE": Fillers.phone,
    "LANDLINE": Fillers.landline,
    "ID_CARD": Fillers.id_card,
    "BANK_CARD": Fillers.bank_card,
    "EMAIL": Fillers.email,
    "ADDRESS": Fillers.address,
    "PLATE": Fillers.plate,
    "PHONE_DOTTED": Fillers.phone_dotted,
    "ADDRESS_HARD": Fillers.address_hard,
}


def render(template: str, f: Fillers, category: str) -> tuple[str, list[dict[str, object]]]:
    """Fill a template; return the text and the gold spans of its personal information."""
    carrier, waybill = f.waybill()
    if "{carrier}" not in template and "{WAYBILL_NO}" in template and waybill[0].isdigit():
        carrier, waybill = ("顺丰", "SF" + f.digits(13))  # a bare number needs its carrier named
    parts: list[str] = []
    spans: list[dict[str, object]] = []
    at = 0
    length = 0
    for match in SLOT.finditer(template):
        literal = template[at : match.start()]
        parts.append(literal)
        length += len(literal)
        slot = match.group(1)
        if slot == "WAYBILL_NO":
            value = waybill
        elif slot == "carrier":
            value = carrier
        elif slot in PII:
            value = PII[slot](f)
        else:
            value = getattr(f, slot)()
        if category == "ocr":
            value = value.replace(" ", "")
            if slot == "ADDRESS" and len(value) > 14 and f.r.random() < 0.3:
                cut = f.r.randrange(8, len(value) - 4)
                value = value[:cut] + "\n" + value[cut:]  # the label wrapped the address
        if slot.isupper():
            kind = slot.split("_DOTTED")[0].split("_HARD")[0]
            spans.append({"type": kind, "start": length, "end": length + len(value)})
        parts.append(value)
        length += len(value)
        at = match.end()
    parts.append(template[at:])
    text = "".join(parts)
    if category == "chat" and f.r.random() < 0.15:
        text += f.pick(["😂", "🙏", "～", "!!", "[微笑]", "？？"])
    return text, spans


def build(seed: int, scale: float = 1.0) -> list[dict[str, object]]:
    """Return the corpus rows, the same for the same seed."""
    f = Fillers(random.Random(seed))
    rows: list[dict[str, object]] = []
    for category, count in SIZES.items():
        templates = TEMPLATES[category]
        for i in range(round(count * scale)):
            template = templates[i % len(templates)] if i < len(templates) else f.pick(templates)
            text, spans = render(template, f, category)
            rows.append(
                {"id": f"{category}-{i:04d}", "category": category, "text": text, "spans": spans}
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20241120)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = build(args.seed, args.scale)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        for span in row["spans"]:  # type: ignore[union-attr]
            counts[span["type"]] = counts.get(span["type"], 0) + 1  # type: ignore[index]
    print(f"wrote {len(rows)} texts to {args.out}; gold spans: {dict(sorted(counts.items()))}")


if __name__ == "__main__":
    main()
