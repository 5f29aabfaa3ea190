"""Division names for scanning free text: where does a province, city or district name start?

Built from the national division codes inside `cpca` (the same data `divisions.py` resolves
with). Provinces and cities also match in their short forms (浙江, 杭州); districts and
counties only in full (西湖区), because their short forms are everyday words.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import lru_cache

_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "地区",
    "盟",
    "省",
    "市",
)
_ROAD_NEXT = re.compile(r"[东西南北中]?(?:路|街|大道|大街|巷|弄|胡同|道(?=[0-9]))")
_SKIP = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class DivisionLexicon:
    """Division names by first character, with the lengths to try at each position."""

    names: dict[str, int]  # name → level: 1 province, 2 city, 3 district/county
    lengths: dict[str, tuple[int, ...]]  # first character → candidate lengths, longest first
    starts: re.Pattern[str]  # any first character of a name, to skip the rest in C
    pairs: frozenset[str]  # the first two characters of every name

    def longest_at(self, text: str, at: int) -> int:
        """Return the length of the longest division name starting at `at`, or 0."""
        if at >= len(text) or text[at : at + 2] not in self.pairs:
            return 0
        room = len(text) - at
        for length in self.lengths.get(text[at], ()):
            if length <= room and text[at : at + length] in self.names:
                return length
        return 0

    def run_at(self, text: str, at: int) -> tuple[int, int]:
        """Return (end, count) of consecutive division names at `at`, each a level below the last.

        Spaces may separate them. A name that a road suffix follows (北京路, 中山路, 山西路) is
        the start of a road, not a division.
        """
        end, count, pos, level = at, 0, at, 0
        while True:
            length = self.longest_at(text, pos)
            if not length or _ROAD_NEXT.match(text, pos + length):
                return end, count
            found = self.names[text[pos : pos + length]]
            if found <= level:
                return end, count
            count, level, end = count + 1, found, pos + length
            pos = end + 1 if text[end : end + 1] == " " else end

    def prefix_length(self, text: str) -> int:
        """Return how many leading characters of an address are division names."""
        return self.run_at(text, 0)[0]


@lru_cache(maxsize=1)
def division_lexicon() -> DivisionLexicon:
    """Return the lexicon, built once from cpca's division table."""
    import cpca

    path = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
    names: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name, code = row["name"], row["adcode"][:6]
            if name in _SKIP:
                continue
            level = 1 if code.endswith("0000") else 2 if code.endswith("00") else 3
            names.setdefault(name, level)
            if level < 3:
                short = _short(name)
                if short:
                    names.setdefault(short, level)
            elif len(name) < 3:
                names.pop(name, None)  # 城区, 郊区, 矿区: words, not places
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[0], set()).add(len(name))
    ordered = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
    seconds = "".join(sorted({name[1] for name in names}))
    starts = re.compile("[" + "".join(sorted(ordered)) + "](?=[" + seconds + "])")
    return DivisionLexicon(names, ordered, starts, frozenset(name[:2] for name in names))


def _short(name: str) -> str:
    return without_suffix(name) or ""


def without_suffix(name: str) -> str | None:
    """Return a division's name without its administrative suffix (杭州市 → 杭州), or None."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None
