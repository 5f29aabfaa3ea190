"""`MaskOperator`: the masks of ARCHITECTURE.md (张*, 138******78, 浙江省杭州市西湖区文三路***)."""

from __future__ import annotations

from collections.abc import Callable

from parcelguard.pii import masking
from parcelguard.pii.division_lexicon import division_lexicon
from parcelguard.pii.entity import Entity
from parcelguard.pii.operators.operator import Operator
from parcelguard.pii.text_view import fold


def _mask_address(value: str) -> str:
    text = fold(value).replace("\n", "")
    prefix = division_lexicon().prefix_length(text)
    return masking.mask_address(text[:prefix].replace(" ", ""), text[prefix:].lstrip())


_MASKS: dict[str, Callable[[str], str]] = {
    "PHONE": masking.mask_phone,
    "LANDLINE": masking.mask_phone,
    "ID_CARD": lambda v: masking.mask_id_number(fold(v).replace(" ", "")),
    "BANK_CARD": lambda v: masking.mask_bank_card(fold(v)),
    "NAME": masking.mask_name,
    "ADDRESS": _mask_address,
    "EMAIL": lambda v: masking.mask_email(fold(v)),
    "WAYBILL_NO": masking.mask_waybill,
    "PLATE": masking.mask_plate,
}


class MaskOperator(Operator):
    """Masks each value to at least the GB/T 41833-2022 minimums; unknown types become ***."""

    name = "mask"

    def apply(self, entity: Entity) -> str:
        """Return the masked form of the entity's value."""
        mask = _MASKS.get(entity.type)
        return mask(entity.value.reveal()) if mask else masking.MASK * 3
