"""`LeakedPerson`: one person as a leaked row describes them, before matching.

Holds plaintext from the leaked file, so its `repr` says only which parts are present, and
`masked()` is the only form that may reach a report.
"""

from __future__ import annotations

from dataclasses import dataclass

from parcelguard.forensics.cells import PhonePattern
from parcelguard.pii.masking import mask_name, mask_normalized_phone
from parcelguard.pii.normalize import Phone


@dataclass(slots=True)
class LeakedPerson:
    """A name, a phone (whole, masked or damaged) and an address found together in one row."""

    row: int
    phone: Phone | None = None
    pattern: PhonePattern | None = None
    name: str | None = None
    name_masked: bool = False
    address: str | None = None

    def __repr__(self) -> str:
        phone = "whole" if self.phone else "masked" if self.pattern else "none"
        name = "masked" if self.name_masked else "yes" if self.name else "none"
        return f"LeakedPerson(row={self.row}, phone={phone}, name={name}, address=***)"

    @property
    def usable(self) -> bool:
        """Return whether there is enough to look the person up (a phone, or name and place)."""
        named = self.name is not None and not self.name_masked
        return self.phone is not None or (named and self.address is not None)

    def masked(self) -> dict[str, str]:
        """Return the masked forms a report may show (never more than the file had)."""
        if self.phone is not None:
            phone = mask_normalized_phone(self.phone)
        elif self.pattern is not None:
            phone = f"{self.pattern.head[:3]}******{self.pattern.tail[-2:]}"
        else:
            phone = ""
        name = mask_name(self.name) if self.name and not self.name_masked else self.name or ""
        return {"name": name, "phone": phone}
