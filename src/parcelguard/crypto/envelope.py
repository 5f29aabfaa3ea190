"""The envelope recipe: a row's fields sealed under its own data key, wrapped by the keyring.

One recipe for every sealed table (`sealed_columns.SealedTable`): a fresh data key per row,
wrapped by the active KEK and the row's retention epoch (`Keyring.wrap_data_key`); each field
sealed under that key in the current format (`sealed_format`), bound to (tenant, owner, field).
Rewrapping moves a row to the active KEK and, when it is still in an old format, re-seals its
fields in the current one under the same data key: the lazy upgrade `keys rotate` completes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from parcelguard.crypto.keyring import Keyring, WrappedKey
from parcelguard.crypto.seal import KEY_BYTES, FieldCipher
from parcelguard.crypto.sealed_columns import SealedTable
from parcelguard.crypto.sealed_format import FORMAT, NONCE, context
from parcelguard.errors import InvalidInput
from parcelguard.sensitive import Sensitive

DATA_KEY_FIELD = "data_key"


class Envelope:
    """Seals, opens and rewraps the sealed columns of one table for one tenant."""

    __slots__ = ("keyring", "table", "tenant_id")

    def __init__(self, keyring: Keyring, tenant_id: str, table: SealedTable) -> None:
        self.keyring = keyring
        self.tenant_id = tenant_id
        self.table = table

    def seal_new(
        self, ids: Mapping[str, Any], values: Mapping[str, str | None], epoch: date | None = None
    ) -> dict[str, Any]:
        """Return the envelope's column values for a new row identified by `ids`.

        `values` maps field names to plaintexts (None leaves that ciphertext empty); `epoch`
        is the retention day (tables with a fixed epoch take none).
        """
        self._known(values)
        owner = self.table.owner_from(ids)
        epoch = self._epoch(epoch)
        # The data key and every nonce in one system call (an import seals four fields a row).
        random = os.urandom(KEY_BYTES + NONCE * len(values))
        data_key = random[:KEY_BYTES]
        prefix = self._ctx(owner, "")  # the context of every field is prefix + field name
        wrapped = self.keyring.wrap_data_key(data_key, epoch, prefix + DATA_KEY_FIELD.encode())
        cipher = FieldCipher(data_key)
        columns: dict[str, Any] = {
            self.table.key_column: wrapped.blob,
            self.table.kek_column: wrapped.kek_version,
            self.table.format_column: wrapped.format,
        }
        if self.table.epoch_column:
            columns[self.table.epoch_column] = epoch
        for i, (name, plain) in enumerate(values.items()):
            nonce = random[KEY_BYTES + i * NONCE :][:NONCE]
            sealed = None if plain is None else cipher.seal(plain, prefix + name.encode(), nonce)
            columns[self.table.fields[name]] = sealed
        return columns

    def seal_row(
        self, row: Any, values: Mapping[str, str | None], epoch: date | None = None
    ) -> None:
        """Give an ORM row a fresh data key and seal `values` on it."""
        ids = {c: getattr(row, c) for c in self.table.owner_columns}
        for column, value in self.seal_new(ids, values, epoch).items():
            setattr(row, column, value)

    def seal_field(self, row: Any, name: str, value: str) -> None:
        """Seal one more field under the row's existing data key (upgrading the row first)."""
        self._known([name])
        if getattr(row, self.table.format_column) != FORMAT:
            self.rewrap(row)
        cipher = self._cipher(row)
        setattr(row, self.table.fields[name], cipher.seal(value, self._field_ctx(row, name)))

    def open(self, row: Any, fields: Iterable[str]) -> dict[str, Sensitive]:
        """Open the asked fields of a row; empty ones are left out."""
        fields = list(fields)
        self._known(fields)
        owner = self.table.owner_of(row)
        prefix = self._ctx(owner, "")
        cipher: FieldCipher | None = None
        version = getattr(row, self.table.format_column)
        opened: dict[str, Sensitive] = {}
        for name in fields:
            blob = getattr(row, self.table.fields[name])
            if blob is None:
                continue
            cipher = cipher or self._cipher(row, owner)
            opened[name] = cipher.open(blob, prefix + name.encode(), version=version)
        return opened

    def rewrap(self, row: Any, epoch: date | None = None) -> None:
        """Wrap the row's data key under the active KEK (and `epoch` when given).

        A row still in an old format has its fields re-sealed in the current one under the
        same data key, so the watermark can then be raised.
        """
        table = self.table
        data_key = self._data_key(row)
        resealed = self._resealed(row, data_key)
        target = epoch or table.epoch_of(row)
        ctx = self._ctx(table.owner_of(row), DATA_KEY_FIELD)
        new = self.keyring.wrap_data_key(data_key, target, ctx)
        setattr(row, table.key_column, new.blob)
        setattr(row, table.kek_column, new.kek_version)
        setattr(row, table.format_column, new.format)
        if table.epoch_column:
            setattr(row, table.epoch_column, target)
        for column, blob in resealed.items():
            setattr(row, column, blob)

    # -- internals ---------------------------------------------------------------------------

    def _data_key(self, row: Any, owner: str | None = None) -> bytes:
        table = self.table
        wrapped = WrappedKey(
            getattr(row, table.kek_column),
            table.epoch_of(row),
            getattr(row, table.key_column),
            getattr(row, table.format_column),
        )
        ctx = self._ctx(owner or table.owner_of(row), DATA_KEY_FIELD)
        return self.keyring.unwrap_data_key(wrapped, ctx)

    def _resealed(self, row: Any, data_key: bytes) -> dict[str, bytes]:
        """Return the row's ciphertexts sealed again in the current format (none if current)."""
        version = getattr(row, self.table.format_column)
        if version == FORMAT:
            return {}
        cipher = FieldCipher(data_key, policy=self.keyring.policy)
        resealed: dict[str, bytes] = {}
        for name, column in self.table.fields.items():
            blob = getattr(row, column)
            if blob is not None:
                ctx = self._field_ctx(row, name)
                resealed[column] = cipher.seal(cipher.open_bytes(blob, ctx, version=version), ctx)
        return resealed

    def _cipher(self, row: Any, owner: str | None = None) -> FieldCipher:
        return FieldCipher(self._data_key(row, owner), policy=self.keyring.policy)

    def _ctx(self, owner: str, name: str) -> bytes:
        return context(self.tenant_id, owner, name)

    def _field_ctx(self, row: Any, name: str) -> bytes:
        return self._ctx(self.table.owner_of(row), name)

    def _epoch(self, epoch: date | None) -> date:
        if self.table.fixed_epoch is not None:
            return self.table.fixed_epoch
        if epoch is None:
            raise ValueError(f"sealing a {self.table.name} row needs its retention epoch")
        return epoch

    def _known(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self.table.fields:
                raise InvalidInput("unknown sealed field", code="unknown_field")
