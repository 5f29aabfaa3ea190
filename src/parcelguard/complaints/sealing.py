"""Sealing a complaint's words, answer and phone: the envelope recipe over `COMPLAINT_SEALING`.

The data key is wrapped by the keyring (KEK, then the retention epoch of the complaint's
shredding day), like a parcel's: when that epoch key is destroyed, every copy of the
complaint's text becomes unreadable, backups included. The associated data binds each
ciphertext to (tenant, complaint, field).
"""

from __future__ import annotations

from datetime import date

from parcelguard.complaints.models import COMPLAINT_SEALING, Complaint
from parcelguard.crypto import Envelope, Keyring
from parcelguard.errors import IntegrityError
from parcelguard.sensitive import Sensitive

FIELDS = tuple(COMPLAINT_SEALING.fields)


class ComplaintSealer:
    """Seals and opens the sealed fields of complaints of one tenant."""

    def __init__(self, keyring: Keyring, tenant_id: str) -> None:
        self.keyring = keyring
        self.tenant_id = tenant_id
        self.envelope = Envelope(keyring, tenant_id, COMPLAINT_SEALING)

    def seal_new(self, complaint: Complaint, epoch: date, phone: str, text: str) -> None:
        """Give a new complaint its data key and seal the phone and the words under it."""
        self.envelope.seal_row(complaint, {"phone": phone, "text": text}, epoch)

    def seal_answer(self, complaint: Complaint, answer: str) -> None:
        """Seal the company's answer under the complaint's key."""
        self.envelope.seal_field(complaint, "answer", answer)

    def open(self, complaint: Complaint, field: str) -> Sensitive | None:
        """Open one sealed field (None when absent); a shredded complaint opens as None."""
        try:
            return self.envelope.open(complaint, [field]).get(field)
        except IntegrityError as exc:
            if exc.code == "shredded":
                return None
            raise

    def rewrap(self, complaint: Complaint) -> None:
        """Wrap the complaint's data key under the active KEK (key rotation)."""
        self.envelope.rewrap(complaint)
