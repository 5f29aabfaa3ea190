"""Render the sample labels shown in docs/ as PNG files.

By default from `labels.samples` (synthetic, already-masked content). With `--from-import`,
through the real service path instead: fictional shipments from `vault.synthetic.Faker` are
imported into a throwaway home, one arrives at a station, and the waybill and shelf labels
are built from the vault's masked columns with a real QR token and pickup code.

Run: .venv/bin/python scripts/render_label_samples.py [--dpi 300] [--out DIR] [--from-import]
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import datetime
from pathlib import Path

from parcelguard.labels.content import LabelContent, LabelSize, ShelfLabelContent
from parcelguard.labels.png_renderer import PngRenderer
from parcelguard.labels.samples import sample_label, sample_shelf_label

ROOT = Path(__file__).resolve().parent.parent
STATION = ("st-wensan", "示例驿站·文三路店")


def imported_labels() -> tuple[LabelContent, LabelContent, ShelfLabelContent]:
    """Import two fictional shipments into a throwaway home; return two labels and a shelf label."""
    from parcelguard.audit.service import SYSTEM
    from parcelguard.clock import CHINA, FixedClock
    from parcelguard.labels import pickup, service
    from parcelguard.labels.hooks import install
    from parcelguard.migrations import upgrade
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault import lifecycle
    from parcelguard.vault.ingest import import_shipments
    from parcelguard.vault.readers import RawRow
    from parcelguard.vault.service import get_or_raise, parties_of
    from parcelguard.vault.synthetic import Faker

    home = Path(tempfile.mkdtemp(prefix="pg-label-samples-")) / "home"
    settings = Settings.load(
        home=home,
        database_url=None,
        base_url="https://pg.example",
        sections={"labels": {"station_names": {STATION[0]: STATION[1]}}},
    )
    rt = Runtime.from_settings(
        settings, clock=FixedClock(datetime(2026, 11, 2, 9, 30, tzinfo=CHINA))
    )
    upgrade(rt.db.engine)
    install(rt)
    rows = list(Faker(2026).rows(2))
    import_shipments(rt, SYSTEM, (RawRow(i + 2, row) for i, row in enumerate(rows)))
    waybills = [row["waybill_no"] for row in rows]
    with rt.db.session() as session:
        large, small = service.label_contents(rt, session, SYSTEM, service.PrintJob(waybills))
        lifecycle.record_event(
            rt, session, SYSTEM, waybills[0], "at_station", station_id=STATION[0]
        )
        shipment = get_or_raise(session, rt.tenant, waybills[0])
        code = pickup.waiting_for(session, rt.tenant, [shipment.shipment_id])[shipment.shipment_id]
        shelf = pickup.shelf_content(rt, code, parties_of(session, shipment)["recipient"])
    rt.close()
    return large, small, shelf


def main() -> None:
    """Write label-100x180.png, label-76x130.png and shelf-label.png."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=300, choices=(203, 300))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--from-import", action="store_true", help="through the service path")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    renderer = PngRenderer(dpi=args.dpi)
    if args.from_import:
        large, small, shelf = imported_labels()
    else:
        large, small, shelf = sample_label(0), sample_label(2), sample_shelf_label(0)
    outputs = {
        "label-100x180.png": renderer.render(large, LabelSize.MM_100X180),
        "label-76x130.png": renderer.render(small, LabelSize.MM_76X130),
        "shelf-label.png": renderer.render_shelf(shelf),
    }
    for name, data in outputs.items():
        path = args.out / name
        path.write_bytes(data)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {len(data)} bytes")


if __name__ == "__main__":
    main()
