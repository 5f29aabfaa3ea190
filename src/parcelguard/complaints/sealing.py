"""Sealing a complaint's words, answer and phone under its own data key.

The data key is wrapped by the keyring (KEK, then the retention epoch of the complaint's
shredding day), like a parcel's: when that epoch key is destroyed, every copy of the
complaint's text becomes unreadable, backups included. The associated data binds each
ciphertext to (tenant, complaint, field).
"""

from __future__ import annotations

from datetime import date

from parcelguard.complaints.models import Complaint
from parcelguard.crypto import FieldCipher, Keyring, WrappedKey, field_aad, new_data_key
from parcelguard.errors import IntegrityError
from parcelguard.sensitive import Sensitive

FIELDS = ("phone", "text", "answer")


class ComplaintSealer:
    """Seals and opens the sealed fields of complaints of one tenant."""

    def __init__(self, keyring: Keyring, tenant_id: str) -> None:
        self.keyring = keyring
        self.tenant_id = tenant_id

    def _aad(self, complaint_id: str, field: str) -> bytes:
        return field_aad(self.tenant_id, f"complaint/{complaint_id}", field)

    def seal_new(self, complaint: Complaint, epoch: date, phone: str, text: str) -> None:
        """Give a new complaint its data key and seal the phone and the words under it."""
        data_key = new_data_key()
        wrapped = self.keyring.wrap_data_key(
            data_key, epoch, self._aad(complaint.complaint_id, "data_key")
        )
        complaint.key_blob, complaint.kek_version, complaint.epoch = (
            wrapped.blob,
            wrapped.kek_version,
            epoch,
        )
        cipher = FieldCipher(data_key)
        complaint.phone_ct = cipher.seal(phone, self._aad(complaint.complaint_id, "phone"))
        complaint.text_ct = cipher.seal(text, self._aad(complaint.complaint_id, "text"))

    def _cipher(self, complaint: Complaint) -> FieldCipher:
        wrapped = WrappedKey(complaint.kek_version, complaint.epoch, complaint.key_blob)
        aad = self._aad(complaint.complaint_id, "data_key")
        return FieldCipher(self.keyring.unwrap_data_key(wrapped, aad))

    def seal_answer(self, complaint: Complaint, answer: str) -> None:
        """Seal the company's answer under the complaint's key."""
        complaint.answer_ct = self._cipher(complaint).seal(
            answer, self._aad(complaint.complaint_id, "answer")
        )

    def open(self, complaint: Complaint, field: str) -> Sensitive | None:
        """Open one sealed field (None when absent); a shredded complaint opens as None."""
        blob = {
            "phone": complaint.phone_ct,
            "text": complaint.text_ct,
            "answer": complaint.answer_ct,
        }[field]
        if blob is None:
            return None
        try:
            cipher = self._cipher(complaint)
        except IntegrityError as exc:
            if exc.code == "shredded":
                return None
            raise
        return cipher.open(blob, self._aad(complaint.complaint_id, field))

    def rewrap(self, complaint: Complaint) -> None:
        """Wrap the complaint's data key under the active KEK (key rotation)."""
        wrapped = WrappedKey(complaint.kek_version, complaint.epoch, complaint.key_blob)
        new = self.keyring.rewrap_data_key(wrapped, self._aad(complaint.complaint_id, "data_key"))
        complaint.key_blob, complaint.kek_version = new.blob, new.kek_version
