"""Chinese administrative divisions: resolve addresses to province / city / district codes.

Uses the national division codes shipped inside the `cpca` package, offline; resolves in
batches because each call carries a fixed cost.
"""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_MUNICIPAL = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_lock = threading.Lock()


@dataclass(frozen=True)
class Region:
    """Where an address lies, down to the district when known."""

    province: str
    city: str
    district: str
    adcode: str
    detail: str

    def __repr__(self) -> str:
        return (
            f"Region({self.province}{self.city}{self.district}, adcode={self.adcode}, detail=***)"
        )

    @property
    def prefix(self) -> str:
        """Return the division names as an address starts: 浙江省杭州市西湖区."""
        city = "" if self.city == self.province else self.city
        return f"{self.province}{city}{self.district}"

    def as_dict(self) -> dict[str, str]:
        """Return the public region fields of a shipment view."""
        return {
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "adcode": self.adcode,
        }


def resolve_regions(addresses: Sequence[str]) -> list[Region | None]:
    """Resolve each address; None where province and city cannot both be found.

    Well-formed addresses (divisions written out from the province down) take a fast path
    of dictionary lookups; everything else goes through cpca's fuzzier matcher, in one batch.
    """
    fast = prefix_index()
    found: list[Region | None] = [fast.resolve(a) for a in addresses]
    rest = [i for i, region in enumerate(found) if region is None]
    if rest:
        for i, region in zip(rest, _resolve_with_cpca([addresses[i] for i in rest]), strict=True):
            found[i] = region
    return found


def _resolve_with_cpca(addresses: list[str]) -> list[Region | None]:
    import cpca  # loads its division tables once, on first use

    with _lock:  # cpca's matcher is not documented as thread-safe
        frame = cpca.transform(addresses)
    return [_region(row) for row in frame.to_dict("records")]


@lru_cache(maxsize=1)
def prefix_index() -> PrefixIndex:
    """Return the division index built from cpca's national division codes."""
    return PrefixIndex.from_cpca()


def resolve_region(address: str) -> Region | None:
    """Resolve one address."""
    return resolve_regions([address])[0]


def _region(row: dict[str, Any]) -> Region | None:
    province, city = _text(row.get("省")), _text(row.get("市"))
    district, adcode = _text(row.get("区")), _text(row.get("adcode"))
    if not province or not city:
        return None
    if city in _MUNICIPAL:
        city = province
    return Region(province, city, district, adcode[:6], _text(row.get("地址")))


def _text(value: Any) -> str:
    if value is None or value != value:  # pandas gives NaN for blanks
        return ""
    return str(value).strip()


_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")


@dataclass
class _Node:
    name: str
    adcode: str
    children: dict[str, _Node] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)

    def add(self, key: str, child: _Node) -> None:
        self.children.setdefault(key, child)
        self.lengths = sorted({len(k) for k in self.children}, reverse=True)

    def match(self, text: str, at: int) -> tuple[_Node, int] | None:
        for length in self.lengths:
            child = self.children.get(text[at : at + length])
            if child is not None:
                return child, at + length
        return None


class PrefixIndex:
    """Province → city → district names (full and short forms) for exact-prefix matching."""

    def __init__(self, root: _Node) -> None:
        self.root = root

    @classmethod
    def from_cpca(cls) -> PrefixIndex:
        """Build the index from the adcodes file inside the cpca package."""
        import cpca

        path = os.path.join(os.path.dirname(cpca.__file__), "resources", "adcodes.csv")
        with open(path, encoding="utf-8") as fh:
            names = {row["adcode"][:6]: row["name"] for row in csv.DictReader(fh)}
        root = _Node("", "")
        provinces = {
            code: _Node(name, code) for code, name in names.items() if code.endswith("0000")
        }
        for node in provinces.values():
            for key in _short_forms(node.name):
                root.add(key, node)
        cities: dict[str, _Node] = {}
        for code, name in names.items():
            if code.endswith("00") and not code.endswith("0000") and code[:2] + "0000" in provinces:
                node = _Node(name, code)
                cities[code[:4]] = node
                if name not in _MUNICIPAL:
                    for key in _short_forms(name):
                        provinces[code[:2] + "0000"].add(key, node)
        for code, name in names.items():
            if code.endswith("00") or code[:2] + "0000" not in provinces:
                continue
            city = cities.get(code[:4])
            parent = (
                provinces[code[:2] + "0000"] if city is None or city.name in _MUNICIPAL else city
            )
            parent.add(name, _Node(name, code))
        return cls(root)

    def resolve(self, address: str) -> Region | None:
        """Return the region of an address written from its province down, else None."""
        text = "".join(address.split())
        hit = self.root.match(text, 0)
        if hit is None:
            return None
        province, at = hit
        hit = province.match(text, at)
        if hit is None:
            return None
        second, at = hit
        if second.adcode.endswith("00"):  # a prefecture-level city; its district follows
            third = second.match(text, at)
            if third is None:
                return None
            district, at = third
            return Region(province.name, second.name, district.name, district.adcode, text[at:])
        return Region(province.name, province.name, second.name, second.adcode, text[at:])


def _short_forms(name: str) -> list[str]:
    forms = [name]
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            forms.append(name[: -len(suffix)])
            break
    return forms
