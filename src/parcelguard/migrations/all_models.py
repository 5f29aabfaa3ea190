"""Every domain's tables, imported so Alembic sees the whole schema."""

from parcelguard.db import Base

# Each domain registers its tables by being imported here.
import parcelguard.audit.models
import parcelguard.access.models
import parcelguard.vault.models
import parcelguard.labels.models
import parcelguard.monitor.models
import parcelguard.relay.models
import parcelguard.forensics.models
import parcelguard.complaints.models
import parcelguard.portal.models
import parcelguard.identity.models
import parcelguard.siem.models

metadata = Base.metadata
