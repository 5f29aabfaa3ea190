"""`TokenizeOperator`: replaces each value with a stable token, `<PHONE_1>`, kept in a vault.

The same value (in canonical form) gets the same token for as long as the vault lives, so a
redacted chat still shows that two messages name the same person. The vault maps tokens back;
keep it where the plaintext may be (it holds plaintext as `Sensitive`).
"""

from __future__ import annotations

import re
import threading

from parcelguard.pii.canonical import canonical
from parcelguard.pii.entity import Entity
from parcelguard.pii.operators.operator import Operator
from parcelguard.sensitive import Sensitive

TOKEN = re.compile(r"<(?P<type>[A-Z_]+)_(?P<n>[0-9]+)>")


class TokenVault:
    """Tokens and the values behind them, in memory."""

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._by_token: dict[str, Sensitive] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def token_for(self, entity_type: str, value: str) -> str:
        """Return the token of a value, issuing the next one of its type when new."""
        key = (entity_type, canonical(entity_type, value))
        with self._lock:
            token = self._by_value.get(key)
            if token is None:
                self._counts[entity_type] = self._counts.get(entity_type, 0) + 1
                token = f"<{entity_type}_{self._counts[entity_type]}>"
                self._by_value[key] = token
                self._by_token[token] = Sensitive(value)
            return token

    def value_of(self, token: str) -> Sensitive | None:
        """Return the value behind a token, or None."""
        return self._by_token.get(token)

    def __len__(self) -> int:
        return len(self._by_token)

    def __repr__(self) -> str:
        return f"TokenVault(tokens={len(self)})"


class TokenizeOperator(Operator):
    """Replaces values with vault tokens; `detokenize` puts them back."""

    name = "tokenize"
    reversible = True

    def __init__(self, vault: TokenVault | None = None) -> None:
        self.vault = vault or TokenVault()

    def apply(self, entity: Entity) -> str:
        """Return the entity's token."""
        return self.vault.token_for(entity.type, entity.value.reveal())

    def detokenize(self, text: str) -> Sensitive:
        """Return `text` with every known token replaced by its value."""

        def back(match: re.Match[str]) -> str:
            value = self.vault.value_of(match.group())
            return value.reveal() if value is not None else match.group()

        return Sensitive(TOKEN.sub(back, text))
