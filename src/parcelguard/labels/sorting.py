"""Sorting code and destination of a label, from the recipient's region only (never the detail).

The sorting code is the province's one-character abbreviation and the city and district
digits of the national division code: 浙江省杭州市西湖区 (330106) → `浙01-06`. The destination
is the city's short name and the district: `杭州 西湖区`.
"""

from __future__ import annotations

from parcelguard.pii.division_lexicon import without_suffix

PROVINCE_ABBREVIATIONS = {
    "11": "京",
    "12": "津",
    "13": "冀",
    "14": "晋",
    "15": "蒙",
    "21": "辽",
    "22": "吉",
    "23": "黑",
    "31": "沪",
    "32": "苏",
    "33": "浙",
    "34": "皖",
    "35": "闽",
    "36": "赣",
    "37": "鲁",
    "41": "豫",
    "42": "鄂",
    "43": "湘",
    "44": "粤",
    "45": "桂",
    "46": "琼",
    "50": "渝",
    "51": "川",
    "52": "贵",
    "53": "云",
    "54": "藏",
    "61": "陕",
    "62": "甘",
    "63": "青",
    "64": "宁",
    "65": "新",
    "71": "台",
    "81": "港",
    "82": "澳",
}


def short_name(division: str) -> str:
    """Return a division's name without its administrative suffix: 杭州市 → 杭州."""
    return without_suffix(division) or division


def sorting_code(adcode: str) -> str:
    """Return the sorting code of a six-digit division code: 330106 → 浙01-06."""
    code = adcode.strip()
    if len(code) < 6 or not code[:6].isdigit():
        return ""
    return f"{PROVINCE_ABBREVIATIONS.get(code[:2], code[:2])}{code[2:4]}-{code[4:6]}"


def destination(province: str, city: str, district: str) -> str:
    """Return the destination line: the city's short name and the district (杭州 西湖区)."""
    place = short_name(city or province)
    return f"{place} {district}".strip() if district and district != city else place
