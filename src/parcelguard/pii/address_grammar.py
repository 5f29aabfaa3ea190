"""The detail grammar of a Chinese postal address: what may follow the divisions.

An address after its divisions is a sequence of parts: town (镇, 乡, 街道), village (村, 组),
road (路, 街, 大道, 巷) and number (号), place (小区, 大厦, 花园 …), building (栋, 幢, 座),
unit (单元), floor (层) and room (室). `parse_detail` reads as many parts as follow each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters that never sit inside a place name but often right before or after an address.
STOP = "的了是在说去到给跟也就还又把被让您你我他她它们啊吧呢吗哦嗯呀住寄送址至往从请帮烦与"
_H = rf"(?:(?![{STOP}])[\u4e00-\u9fff])"
_HA = rf"(?:(?![{STOP}])[\u4e00-\u9fffA-Za-z0-9])"
_NUM = r"[0-9一二三四五六七八九十百零〇]+"
_PLACE_WORDS = [
    "小区",
    "花园",
    "公寓",
    "大厦",
    "广场",
    "中心",
    "家园",
    "新村",
    "公馆",
    "大楼",
    "写字楼",
    "工业园",
    "产业园",
    "科技园",
    "园区",
    "商城",
    "市场",
    "宿舍",
    "学校",
    "大学",
    "学院",
    "医院",
    "酒店",
    "宾馆",
    "花苑",
    "苑",
    "园",
    "府",
    "城",
    "庭",
    "湾",
    "居",
    "阁",
    "邸",
    "厂",
    "基地",
    "驿站",
    "超市",
    "大院",
    "院",
    "里",
    "商厦",
    "中学",
    "小学",
    "幼儿园",
    "村委会",
    "宿舍楼",
    "校区",
    "厂房",
    "有限公司",
    "公司",
    "集团",
    "工作室",
    "门市",
]
_PLACE_ALT = "|".join(sorted(_PLACE_WORDS, key=len, reverse=True))

PARTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("town", re.compile(rf"{_H}{{1,8}}?(?:街道|镇|乡)")),
    ("junction", re.compile(rf"与{_H}{{1,10}}?(?:大道|大街|路|街)(?:交叉口|交汇处|路口)?")),
    ("village", re.compile(rf"{_H}{{1,6}}?(?:村委会|村|社区|嘎查)(?:{_NUM}(?:组|队|社))?")),
    (
        "road",
        re.compile(
            rf"{_H}{{1,10}}?(?:大道|大街|路|街|巷|弄|胡同|道)(?:{_NUM}段|[东西南北中]段|[东西南北](?![路街]))?"
        ),
    ),
    ("corner", re.compile(r"(?:交叉口|交汇处|路口)?[东西南北]{1,2}(?:角|侧)")),
    ("number", re.compile(r"[0-9]+(?:[-之][0-9]+)? ?(?:号院|号楼|号|弄|巷)")),
    ("group", re.compile(rf"{_NUM}(?:组|队)")),
    ("unit", re.compile(rf"{_NUM}单元")),
    ("room", re.compile(r"[0-9]+(?:室|房|户)")),
    ("building", re.compile(r"[0-9A-Za-z一二三四五六七八九十]{1,4}(?:栋|幢|号楼|座|期|区|排|楼)")),
    ("floor", re.compile(r"[0-9]{1,3}(?:层|F|f)")),
    ("place", re.compile(rf"(?![0-9]){_HA}{{0,14}}?(?:{_PLACE_ALT})")),
)
# The parts as one alternation, tried in the order above: one match call per part read.
_ANY_PART = re.compile("|".join(f"(?P<{kind}>{pattern.pattern})" for kind, pattern in PARTS))
# After a building, unit, floor or number a bare 1502 or 3-2-1502 is the room.
_BARE_ROOM = re.compile(r"[0-9A-Za-z]{0,2}[0-9]{1,5}(?:-[0-9]{1,5}){0,2}(?![0-9])")
_ROOM_AFTER = frozenset(
    {"building", "unit", "floor", "number", "place", "road", "village", "estate"}
)
# A place with no telling suffix (保利天悦, 龙湖天街) still counts when a building or unit follows.
_ESTATE = re.compile(
    rf"{_HA}{{2,8}}?(?=[0-9A-Za-z一二三四五六七八九十]{{1,4}}(?:栋|幢|号楼|座|单元)|[0-9]{{1,3}}-[0-9]{{1,2}}-[0-9]{{2,5}})"
)
_MASK = re.compile(r"[*×＊]{2,}")
# A name without a telling suffix that ends the address: 文三路478号保利天悦 (end of field).
_TRAILING_ESTATE = re.compile(rf"{_HA}{{2,8}}(?=$|[\s,，。;；、|/()（）\]】])")
_NOT_ESTATE = ("附近", "门口", "旁边", "对面", "楼下", "一带", "左右", "那边", "这边", "里面")


@dataclass(frozen=True)
class Detail:
    """What `parse_detail` read: where it ends, its parts, and whether a mask follows."""

    end: int
    parts: tuple[str, ...]
    masked_end: int = 0

    @property
    def strong(self) -> bool:
        """Return whether the parts alone make an address (road and number, village, …)."""
        kinds = set(self.parts)
        if {"road", "number"} <= kinds or {"town", "village"} <= kinds:
            return True
        if "village" in kinds and "group" in kinds:
            return True
        specific = kinds & {
            "building",
            "unit",
            "room",
            "floor",
            "number",
            "group",
            "junction",
            "corner",
        }
        return bool(specific) and len(self.parts) >= 2


def parse_detail(text: str, at: int, breaks: frozenset[int] = frozenset()) -> Detail:
    """Read the address parts that follow each other from `at` (single spaces allowed).

    `breaks`: where line breaks were taken out of `text`; a suffix-less estate name is only
    read on the same line as the number before it.
    """
    parts: list[str] = []
    end = pos = at
    while pos < len(text):
        kind, stop = _part_at(text, pos, parts[-1] if parts else "", breaks)
        if not kind and text[pos] == " " and parts and pos + 1 not in breaks:
            kind, stop = _part_at(text, pos + 1, parts[-1], breaks)
            if kind == "bare_room":
                kind = ""  # a space then digits is more often a phone than a room
        if not kind:
            break
        parts.append(kind)
        end = pos = stop
    if parts and parts[-1] == "number" and end not in breaks:
        estate = _TRAILING_ESTATE.match(text, end)
        if estate and not estate.group().startswith(_NOT_ESTATE):
            parts.append("estate")
            end = estate.end()
    mask = _MASK.match(text, end)
    return Detail(end, tuple(parts), mask.end() if mask else 0)


def _part_at(text: str, pos: int, last: str, breaks: frozenset[int]) -> tuple[str, int]:
    match = _ANY_PART.match(text, pos)
    if match and (match.lastgroup != "place" or match.end() - pos >= 2):
        return str(match.lastgroup), match.end()
    if last in ("road", "number", "town", "village", "place"):
        match = _ESTATE.match(text, pos)
        if match:
            return "estate", match.end()
    if last in _ROOM_AFTER and pos not in breaks:
        match = _BARE_ROOM.match(text, pos)
        if match and match.end() > pos and any(ch.isdigit() for ch in match.group()):
            return "bare_room", match.end()
    return "", pos
