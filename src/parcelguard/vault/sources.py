"""Known shipment-file layouts (`sources.toml`): which column is which field, and whose file it is.

The data file, not code, says what every shop export and carrier template calls its columns;
this module loads it once, recognises a row of headers against it and explains what it could
not recognise (the closest known names) so a person can map the rest.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from parcelguard.errors import ConfigError

PARTIES = ("recipient", "sender")
PARTY_PARTS = (
    "name",
    "phone",
    "phone_ext",
    "address",
    "province",
    "city",
    "district",
    "street",
    "house",
    "info",
)
FIELDS: tuple[str, ...] = (
    "waybill_no",
    "carrier",
    "created_at",
    "station_id",
    "courier_id",
    "sender_id_no",
    *(f"{party}_{part}" for party in PARTIES for part in PARTY_PARTS),
)
# Short names people may write in --map and in [import.mappings]: 快递单号=waybill.
SHORT_NAMES = {
    "waybill": "waybill_no",
    "station": "station_id",
    "courier": "courier_id",
    "created": "created_at",
    "id_no": "sender_id_no",
    "name": "recipient_name",
    "phone": "recipient_phone",
    "address": "recipient_address",
}
IGNORE = "ignore"
_MARKERS = re.compile(r"[(\[](?:必填|选填|可选|非必填|必选|required|optional)[)\]]|[*＊※]")


def clean_header(text: object) -> str:
    """Return a header cell as compared: width-folded, lower case, no spaces or markers."""
    value = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")
    value = _MARKERS.sub("", value)
    value = "".join(value.split()).strip("'`\"‘’“”=")
    return value.rstrip(":：").lower()


@dataclass(frozen=True)
class Source:
    """One known layout: a shop's order export or a carrier's bulk-send template."""

    id: str
    title: str
    title_en: str
    kind: str
    checked: bool
    signature: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Catalogue:
    """Every known name of every field, and every known layout."""

    names: dict[str, tuple[str, ...]]
    sources: dict[str, Source]
    unrelated: frozenset[str] = frozenset()

    def known_names(self, field_name: str) -> list[str]:
        """Return every header name that means `field_name`, generic names first."""
        found = list(self.names.get(field_name, ()))
        for source in self.sources.values():
            found += [n for n in source.columns.get(field_name, ()) if n not in found]
        return found

    def detect(self, cleaned: Sequence[str]) -> Source | None:
        """Return the layout whose signature these headers match best (unique winner only)."""
        present = set(cleaned)
        scores: list[tuple[float, str]] = []
        for source in self.sources.values():
            hits = sum(1 for name in source.signature if name in present)
            if source.signature and hits / len(source.signature) >= 0.6:
                scores.append((hits / len(source.signature) + hits / 100, source.id))
        scores.sort(reverse=True)
        if not scores or (len(scores) > 1 and scores[0][0] == scores[1][0]):
            return None
        return self.sources[scores[0][1]]


@dataclass
class ColumnPlan:
    """Which column feeds which field, whose layout it is and how each column is called."""

    headers: list[str]
    columns: dict[str, list[int]] = field(default_factory=dict)
    source: Source | None = None
    ignored: list[int] = field(default_factory=list)

    def column_name(self, field_name: str) -> str | None:
        """Return the user's own header of the (first) column feeding `field_name`."""
        cols = self.columns.get(field_name)
        return self.headers[cols[0]] if cols else None

    def has(self, field_name: str) -> bool:
        """Return whether some column feeds `field_name`."""
        return bool(self.columns.get(field_name))

    def has_party(self, party: str, part: str) -> bool:
        """Return whether the file can give this part of a party (directly or assembled)."""
        direct = self.has(f"{party}_{part}") or self.has(f"{party}_info")
        if part == "address":
            return direct or any(
                self.has(f"{party}_{p}") for p in ("province", "city", "district", "street")
            )
        return direct

    def has_any_party_column(self, party: str) -> bool:
        """Return whether any column belongs to `party` (a file without sender columns …)."""
        return any(self.has(f"{party}_{part}") for part in PARTY_PARTS) or (
            party == "sender" and self.has("sender_id_no")
        )

    def mapping(self) -> dict[str, str]:
        """Return field → the user's column name(s), for dry runs and reports."""
        return {
            name: " | ".join(self.headers[c] for c in cols)
            for name, cols in self.columns.items()
            if cols
        }

    def unmapped(self) -> list[str]:
        """Return the headers no field uses (they are not imported)."""
        used = {c for cols in self.columns.values() for c in cols} | set(self.ignored)
        return [h for i, h in enumerate(self.headers) if i not in used and h.strip()]


def canonical_field(name: str) -> str:
    """Return the field a --map target names (`waybill` → `waybill_no`), or raise."""
    key = name.strip().lower()
    key = SHORT_NAMES.get(key, key)
    if key != IGNORE and key not in FIELDS:
        raise ConfigError(
            f"unknown field {name!r} in a column mapping; use one of: "
            + ", ".join((*SHORT_NAMES, *FIELDS, IGNORE))
        )
    return key


