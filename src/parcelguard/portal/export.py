"""Files of a person's data copy: JSON, and CSV that spreadsheets cannot turn into formulas."""

from __future__ import annotations

import io
import json

from parcelguard.exportsafe import SafeCsvWriter
from parcelguard.portal.service import DataCopy

CSV_COLUMNS = (
    "waybill_no",
    "carrier",
    "status",
    "created_at",
    "delivered_at",
    "my_role",
    "name",
    "phone",
    "address",
    "id_no",
    "refused",
)


def as_json(copy: DataCopy) -> bytes:
    """Return the copy as a UTF-8 JSON document."""
    return json.dumps(copy.as_dict(), ensure_ascii=False, indent=2).encode()


def as_csv(copy: DataCopy) -> bytes:
    """Return the copy as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese).

    Every cell goes through `exportsafe`: a value a spreadsheet would run as a formula is
    written as text.
    """
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    for parcel in copy.parcels:
        for role, fields in parcel["parties"].items():
            row = {**parcel, **fields, "my_role": role}
            writer.writerow([row.get(column) for column in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()
