"""Put a party together from the cells a layout splits it into, or one cell holds whole.

Split layouts give 省 / 市 / 区 / 街道 / 详细地址 (/ 门牌号) in separate columns; the full
address is the parts in that order, each written once even when the detail repeats the
divisions. A combined cell (收货信息: "张三，13800138000，浙江省杭州市…") is cut at the phone
number the phone recognizers find; the short piece that reads as a name is the name, the
rest is the address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parcelguard.pii.normalize import normalize_phone, to_halfwidth
from parcelguard.pii.surnames import surname_at

_PIECES = re.compile(r"[，,;；|\n\t]+")
_SPACE = re.compile(r"\s+")
_LABEL = re.compile(
    r"(?:收货人|收件人|收货地址|收件地址|姓名|手机号码|手机号|手机|电话|地址|联系方式)\s*[:：]"
)
# A phone inside free text: a mobile or a landline, with +86 and an extension if present.
_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?"
    r"(?:1[3-9][0-9](?:[ -]?[0-9]){8}|0[1-9][0-9]{1,2}[ -]?[2-9][0-9]{6,7})"
    r"(?:\s*(?:转|分机|ext\.?|#|-|_)\s*[0-9]{1,6}|\s*[\[(（【][0-9]{1,6}[\])）】])?"
    r"(?![0-9])",
    re.IGNORECASE,
)
_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "省", "市", "区", "县", "盟", "旗")
_ROADS = ("路", "街", "道", "巷", "弄", "大道", "村", "胡同")


@dataclass(frozen=True)
class PartyCells:
    """A party's name, phone and address as a file or `[sender]` gives them (never logged)."""

    name: str
    phone: str
    address: str

    def __repr__(self) -> str:
        return "PartyCells(***)"


def join_address(
    province: str = "",
    city: str = "",
    district: str = "",
    street: str = "",
    detail: str = "",
    house: str = "",
) -> str:
    """Return the full address from split parts, writing each division once.

    A municipality's city column that repeats the province is dropped; a detail that repeats
    the divisions at its start (浙江省杭州市西湖区文三路…, or 杭州西湖区…) loses the repeat.
    """
    parts = [_compact(p) for p in (province, city, district, street)]
    full = ""
    for part in parts:
        if part and not _repeats(part, full):
            full += part
    return full + _strip_divisions(_compact(detail), parts) + _compact(house)


def parse_combined(text: str) -> PartyCells | None:
    """Split one cell holding a name, a phone and an address; None without a phone in it."""
    value = _LABEL.sub(" ", to_halfwidth(text)).strip()
    match = _PHONE_IN_TEXT.search(value)
    if match is None or normalize_phone(match.group()) is None:
        return None
    before, after = value[: match.start()], value[match.end() :]
    pieces = [p.strip() for p in _PIECES.split(before + "\n" + after)]
    name, pieces = _take_name([p for p in pieces if p])
    address = "".join(_compact(p) for p in pieces)
    return PartyCells(name, match.group().strip(), address)


def has_phone(text: str) -> bool:
    """Return whether free text holds a phone number (an address cell that is really combined)."""
    match = _PHONE_IN_TEXT.search(to_halfwidth(text))
    return match is not None and normalize_phone(match.group()) is not None


def _take_name(pieces: list[str]) -> tuple[str, list[str]]:
    """Return the name among the pieces ("张三", "…1号 张三", "张三 浙江省…") and the rest."""
    for i, piece in enumerate(pieces):
        words = piece.split()
        options = [(piece, "")]
        if len(words) > 1:
            options += [(words[-1], " ".join(words[:-1])), (words[0], " ".join(words[1:]))]
        for word, rest in options:
            if 2 <= len(word) <= 5 and _looks_like_name(word):
                return word, [*pieces[:i], *([rest] if rest else []), *pieces[i + 1 :]]
    return "", pieces


def _looks_like_name(word: str) -> bool:
    if any(ch.isdigit() for ch in word) or word.endswith(_SUFFIXES):
        return False
    if word.isascii():
        return word.replace(".", "").replace(" ", "").isalpha()
    return bool(surname_at(word, 0)) and all("\u4e00" <= ch <= "\u9fff" or ch == "·" for ch in word)


def _compact(text: str) -> str:
    return _SPACE.sub("", to_halfwidth(text or "")).strip()


def _repeats(part: str, text: str) -> bool:
    """Return whether `text` already ends with `part` or its short form (北京 for 北京市)."""
    short = _short(part)
    return bool(text) and (text.endswith(part) or (len(short) >= 2 and text.endswith(short)))


def _strip_divisions(detail: str, parts: list[str]) -> str:
    """Drop the divisions a detail repeats at its start, in order.

    Full names always; the short form of a province or city only when no road name follows
    (杭州西湖区… loses 杭州, 杭州路… keeps it).
    """
    rest = detail
    for i, part in enumerate(parts):
        if not part:
            continue
        if rest.startswith(part):
            rest = rest[len(part) :]
            continue
        short = _short(part)
        after = rest[len(short) :]
        if i < 2 and len(short) >= 2 and rest.startswith(short) and not after.startswith(_ROADS):
            rest = after
    return rest


def _short(part: str) -> str:
    for suffix in _SUFFIXES:
        if part.endswith(suffix) and len(part) - len(suffix) >= 2:
            return part[: -len(suffix)]
    return part
