"""`Operator`: the small base every anonymize operator (mask, replace, hash …) plugs in through."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from parcelguard.pii.entity import Entity


class Operator(ABC):
    """Turns one found entity into the text that replaces it."""

    name: ClassVar[str]
    # True: the original can be recovered from the output with the operator's key or vault.
    reversible: ClassVar[bool] = False

    @abstractmethod
    def apply(self, entity: Entity) -> str:
        """Return the replacement text for `entity`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
