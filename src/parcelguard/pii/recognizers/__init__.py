"""The entity recognizers, registered explicitly; `default_recognizers()` builds one of each."""

from __future__ import annotations

from parcelguard.pii.recognizers.address_recognizer import AddressRecognizer
from parcelguard.pii.recognizers.bank_card_recognizer import BankCardRecognizer
from parcelguard.pii.recognizers.email_recognizer import EmailRecognizer
from parcelguard.pii.recognizers.id_card_recognizer import IdCardRecognizer
from parcelguard.pii.recognizers.landline_recognizer import LandlineRecognizer
from parcelguard.pii.recognizers.name_recognizer import NameRecognizer
from parcelguard.pii.recognizers.phone_recognizer import PhoneRecognizer
from parcelguard.pii.recognizers.plate_recognizer import PlateRecognizer
from parcelguard.pii.recognizers.recognizer import Recognizer
from parcelguard.pii.recognizers.waybill_recognizer import WaybillRecognizer

RECOGNIZERS: dict[str, type[Recognizer]] = {
    cls.entity_type: cls
    for cls in (
        IdCardRecognizer,
        BankCardRecognizer,
        PhoneRecognizer,
        LandlineRecognizer,
        EmailRecognizer,
        WaybillRecognizer,
        PlateRecognizer,
        AddressRecognizer,
        NameRecognizer,
    )
}


def default_recognizers(
    types: tuple[str, ...] | None = None, *, lenient: bool = False
) -> list[Recognizer]:
    """Return one recognizer per registered type (or per type in `types`)."""
    return [RECOGNIZERS[t](lenient=lenient) for t in (types or tuple(RECOGNIZERS))]


__all__ = ["RECOGNIZERS", "Recognizer", "default_recognizers"]