def recognise(
    headers: Sequence[str],
    overrides: dict[str, str] | None = None,
    source_id: str | None = None,
    saved: dict[str, dict[str, str]] | None = None,
) -> ColumnPlan:
    """Map a row of headers to fields: explicit mapping, then the layout's names, then generic.

    `overrides` (column → field, from --map) win over `saved[<layout id>]` and
    `saved["default"]` (config.toml's `[import.mappings.<id>]`), which win over recognition.
    """
    cat = catalogue()
    cleaned = [clean_header(h) for h in headers]
    source = _chosen_source(cat, cleaned, source_id)
    plan = ColumnPlan([str(h).strip() for h in headers], source=source)
    taken: set[int] = set()
    saved = saved or {}
    kept = {**saved.get("default", {}), **(saved.get(source.id, {}) if source else {})}
    for column, target in kept.items():  # a saved mapping applies where its column exists
        if clean_header(column) in cleaned and column not in (overrides or {}):
            _assign_explicit(plan, cleaned, column, canonical_field(target), taken)
    for column, target in (overrides or {}).items():
        _assign_explicit(plan, cleaned, column, canonical_field(target), taken)
    if source is not None:
        _assign(plan, cleaned, source.columns.items(), taken, cat.unrelated)
    _assign(plan, cleaned, cat.names.items(), taken, cat.unrelated)
    return plan


def _chosen_source(cat: Catalogue, cleaned: Sequence[str], source_id: str | None) -> Source | None:
    if source_id is None:
        return cat.detect(cleaned)
    if source_id not in cat.sources:
        raise ConfigError(
            f"unknown source {source_id!r}; known: {', '.join(sorted(cat.sources))}",
            code="unknown_source",
        )
    return cat.sources[source_id]


def _assign_explicit(
    plan: ColumnPlan, cleaned: Sequence[str], column: str, target: str, taken: set[int]
) -> None:
    key = clean_header(column)
    if key not in cleaned:
        raise ConfigError(
            f"the mapping names a column {column!r} that is not in the file; "
            f"headers found: {', '.join(h for h in plan.headers if h)}",
            code="unknown_column",
        )
    index = cleaned.index(key)
    taken.add(index)
    if target == IGNORE:
        plan.ignored.append(index)
    else:
        plan.columns.setdefault(target, []).append(index)


def _assign(
    plan: ColumnPlan,
    cleaned: Sequence[str],
    names: Iterable[tuple[str, tuple[str, ...]]],
    taken: set[int],
    unrelated: frozenset[str],
) -> None:
    """Give each still unmapped field the first free column one of its names matches."""
    for target, aliases in names:
        several = target.endswith("_phone")
        if plan.columns.get(target) and not several:
            continue
        for alias in aliases:
            if alias in cleaned and cleaned.index(alias) not in taken and alias not in unrelated:
                index = cleaned.index(alias)
                taken.add(index)
                plan.columns.setdefault(target, []).append(index)
                if not several:
                    break


def closest_names(headers: Sequence[str], field_name: str, limit: int = 3) -> list[str]:
    """Return the file's headers that look most like a known name of `field_name`."""
    cat = catalogue()
    known = cat.known_names(field_name)
    scored: list[tuple[float, str]] = []
    for header in headers:
        key = clean_header(header)
        if not key or key in cat.unrelated:
            continue
        best = max((difflib.SequenceMatcher(None, key, k).ratio() for k in known), default=0.0)
        if best >= 0.5:
            scored.append((best, str(header).strip()))
    scored.sort(key=lambda item: -item[0])
    return [name for _, name in scored[:limit]]


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """Return the layouts of `sources.toml` (read once)."""
    text = resources.files("parcelguard.vault").joinpath("sources.toml").read_text("utf-8")
    return parse_catalogue(tomllib.loads(text))


def parse_catalogue(data: dict[str, object]) -> Catalogue:
    """Build a catalogue from the parsed data file, refusing unknown fields."""
    raw_fields = data.get("fields", {})
    raw_sources = data.get("sources", {})
    if not isinstance(raw_fields, dict) or not isinstance(raw_sources, dict):
        raise ConfigError("sources.toml: [fields] and [sources] must be tables")
    names = {key: _names(key, value) for key, value in raw_fields.items()}
    sources = {}
    for source_id, spec in raw_sources.items():
        columns = {key: _names(key, value) for key, value in spec.get("columns", {}).items()}
        sources[source_id] = Source(
            id=source_id,
            title=str(spec.get("title", source_id)),
            title_en=str(spec.get("title_en", source_id)),
            kind=str(spec.get("kind", "shop")),
            checked=bool(spec.get("checked", False)),
            signature=tuple(clean_header(n) for n in spec.get("signature", [])),
            columns=columns,
        )
    unrelated = data.get("unrelated", {})
    words = unrelated.get("names", []) if isinstance(unrelated, dict) else []
    return Catalogue(names, sources, frozenset(clean_header(w) for w in words))


def _names(key: str, value: object) -> tuple[str, ...]:
    if key not in FIELDS:
        raise ConfigError(f"sources.toml names an unknown field {key!r}")
    if not isinstance(value, list):
        raise ConfigError(f"sources.toml: {key} must be a list of header names")
    return tuple(dict.fromkeys(clean_header(v) for v in value))
