"""`ReplaceOperator`: replaces each value with its type in angle brackets, `<PHONE>`."""

from __future__ import annotations

from parcelguard.pii.entity import Entity
from parcelguard.pii.operators.operator import Operator


class ReplaceOperator(Operator):
    """Replaces values with a placeholder naming their type (`template` may change the form)."""

    name = "replace"

    def __init__(self, template: str = "<{type}>") -> None:
        self.template = template

    def apply(self, entity: Entity) -> str:
        """Return the placeholder for the entity's type."""
        return self.template.format(type=entity.type)
