"""Seeded synthetic samples of every supported shop export and carrier template.

Each layout below is written by hand from what that back-end's file looks like (headers,
noise columns, how phones and addresses are split or combined, encoding, sheets, title rows),
independently of `sources.toml`, so the tests check recognition rather than restate it. Every
person is fictional (`Faker`); each sample carries one bad row whose problem is known.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from parcelguard.vault.synthetic import COMPOUNDS, ROADS, Division, Faker

BAD_PHONE = "1380013800"  # ten digits: not a number


@dataclass
class Person:
    """One fictional recipient (and sender) with the pieces layouts split a party into."""

    waybill: str
    name: str
    mobile: str
    ext: str
    division: Division
    detail: str
    sender_name: str
    sender_mobile: str
    sender_address: str

    @property
    def province(self) -> str:
        return self.division.province

    @property
    def city(self) -> str:
        return self.division.city

    @property
    def district(self) -> str:
        return self.division.district

    @property
    def full_address(self) -> str:
        city = "" if self.city == self.province else self.city
        return f"{self.province}{city}{self.district}{self.detail}"

    @property
    def stored_phone(self) -> str:
        return f"{self.mobile}-{self.ext}" if self.ext else self.mobile


@dataclass
class Sample:
    """A written sample: what must be imported, and the one row that must be refused."""

    layout: str
    path: Path
    people: list[Person]  # the good rows, in file order
    bad_row: int  # the spreadsheet row number of the bad row
    bad_column: str  # the user's own header of the bad cell
    stored_address: list[str] = field(default_factory=list)  # as stored, per good row
    has_sender: bool = False
    extra_args: list[str] = field(default_factory=list)


Cells = Callable[[Person, str], dict[str, object]]


def people(seed: int, count: int, *, ext_every: int = 0) -> list[Person]:
    """Return `count` fictional people; every `ext_every`-th has a privacy-number extension."""
    faker = Faker(seed)
    rnd = random.Random(seed)
    found = []
    for i in range(count):
        division = faker.division()
        detail = (
            f"{rnd.choice(ROADS)}路{rnd.randrange(1, 999)}号{rnd.choice(COMPOUNDS)}"
            f"{rnd.randrange(1, 30)}栋{rnd.randrange(1, 6)}单元{rnd.randrange(101, 3304)}室"
        )
        ext = f"{rnd.randrange(1000, 9999)}" if ext_every and i % ext_every == 0 else ""
        found.append(
            Person(
                waybill=f"{'SF' if i % 2 else 'YT'}{seed:02d}{rnd.randrange(10**11):011d}",
                name=faker.name(),
                mobile=faker.mobile(),
                ext=ext,
                division=division,
                detail=detail,
                sender_name=faker.name(),
                sender_mobile=faker.mobile(),
                sender_address=faker.address(),
            )
        )
    return found


def write_csv(
    path: Path, headers: list[str], rows: list[list[str]], encoding: str, *, title: str = ""
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        if title:
            writer.writerow([title])
        writer.writerow(headers)
        writer.writerows(rows)


def write_xlsx(
    path: Path,
    headers: list[str],
    rows: list[list[object]],
    *,
    sheet: str = "Sheet1",
    before: tuple[str, ...] = (),
    title: list[str] | None = None,
) -> None:
    book = Workbook()
    book.remove(book.active)
    for name in before:  # instruction sheets exports put in front
        other = book.create_sheet(name)
        other.append(["说明"])
        other.append(["本表为导出说明，请勿修改表头"])
    ws = book.create_sheet(sheet)
    if title:
        ws.append(title)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    book.save(path)


@dataclass(frozen=True)
class Layout:
    """How one back-end writes a file: headers, a row per person, the file format."""

    id: str
    headers: list[str]
    cells: Cells  # person, phone as written → {header: value}
    phone_column: str
    phone_form: Callable[[Person], str] = lambda p: p.mobile
    file: str = "csv"  # csv, xlsx
    encoding: str = "utf-8"
    title: str = ""
    sheet: str = "Sheet1"
    before: tuple[str, ...] = ()
    sender: bool = False
    ext_every: int = 0
    address: Callable[[Person], str] = lambda p: p.full_address

    def write(self, folder: Path, seed: int, count: int = 5) -> Sample:
        crowd = people(seed, count + 1, ext_every=self.ext_every)
        bad_at = count - 1
        rows = []
        for i, person in enumerate(crowd):
            phone = BAD_PHONE if i == bad_at else self.phone_form(person)
            values = self.cells(person, phone)
            rows.append([values.get(h, "") for h in self.headers])
        path = folder / f"{self.id}.{'xlsx' if self.file == 'xlsx' else 'csv'}"
        title_rows = 1 if self.title else 0
        if self.file == "xlsx":
            write_xlsx(
                path,
                self.headers,
                rows,
                sheet=self.sheet,
                before=self.before,
                title=[self.title] if self.title else None,
            )
        else:
            write_csv(path, self.headers, rows, self.encoding, title=self.title)
        good = [p for i, p in enumerate(crowd) if i != bad_at]
        return Sample(
            self.id,
            path,
            good,
            bad_row=title_rows + 2 + bad_at,
            bad_column=self.phone_column,
            stored_address=[self.address(p) for p in good],
            has_sender=self.sender,
        )


def _ext_dash(p: Person) -> str:
    return f"{p.mobile}-{p.ext}" if p.ext else p.mobile


def _ext_zhuan(p: Person) -> str:
    return f"{p.mobile}转{p.ext}" if p.ext else _fullwidth(p.mobile)


def _ext_bracket(p: Person) -> str:
    return f"{p.mobile}[{p.ext}]" if p.ext else f"+86 {p.mobile[:3]} {p.mobile[3:7]} {p.mobile[7:]}"


def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def _taobao(p: Person, phone: str) -> dict[str, str]:
    return {
        "订单编号": f"31{p.waybill[4:]}",
        "买家会员名": f"tb{p.mobile[-6:]}",
        "买家应付货款": "59.00",
        "订单状态": "卖家已发货，等待买家确认",
        "收货人姓名": p.name,
        "收货地址": _taobao_address(p),
        "运送方式": "快递",
        "联系手机": "'" + phone,
        "订单创建时间": "2026-11-01 20:15:03",
        "宝贝标题": "保温杯 500ml",
        "物流单号": p.waybill,
        "物流公司": "圆通速递",
    }


def _taobao_address(p: Person) -> str:
    city = "" if p.city == p.province else f" {p.city}"
    return f"{p.province}{city} {p.district} {p.detail}"


def _jd(p: Person, phone: str) -> dict[str, str]:
    return {
        "订单号": f"28{p.waybill[4:]}",
        "商品ID": "100012345678",
        "商品名称": "电动牙刷",
        "订购数量": "1",
        "下单时间": "2026-11-01 10:00:00",
        "京东价": "199.00",
        "下单帐号": f"jd_{p.mobile[-5:]}",
        "客户姓名": p.name,
        "客户地址": p.full_address,
        "联系电话": phone,
        "运单号": p.waybill,
    }


def _split(p: Person, phone: str, names: tuple[str, ...]) -> dict[str, str]:
    """A split layout: name, phone, province, city, district, detail under `names`."""
    return dict(zip(names, (p.name, phone, p.province, p.city, p.district, p.detail), strict=True))


def _pdd(p: Person, phone: str) -> dict[str, object]:
    values: dict[str, object] = {
        "商品": "纸巾 10包",
        "订单号": f"261101-{p.waybill[4:]}",
        "订单状态": "已发货，待收货",
        "商品总价(元)": "19.90",
        "用户实付金额(元)": "17.90",
        "商家实收金额(元)": "17.50",
        "商品数量(件)": "1",
        "快递单号": p.waybill,
        "快递公司": "中通快递",
        **_split(p, phone, ("收货人", "手机", "省", "市", "区", "街道")),
    }
    if phone.isdigit() and not p.ext:
        values["手机"] = int(phone)  # Excel keeps phones as numbers
    return values


def _douyin(p: Person, phone: str) -> dict[str, str]:
    street = "文新街道"
    return {
        "主订单编号": f"69{p.waybill[4:]}",
        "子订单编号": f"69{p.waybill[4:]}1",
        "选购商品": "蓝牙耳机",
        "商品数量": "1",
        "订单应付金额": "89.00",
        "收件人": p.name,
        "收件人手机号": phone,
        "省": p.province,
        "市": p.city,
        "区": p.district,
        "街道": street,
        "详细地址": p.detail,
        "订单提交时间": "2026/11/01 08:30:00",
        "快递单号": p.waybill,
    }


def _douyin_address(p: Person) -> str:
    city = "" if p.city == p.province else p.city
    return f"{p.province}{city}{p.district}文新街道{p.detail}"


def _kuaishou(p: Person, phone: str) -> dict[str, str]:
    return {
        "订单号": f"23{p.waybill[4:]}",
        "订单创建时间": "2026-11-01 12:00:00",
        "商品名称": "零食大礼包",
        "实付款": "39.9",
        "收货人姓名": p.name,
        "收货人电话": phone,
        "收货地址": p.full_address,
        "快递单号": p.waybill,
        "快递公司": "韵达快递",
    }


def _youzan(p: Person, phone: str) -> dict[str, str]:
    return {
        "订单号": f"E2026{p.waybill[4:]}",
        "订单状态": "已发货",
        "订单创建时间": "2026-11-01 09:12:00",
        "全部商品名称": "草莓蛋糕",
        "订单配送方式": "快递发货",
        "收货人/提货人": p.name,
        "收货人手机号/提货人手机号": phone,
        "收货人省份": p.province,
        "收货人城市": p.city,
        "收货人地区": p.district,
        "详细收货地址/提货地址": p.full_address,  # Youzan repeats the divisions here
        "商品发货物流公司": "申通快递",
        "商品发货物流单号": p.waybill,
    }


def _weixin(p: Person, phone: str) -> dict[str, str]:
    return {
        "订单号": f"37{p.waybill[4:]}",
        "下单时间": "2026-11-01 18:00:00",
        "商品名称": "茶叶",
        "收件人姓名": p.name,
        "收件人手机号": phone,
        "省份": p.province,
        "城市": p.city,
        "区县": p.district,
        "详细地址": p.detail,
        "门牌号": "",
        "快递公司": "顺丰速运",
        "快递单号": p.waybill,
    }


def _carrier(names: tuple[str, ...], waybill: str, p: Person, phone: str) -> dict[str, str]:
    """A carrier template: waybill, sender name/phone/address, recipient name/phone/address."""
    values = (
        p.waybill,
        p.sender_name,
        p.sender_mobile,
        p.sender_address,
        p.name,
        phone,
        p.full_address,
    )
    return dict(zip((waybill, *names), values, strict=True))


def _sf(p: Person, phone: str) -> dict[str, str]:
    base = _carrier(
        ("寄方姓名", "寄方联系方式", "寄方地址", "收方姓名", "收方联系方式", "收方地址"),
        "运单号",
        p,
        phone,
    )
    return {**base, "序号": "1", "寄方公司": "好物小店", "收方公司": "", "托寄物内容": "衣服"}


def _yunda(p: Person, phone: str) -> dict[str, str]:
    return {
        "面单号（必填）": p.waybill,
        "买家姓名（必填）": p.name,
        "买家手机号码（必填）": phone,
        "买家收货省（必填）": p.province,
        "买家收货市（必填）": p.city,
        "买家收货区（必填）": p.district,
        "买家收货地址（必填）": p.detail,
        "发件人（必填）": p.sender_name,
        "发件人电话（必填）": p.sender_mobile,
        "发件地址（必填）": p.sender_address,
        "大头笔（必填）": "浙A",
    }


def _cainiao(p: Person, phone: str) -> dict[str, str]:
    return {
        "运单号": p.waybill,
        "快递公司": "圆通速递",
        "寄件人姓名": p.sender_name,
        "寄件人手机": p.sender_mobile,
        "寄件人地址": p.sender_address,
        "收件人姓名": p.name,
        "收件人手机": phone,
        "收件省": p.province,
        "收件市": p.city,
        "收件区": p.district,
        "收件详细地址": p.detail,
    }


def _combined(p: Person, phone: str) -> dict[str, str]:
    return {
        "订单号": f"88{p.waybill[4:]}",
        "快递单号": p.waybill,
        "商品": "明信片",
        "收货信息": f"{p.name}，{phone}，{p.full_address}",
    }


CARRIER_NOISE = {"物品名称": "文件", "数量": "1"}


def _template(waybill: str, names: tuple[str, ...]) -> Cells:
    return lambda p, phone: {
        **CARRIER_NOISE,
        "内件名称": "书",
        **_carrier(names, waybill, p, phone),
    }


ZTO = ("寄件人姓名", "寄件人手机", "寄件人地址", "收件人姓名", "收件人手机", "收件人地址")
YTO = (
    "寄件人姓名",
    "寄件人手机号码",
    "寄件人详细地址",
    "收件人姓名",
    "收件人手机号码",
    "收件人详细地址",
)
STO = ("寄件人", "寄件人手机", "寄件人地址", "收件人姓名", "收件人手机", "收件地址")
JDL = ("寄件人姓名", "寄件人手机", "寄件人地址", "收件人姓名", "收件人手机", "收件人地址")
EMS = ("寄件人姓名", "寄件人电话", "寄件人地址", "收件人姓名", "收件人电话", "收件人地址")

LAYOUTS = [
    Layout(
        "taobao",
        [
            "订单编号",
            "买家会员名",
            "买家应付货款",
            "订单状态",
            "收货人姓名",
            "收货地址",
            "运送方式",
            "联系电话",
            "联系手机",
            "订单创建时间",
            "宝贝标题",
            "物流单号",
            "物流公司",
        ],
        _taobao,
        "联系手机",
        encoding="gb18030",
        address=_taobao_address,
    ),
    Layout(
        "jd",
        [
            "订单号",
            "商品ID",
            "商品名称",
            "订购数量",
            "下单时间",
            "京东价",
            "下单帐号",
            "客户姓名",
            "客户地址",
            "联系电话",
            "运单号",
        ],
        _jd,
        "联系电话",
        encoding="utf-8-sig",
    ),
    Layout(
        "pinduoduo",
        [
            "商品",
            "订单号",
            "订单状态",
            "商品总价(元)",
            "用户实付金额(元)",
            "商家实收金额(元)",
            "商品数量(件)",
            "收货人",
            "手机",
            "省",
            "市",
            "区",
            "街道",
            "快递单号",
            "快递公司",
        ],
        _pdd,
        "手机",
        phone_form=_ext_dash,
        file="xlsx",
        sheet="订单列表",
        before=("导出说明",),
        ext_every=2,
    ),
    Layout(
        "douyin",
        [
            "主订单编号",
            "子订单编号",
            "选购商品",
            "商品数量",
            "订单应付金额",
            "收件人",
            "收件人手机号",
            "省",
            "市",
            "区",
            "街道",
            "详细地址",
            "订单提交时间",
            "快递单号",
        ],
        _douyin,
        "收件人手机号",
        phone_form=_ext_zhuan,
        encoding="utf-8-sig",
        ext_every=2,
        address=_douyin_address,
    ),
    Layout(
        "kuaishou",
        [
            "订单号",
            "订单创建时间",
            "商品名称",
            "实付款",
            "收货人姓名",
            "收货人电话",
            "收货地址",
            "快递单号",
            "快递公司",
        ],
        _kuaishou,
        "收货人电话",
        phone_form=lambda p: "86-" + p.mobile,
        file="xlsx",
    ),
    Layout(
        "youzan",
        [
            "订单号",
            "订单状态",
            "订单创建时间",
            "全部商品名称",
            "订单配送方式",
            "收货人/提货人",
            "收货人手机号/提货人手机号",
            "收货人省份",
            "收货人城市",
            "收货人地区",
            "详细收货地址/提货地址",
            "商品发货物流公司",
            "商品发货物流单号",
        ],
        _youzan,
        "收货人手机号/提货人手机号",
        phone_form=lambda p: "0086 " + p.mobile,
    ),
    Layout(
        "weixin",
        [
            "订单号",
            "下单时间",
            "商品名称",
            "收件人姓名",
            "收件人手机号",
            "省份",
            "城市",
            "区县",
            "详细地址",
            "门牌号",
            "快递公司",
            "快递单号",
        ],
        _weixin,
        "收件人手机号",
        phone_form=_ext_bracket,
        ext_every=3,
    ),
    Layout(
        "sf",
        [
            "序号",
            "运单号",
            "寄方公司",
            "寄方姓名",
            "寄方联系方式",
            "寄方地址",
            "收方公司",
            "收方姓名",
            "收方联系方式",
            "收方地址",
            "托寄物内容",
        ],
        _sf,
        "收方联系方式",
        file="xlsx",
        title="顺丰速运 批量下单模板 (请从第3行开始填写)",
        sender=True,
    ),
    Layout(
        "zto",
        ["运单号", *ZTO, "收件人电话", "物品名称", "数量"],
        _template("运单号", ZTO),
        "收件人手机",
        encoding="gb18030",
        sender=True,
    ),
    Layout(
        "yto",
        ["运单号码", *YTO, "物品名称"],
        _template("运单号码", YTO),
        "收件人手机号码",
        sender=True,
    ),
    Layout(
        "sto",
        ["申通单号", *STO],
        _template("申通单号", STO),
        "收件人手机",
        sender=True,
    ),
    Layout(
        "yunda",
        [
            "面单号（必填）",
            "买家姓名（必填）",
            "买家手机号码（必填）",
            "买家收货省（必填）",
            "买家收货市（必填）",
            "买家收货区（必填）",
            "买家收货地址（必填）",
            "发件人（必填）",
            "发件人电话（必填）",
            "发件地址（必填）",
            "大头笔（必填）",
        ],
        _yunda,
        "买家手机号码（必填）",
        file="xlsx",
        sender=True,
    ),
    Layout(
        "jdl",
        ["运单号", *JDL, "收件人座机", "物品名称"],
        _template("运单号", JDL),
        "收件人手机",
        sender=True,
    ),
    Layout(
        "ems",
        ["邮件号", *EMS, "内件名称"],
        _template("邮件号", EMS),
        "收件人电话",
        sender=True,
    ),
    Layout(
        "cainiao",
        [
            "运单号",
            "快递公司",
            "寄件人姓名",
            "寄件人手机",
            "寄件人地址",
            "收件人姓名",
            "收件人手机",
            "收件省",
            "收件市",
            "收件区",
            "收件详细地址",
        ],
        _cainiao,
        "收件人手机",
        encoding="utf-8-sig",
        sender=True,
    ),
    Layout(
        "combined",
        ["订单号", "快递单号", "商品", "收货信息"],
        _combined,
        "收货信息",
    ),
]
SHOP_LAYOUTS = [layout.id for layout in LAYOUTS if not layout.sender]
