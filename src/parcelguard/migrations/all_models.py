"""Every domain's tables, imported so Alembic sees the whole schema."""

from parcelguard.db import Base

# Each domain registers its tables by being imported here.
import parcelguard.audit.models  # noqa: F401
import parcelguard.access.models  # noqa: F401
import parcelguard.vault.models  # noqa: F401

metadata = Base.metadata
