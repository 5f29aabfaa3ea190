"""What an import did: counts, the imported waybills, the rejected rows (never their values)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from parcelguard.errors import PartlyDone
from parcelguard.vault.records import RawRow
from parcelguard.vault.results import ImportDocument
from parcelguard.vault.rows import RowError
from parcelguard.vault.spool import Spool

RejectSink = Callable[[RawRow | None, list[RowError]], None]


@dataclass
class ImportReport:
    """What an import did: counts, the imported waybills and the rejected rows."""

    imported: int = 0
    rejected: int = 0
    skipped: int = 0
    waybills: Spool = field(default_factory=Spool)
    errors: Spool = field(default_factory=Spool)
    dry_run: bool = False
    on_reject: RejectSink | None = field(default=None, repr=False)

    def reject(self, problems: list[RowError], raw: RawRow | None = None) -> None:
        """Count a rejected row, keep its problems and hand the row to the reject sink."""
        self.rejected += 1
        for problem in problems:
            self.errors.append(problem.as_dict())
        if self.on_reject is not None:
            self.on_reject(raw, problems)

    def as_dict(self) -> ImportDocument:
        """Return the contract's JSON shape (plus `skipped`: rows already imported)."""
        shape: ImportDocument = {
            "imported": self.imported,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "waybills": list(self.waybills),
            "errors": list(self.errors),
        }
        if self.dry_run:
            shape["imported"] = 0
            shape["dry_run"] = True
            shape["would_import"] = self.imported
        return shape

    def write_json(self, write: Callable[[str], Any], extra: dict[str, Any] | None = None) -> None:
        """Stream the JSON document without holding the lists in memory (`extra` keys first)."""
        head = "".join(
            f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}, "
            for k, v in (extra or {}).items()
        )
        stored = 0 if self.dry_run else self.imported
        dry = f'"dry_run": true, "would_import": {self.imported}, ' if self.dry_run else ""
        write(
            f'{{{head}"imported": {stored}, "rejected": {self.rejected}, '
            f'"skipped": {self.skipped}, {dry}"waybills": ['
        )
        for i, waybill in enumerate(self.waybills):
            write(("," if i else "") + json.dumps(waybill))
        write('], "errors": [')
        for i, error in enumerate(self.errors):
            write(("," if i else "") + json.dumps(error, ensure_ascii=False))
        write("]}\n")

    def raise_if_rejected(self) -> None:
        """Raise `PartlyDone` when any row was rejected."""
        if self.rejected:
            raise PartlyDone(f"{self.rejected} row(s) rejected, {self.imported} imported")
