"""`[keys]` in config.toml: the minimum-decryption-version watermark of sealed values.

[keys]
min_format = 2     # refuse format-1 values; raise it once `keys status` shows none pending
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from parcelguard.crypto.sealed_format import FORMAT, FORMAT_LEGACY, SealPolicy


class SealingConfig(BaseModel):
    """How old a sealed value may be and still open."""

    model_config = {"extra": "forbid"}

    min_format: int = Field(
        default=FORMAT_LEGACY,
        ge=FORMAT_LEGACY,
        le=FORMAT,
        description="oldest sealed-value format still opened (2 after `keys rotate`)",
    )

    def policy(self) -> SealPolicy:
        """Return the watermark the keyring enforces."""
        return SealPolicy(self.min_format)
