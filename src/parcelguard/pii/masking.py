"""Masking to at least the minimums of GB/T 41833-2022 (what labels, lists and views show).

A name hides at least one character, a phone at least six digits, an address its
building / unit / room detail. Defaults: `张*`, `欧阳**`, `138******78`,
`浙江省杭州市西湖区文三路***`. A tenant may mask more, never less.
"""

from __future__ import annotations

import re

from parcelguard.pii.normalize import Phone, normalize_phone, phone_digits

# Two-character surnames (复姓) that keep both characters in a masked name.
COMPOUND_SURNAMES = frozenset(
    """欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 赫连 澹台 皇甫
    宗政 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 司徒 鲜于 司空 闾丘 子车 亓官
    司寇 巫马 公西 颛孙 壤驷 公良 漆雕 乐正 宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延
    东郭 南门 羊舌 微生 公户 公玉 公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖
    第五 公乘 贯丘 公皙 南荣 东里 东宫 仲长 子书 子桑 即墨 达奚 褚师 吴铭""".split()  # noqa: SIM905
)
MASK = "*"
# The readable head of an address detail: administrative divisions (GB/T 2260 levels down to
# 村/社区) and the road name, each a run of Chinese characters ending in one of these words.
# Digits, Latin letters and the door words (号 栋 幢 座 层 室 户) never belong to the head, so
# the road number, building, unit and room always fall into the masked tail. Suffixes that
# also end ordinary nouns are refused: 小区/校区/厂区/景区 are estates, 超市/菜市 shops.
_DIVISION_SUFFIXES = (
    "特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|旗|区"
    "|街道|镇|乡|苏木|村|嘎查|社区|居委会|村委会|开发区|新区|工业园|农场|林场"
)
_ROAD_SUFFIXES = "大道|大街|路|街|道|巷|胡同"
_HAN = r"(?:(?![号栋幢座层室户])[\u3400-\u4dbf\u4e00-\u9fff])"
_REFUSED_ENDINGS = ("小区", "校区", "厂区", "景区", "超市", "菜市", "城市", "门市")
_HAN_RUN = re.compile(rf"{_HAN}*")
_ENDS_IN_PLACE_WORD = re.compile(rf"(?:{_DIVISION_SUFFIXES}|{_ROAD_SUFFIXES})$")


def surname_of(name: str) -> str:
    """Return the surname part a masked name keeps."""
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[:1]


def mask_name(name: str) -> str:
    """Keep the surname, hide every other character: 张三 → 张*, 欧阳娜娜 → 欧阳**."""
    name = name.strip()
    if len(name) <= 1:
        return MASK
    if name.isascii():
        return name[0] + MASK * (len(name) - 1)
    keep = surname_of(name)
    return keep + MASK * (len(name) - len(keep))


def mask_phone(raw: str) -> str:
    """Hide at least six digits: 13812345678 → 138******78, 0571-88888888 → 0571-******88."""
    phone = normalize_phone(raw)
    if phone is None:
        digits = phone_digits(raw)
        return digits[:3] + MASK * max(6, len(digits) - 3) if digits else MASK * 6
    return mask_normalized_phone(phone)


def mask_normalized_phone(phone: Phone) -> str:
    """Mask an already normalized phone (the import path has one at hand).

    An extension is hidden whole (`138******00 转 ****`): a platform's privacy number is shared
    by many recipients, so its extension is what tells them apart and plays the part of the
    hidden digits; the mask keeps only that there is one and how long it is.
    """
    if phone.kind == "mobile":
        masked = phone.national[:3] + MASK * 6 + phone.national[-2:]
    else:
        subscriber = phone.national[len(phone.area_code) :]
        hidden = max(6, len(subscriber) - 2)
        masked = f"{phone.area_code}-{MASK * hidden}{subscriber[hidden:]}"
    return f"{masked} 转 {MASK * len(phone.extension)}" if phone.extension else masked


def address_head(detail: str) -> str:
    """Return the part of an address detail a mask keeps: divisions and road name, no door.

    `五常街道文一西路969号3幢` → `五常街道文一西路`; `幸福小区3栋` → `` (an estate name
    locates the door); the longest run of division / road words that starts the detail wins.
    """
    run = _HAN_RUN.match(detail.strip())
    han = run.group(0) if run else ""
    for end in range(len(han), 1, -1):
        head = han[:end]
        if _ENDS_IN_PLACE_WORD.search(head) and not head.endswith(_REFUSED_ENDINGS):
            return head
    return ""


def mask_address(region_prefix: str, detail: str) -> str:
    """Keep the divisions and the road, hide the door: 浙江省杭州市西湖区文三路***.

    Administrative words stay whole (`五常街道`, `某某镇`, `XX乡`, `XX村`); the road number,
    building, unit and room, and any estate or building name after the road, become `***`
    (GB/T 41833-2022: keep the area, hide what locates the door).
    """
    return f"{region_prefix}{address_head(detail)}{MASK * 3}"


def mask_id_number(id_no: str) -> str:
    """Keep the first and last character of a resident ID: 3****************X."""
    if len(id_no) < 3:
        return MASK * len(id_no)
    return id_no[0] + MASK * (len(id_no) - 2) + id_no[-1]


def is_masked(text: str) -> bool:
    """Return whether a value already carries mask characters (138****5678, 张*)."""
    return MASK in text or "＊" in text or "×" in text


def mask_email(email: str) -> str:
    """Keep the first character of the mailbox and the domain: z***@qq.com."""
    local, _, domain = email.strip().rpartition("@")
    if not local:
        return MASK * 3
    return f"{local[0]}{MASK * 3}@{domain}"


def mask_bank_card(card: str) -> str:
    """Keep the first four and last four digits: 6222********1234."""
    digits = re.sub(r"\D", "", card)
    if len(digits) <= 8:
        return MASK * len(digits)
    return digits[:4] + MASK * (len(digits) - 8) + digits[-4:]


def mask_plate(plate: str) -> str:
    """Keep the province and the issuing letter and the last character: 浙A****5."""
    text = re.sub(r"[\s·•.\-]", "", plate.strip())
    if len(text) <= 3:
        return MASK * len(text)
    return text[:2] + MASK * (len(text) - 3) + text[-1]


def mask_waybill(number: str) -> str:
    """Keep the carrier prefix and the last four characters: SF*********0123."""
    text = number.strip()
    head = len(text) - len(text.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    keep = max(head, 2)
    if len(text) <= keep + 4:
        return text[:keep] + MASK * (len(text) - keep)
    return text[:keep] + MASK * (len(text) - keep - 4) + text[-4:]
