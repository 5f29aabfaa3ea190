"""kill -9 during an import: whole batches only, a rerun imports exactly the rest, no traces."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_csv
from tests.faults.conftest import (
    BATCH,
    ROWS,
    kill_point,
    kill_when,
    leftovers,
    make_home,
    needles,
    shipment_rows,
)


def test_killed_import_leaves_whole_batches_and_a_rerun_adds_exactly_the_rest(
    tmp_path: Path,
) -> None:
    home = make_home(tmp_path, PARCELGUARD_IMPORT_BATCH_SIZE=str(BATCH))
    home.run("init")
    rows = shipment_rows()
    (tmp_path / "input").mkdir()
    source = write_csv(tmp_path / "input" / "s.csv", rows)
    target = max(BATCH, kill_point(ROWS))

    importing = home.start("import", str(source))
    assert kill_when(importing, lambda: home.scalar("SELECT count(*) FROM shipments") >= target)

    stored = home.scalar("SELECT count(*) FROM shipments")
    assert 0 < stored < ROWS
    assert stored % BATCH == 0, "a killed import must leave whole batches only"
    assert home.scalar("SELECT count(*) FROM parties") == 2 * stored
    imports = home.scalar("SELECT count(*) FROM audit_events WHERE action = 'shipments.import'")
    assert imports == stored // BATCH  # each batch landed with its audit event

    _, report = home.run("import", str(source))
    assert (report["imported"], report["skipped"], report["rejected"]) == (
        ROWS - stored,
        stored,
        0,
    )
    assert home.scalar("SELECT count(*) FROM shipments") == ROWS
    assert home.scalar("SELECT count(DISTINCT waybill_no) FROM shipments") == ROWS
    assert home.scalar("SELECT count(DISTINCT fingerprint) FROM shipments") == ROWS
    code, verified = home.run("audit", "verify")
    assert code == 0 and verified["ok"], verified

    assert leftovers([home.path, home.tmp], needles(rows)) == []
    assert sorted(p.name for p in home.tmp.iterdir()) == []  # no temporary file survives
