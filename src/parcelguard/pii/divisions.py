"""Chinese administrative divisions: resolve addresses to province / city / district codes.

Uses the national division codes shipped inside the `cpca` package, offline; resolves in
batches because each call carries a fixed cost.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
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
    """Resolve each address; None where province and city cannot both be found."""
    if not addresses:
        return []
    import cpca  # loads its division tables once, on first use

    with _lock:  # cpca's matcher is not documented as thread-safe
        frame = cpca.transform(list(addresses))
    return [_region(row) for row in frame.to_dict("records")]


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
