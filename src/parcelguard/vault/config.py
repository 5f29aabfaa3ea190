"""The import tables of config.toml: the default sender (per station) and saved column mappings.

[sender]                       who sends when a file has no sender columns (shop exports)
name = "杭州好物旗舰店"
phone = "0571-88886666"
address = "浙江省杭州市余杭区文一西路 969 号"

[stations.st-xihu.sender]      a station's own default sender (rows whose station is it)

[import.mappings.taobao]       column = field, applied to files recognised as that layout
"物流编号" = "waybill_no"         ("default" applies to files no layout matched)
"""

from __future__ import annotations

from pydantic import BaseModel, Field, RootModel, model_validator

from parcelguard.pii.normalize import normalize_phone
from parcelguard.runtime import Runtime
from parcelguard.vault.rows import RowRules, SenderDefault
from parcelguard.vault.sources import canonical_field, catalogue


class SenderConfig(BaseModel):
    """A default sender: all three of name, phone and address, or none."""

    model_config = {"extra": "forbid"}

    name: str | None = Field(default=None, max_length=64, description="sender's name")
    phone: str | None = Field(default=None, max_length=32, description="sender's phone")
    address: str | None = Field(
        default=None, max_length=200, description="full address from the province down"
    )

    @model_validator(mode="after")
    def _complete(self) -> SenderConfig:
        given = [v for v in (self.name, self.phone, self.address) if v]
        if given and len(given) != 3:
            raise ValueError("give name, phone and address of the default sender, or none")
        if self.phone and normalize_phone(self.phone) is None:
            raise ValueError("phone is not a mainland mobile or a landline with area code")
        return self

    def default(self) -> SenderDefault | None:
        """Return the default sender, or None when not configured."""
        if not (self.name and self.phone and self.address):
            return None
        return SenderDefault(self.name, self.phone, self.address)


class StationConfig(BaseModel):
    """Per-station settings (`[stations.<id>]`); only the default sender for now."""

    model_config = {"extra": "allow"}

    sender: SenderConfig = Field(default_factory=SenderConfig)


class Stations(RootModel[dict[str, StationConfig]]):
    """`[stations.<id>]`: per-station settings by station id."""

    root: dict[str, StationConfig] = Field(default_factory=dict)


class ImportConfig(BaseModel):
    """`[import]`: saved column mappings per layout (`[import.mappings.<source>]`)."""

    model_config = {"extra": "forbid"}

    mappings: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="per layout id (or 'default'): column name = field",
    )

    @model_validator(mode="after")
    def _known(self) -> ImportConfig:
        known = set(catalogue().sources) | {"default"}
        for source, columns in self.mappings.items():
            if source not in known:
                raise ValueError(f"mappings.{source}: unknown layout; known: {sorted(known)}")
            for target in columns.values():
                canonical_field(target)
        return self


def row_rules(rt: Runtime, *, assign_waybills: bool = False) -> RowRules:
    """Return what rows may leave out under this tenant's configuration."""
    sender = rt.settings.section("sender", SenderConfig).default()
    stations: dict[str, SenderDefault] = {}
    for station_id, station in rt.settings.section("stations", Stations).root.items():
        found = station.sender.default()
        if found is not None:
            stations[station_id] = found
    return RowRules(sender, stations, assign_waybills)


def saved_mappings(rt: Runtime) -> dict[str, dict[str, str]]:
    """Return `[import.mappings]` (validated)."""
    return rt.settings.section("import", ImportConfig).mappings
