"""The schema: migrations match the models on both backends; every table is distributable."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from parcelguard.migrations import current, heads
from parcelguard.migrations.all_models import metadata
from parcelguard.runtime import Runtime

SHIPMENT_OWNED = {"parties", "shipment_events"}


def test_migrations_reach_every_head_and_match_the_models(rt: Runtime) -> None:
    assert current(rt.db.engine) == heads()
    with rt.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = [d for d in compare_metadata(context, metadata) if not _ignorable(d)]
    assert diff == []


def _ignorable(diff: object) -> bool:
    # Alembic's own version table is not one of ours.
    return "alembic_version" in repr(diff)


def test_every_primary_key_carries_the_distribution_key() -> None:
    for table in metadata.sorted_tables:
        keys = [c.name for c in table.primary_key.columns]
        assert keys[0] == "tenant_id", f"{table.name} must be distributed by tenant_id first"
        if table.name in SHIPMENT_OWNED:
            assert "shipment_id" in keys, (
                f"{table.name} is shipment-owned: shipment_id belongs in its key"
            )
