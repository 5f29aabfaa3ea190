"""The one registry of sealed columns: every table whose rows carry an envelope, declared once.

Each domain declares its sealed tables in its `models.py`, beside the ORM class, with
`register_sealed(SealedTable(...))`. KEK rotation (`vault.keys`) walks this registry: it
rewraps every row under an old KEK or an old format and counts the KEK versions still in use,
so retiring a KEK never depends on a domain remembering to hook into rotation. A table with a
wrapped-key column that is not registered stops retirement (`vault.keys.retire_unused`) and
fails `tests/crypto/test_sealed_registry.py`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class SealedTable:
    """One table's envelope: where the wrapped key lives, which fields it seals, whose they are.

    `owner` is the AAD builder: a format string over the row's columns naming the row in the
    associated data (`"{shipment_id}/{role}"`); each field's context is
    (tenant, owner, field name), and the data key's is (tenant, owner, `"data_key"`).
    """

    model: type[Any]
    owner: str
    fields: Mapping[str, str]  # field name in the AAD -> ciphertext column
    key_column: str = "key_blob"
    kek_column: str = "kek_version"
    format_column: str = "seal_format"
    epoch_column: str | None = "epoch"
    fixed_epoch: date | None = None  # the retention epoch when the table has no epoch column
    tenant_column: str = "tenant_id"
    owner_columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = tuple(n for _, n, _, _ in string.Formatter().parse(self.owner) if n)
        object.__setattr__(self, "owner_columns", names)
        if (self.epoch_column is None) == (self.fixed_epoch is None):
            raise ValueError(f"{self.name}: give an epoch column or a fixed epoch, not both")
        table = self.model.__table__
        for column in (*self.columns(), self.tenant_column, *names):
            if column not in table.c:
                raise ValueError(f"{self.name} has no column {column!r} to seal or bind")

    @property
    def name(self) -> str:
        """Return the table's name."""
        return str(self.model.__tablename__)

    def columns(self) -> tuple[str, ...]:
        """Return every column the envelope owns: key, KEK version, format, epoch, ciphertexts."""
        epoch = (self.epoch_column,) if self.epoch_column else ()
        return (self.key_column, self.kek_column, self.format_column, *epoch, *self.fields.values())

    def owner_of(self, row: Any) -> str:
        """Return the owner id of a row (an ORM object)."""
        return self.owner.format(**{c: getattr(row, c) for c in self.owner_columns})

    def owner_from(self, ids: Mapping[str, Any]) -> str:
        """Return the owner id of a row not built yet, from its identifying column values."""
        return self.owner.format(**{c: ids[c] for c in self.owner_columns})

    def epoch_of(self, row: Any) -> date:
        """Return the retention epoch a row's data key is sealed under."""
        if self.epoch_column is None:
            assert self.fixed_epoch is not None
            return self.fixed_epoch
        value: date = getattr(row, self.epoch_column)
        return value


_REGISTRY: dict[str, SealedTable] = {}


def register_sealed(table: SealedTable) -> SealedTable:
    """Add a table to the registry (idempotent for the same declaration) and return it."""
    known = _REGISTRY.get(table.name)
    if known is not None and known != table:
        raise ValueError(f"table {table.name} is already registered with another envelope")
    _REGISTRY[table.name] = table
    return table


def sealed_tables() -> tuple[SealedTable, ...]:
    """Return every registered table, in a stable order."""
    return tuple(_REGISTRY[name] for name in sorted(_REGISTRY))
