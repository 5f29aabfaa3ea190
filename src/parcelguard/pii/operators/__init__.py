"""The anonymize operators, registered explicitly by name (`redact --operator`)."""

from __future__ import annotations

from typing import Any

from parcelguard.errors import InvalidInput
from parcelguard.pii.operators.encrypt_operator import EncryptOperator
from parcelguard.pii.operators.hash_operator import HashOperator
from parcelguard.pii.operators.mask_operator import MaskOperator
from parcelguard.pii.operators.operator import Operator
from parcelguard.pii.operators.replace_operator import ReplaceOperator
from parcelguard.pii.operators.tokenize_operator import TokenizeOperator, TokenVault

OPERATORS: dict[str, type[Operator]] = {
    cls.name: cls
    for cls in (MaskOperator, ReplaceOperator, HashOperator, EncryptOperator, TokenizeOperator)
}


def operator_names() -> list[str]:
    """Return the names of the registered operators."""
    return list(OPERATORS)


def operator_for(name: str, **options: Any) -> Operator:
    """Return an operator by name; `hash` needs `key=`, `encrypt` needs `key=` (32 bytes)."""
    cls = OPERATORS.get(name.strip().lower())
    if cls is None:
        raise InvalidInput(
            "unknown operator", code="unknown_operator", details={"operators": operator_names()}
        )
    return cls(**options)


__all__ = [
    "OPERATORS",
    "EncryptOperator",
    "HashOperator",
    "MaskOperator",
    "Operator",
    "ReplaceOperator",
    "TokenVault",
    "TokenizeOperator",
    "operator_for",
    "operator_names",
]
