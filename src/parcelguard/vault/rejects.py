"""The rejected-rows file (`import --errors bad-rows.csv`): the rows to fix, with their reasons.

The file has the import file's own header, every rejected row as it was read, and three
columns at the end (错误行号, 错误列, 错误原因) that a re-import ignores. By default every
personal cell is masked (names, phones, addresses, ID numbers by their field; other columns
through the PII recognizers): the file shows what to fix where. `--unmasked` writes the cells
as read, so the fixed file can be imported again; that is a plaintext copy of personal data,
so it needs a person whose role may reveal every party field and is audited either way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

from parcelguard.access.policy import PARTY_FIELDS
from parcelguard.access.principals import Caller
from parcelguard.audit.service import Entry, auditor_for
from parcelguard.errors import Denied
from parcelguard.exportsafe import SafeCsvWriter
from parcelguard.runtime import Runtime
from parcelguard.vault.records import RawRow
from parcelguard.vault.reveal import policy_for
from parcelguard.vault.rows import RowError
from parcelguard.vault.shown import PLAIN, masked_value
from parcelguard.vault.sources import ColumnPlan

ERROR_COLUMNS = ("错误行号", "错误列", "错误原因")


def authorize_unmasked(rt: Runtime, caller: Caller, file_name: str) -> None:
    """Allow unmasked rejected rows only to a trained person who may reveal every party field.

    Couriers, station clerks, admins and service keys are refused: the rule is the reveal
    policy's (customer service and security officers by default), and both outcomes land in
    the audit log so the monitor sees who takes plaintext copies.
    """
    rule = policy_for(rt).rule(caller.role)
    today = rt.clock.now().date()
    reason = "allowed"
    if not caller.is_person or rule is None or not set(PARTY_FIELDS) <= rule.fields:
        reason = "role_may_not_reveal"
    elif caller.trained_until is None or caller.trained_until < today:
        reason = "training_required"
    elif caller.reveal_suspended:
        reason = "reveal_suspended"
    with rt.db.session() as session:
        auditor_for(rt).record(
            session,
            caller.actor,
            Entry(
                "import.rejects_unmasked",
                "import",
                None,
                decision="allow" if reason == "allowed" else "deny",
                reason=reason,
                details={"file": file_name[:120]},
            ),
        )
    if reason != "allowed":
        raise Denied(
            "unmasked rejected rows need a trained person who may reveal every party field",
            code=reason,
        )


class RejectsWriter:
    """Writes rejected rows as they come (formula-safe, created with mode 0600)."""

    def __init__(self, path: Path, plan: ColumnPlan | None, *, masked: bool = True) -> None:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        self.path = path
        self._fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self._writer = SafeCsvWriter(self._fh)
        self._plan = plan
        self._masked = masked
        self._fields = _fields_by_column(plan)
        self._header_done = False
        self.count = 0

    def __call__(self, raw: RawRow | None, problems: list[RowError]) -> None:
        """Write one rejected row with its reasons."""
        if raw is None:
            return
        self._header(raw)
        cells = list(raw.raw_fields) or list(raw.values.values())
        if self._masked:
            cells = [self._mask(i, cell) for i, cell in enumerate(cells)]
        width = len(self._plan.headers) if self._plan else len(cells)
        cells = (cells + [""] * width)[:width] if self._plan else cells
        columns = "; ".join(dict.fromkeys(p.column or p.field for p in problems))
        reasons = "; ".join(f"{p.column or p.field}: {p.message}" for p in problems)
        self._writer.writerow([*cells, raw.row, columns, reasons])
        self.count += 1

    def close(self) -> None:
        """Finish the file."""
        self._fh.close()

    def discard(self) -> None:
        """Remove the file (nothing was rejected, or the import failed as a whole)."""
        self._fh.close()
        self.path.unlink(missing_ok=True)

    def _header(self, raw: RawRow) -> None:
        if self._header_done:
            return
        headers = self._plan.headers if self._plan else list(raw.values)
        self._writer.writerow([*headers, *ERROR_COLUMNS])
        self._header_done = True

    def _mask(self, index: int, cell: Any) -> str:
        text = "" if cell is None else str(cell)
        if not text.strip():
            return text
        name = self._fields.get(index)
        if name in PLAIN:
            return text
        if name is not None and not name.endswith(("_province", "_city", "_district")):
            return masked_value(name, text) or text
        if name is not None:
            return text  # a division name alone identifies nobody
        from parcelguard.pii.service import redact_text

        return redact_text(text[:2000], "mask").text


def _fields_by_column(plan: ColumnPlan | None) -> dict[int, str]:
    if plan is None:
        return {}
    found: dict[int, str] = {}
    for name, cols in plan.columns.items():
        for col in cols:
            if name.endswith("_info"):
                continue  # name, phone and address in one cell: the recognizers mask it
            if name.endswith(("_street", "_house")):
                name = name.rsplit("_", 1)[0] + "_address"
            found[col] = name
    return found
