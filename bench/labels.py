"""Label rendering benchmark: labels/s for a multi-page PDF through ParcelGuard's renderer beside
a bare reportlab baseline that draws the same elements (same texts, Code128 barcodes and QR,
same font, same PDF settings) with reportlab's own widgets and no validation or layout, in the
same run, alternating, on one core. Also PNG (203/300 dpi), ZPL, and for comparison the cost of
rasterising the PDF with pypdfium2 instead of drawing PNGs with Pillow.

The service path is measured in the same rounds: `labels.service.print_labels` for 1000
shipments imported through the real import path into a fresh SQLite home (look the shipments
and their masked parties up, issue and store 1000 QR tokens, audit 1000 `label.print` events,
render), beside the lean bare baseline drawing the very same labels with no lookup, tokens,
audit, guard or layout.

    python bench/labels.py [--labels 1000] [--rounds 3] [--size 100x180]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import timed, write_fragment


def baseline_pdf(
    labels: list, width_mm: float, height_mm: float, font: str, *, lean: bool = False
) -> bytes:
    """Draw the same elements with bare reportlab: drawString, Code128 and a QR code.

    The QR is reportlab's own QrCodeWidget, or with `lean` a segno matrix drawn as one path
    of row runs (the fastest bare way we know).
    """
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True, pageCompression=1, pdfVersion=(1, 4))
    canvas.setTitle("ParcelGuard label")
    draw_qr = _lean_qr if lean else _widget_qr
    for label in labels:
        canvas.setPageSize((width_mm * mm, height_mm * mm))
        canvas.rect(2 * mm, 2 * mm, (width_mm - 4) * mm, (height_mm - 4) * mm)
        for y in (12, 39, 59, 90, 115, 129, 147):
            canvas.rect(2 * mm, (height_mm - y) * mm, (width_mm - 4) * mm, 0.3 * mm, 0, 1)
        for x, y, size, text in _texts(label):
            canvas.setFont(font, size * mm)
            canvas.drawString(x * mm, (height_mm - y) * mm, text)
        Code128(label.waybill_no, barWidth=4 * 25.4 / 203 * mm, barHeight=19 * mm).drawOn(
            canvas, 8 * mm, (height_mm - 33) * mm
        )
        Code128(label.waybill_no, barWidth=2 * 25.4 / 203 * mm, barHeight=13 * mm).drawOn(
            canvas, 6 * mm, (height_mm - 164) * mm
        )
        draw_qr(canvas, label.qr_url, 71 * mm, (height_mm - 88) * mm, 27 * mm)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _widget_qr(canvas, url: str, x: float, y: float, side: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    drawing = Drawing(side, side)
    drawing.add(QrCodeWidget(url, barLevel="M", barWidth=side, barHeight=side))
    renderPDF.draw(drawing, canvas, x, y)


def _lean_qr(canvas, url: str, x: float, y: float, side: float) -> None:
    import segno

    matrix = segno.make_qr(url, error="m", boost_error=False).matrix
    module = side / (len(matrix) + 8)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        start = -1
        for col, dark in enumerate((*cells, 0)):
            if dark and start < 0:
                start = col
            elif not dark and start >= 0:
                top = y + side - (row + 5) * module
                path.rect(x + (start + 4) * module, top, (col - start) * module, module)
                start = -1
    canvas.drawPath(path, stroke=0, fill=1)


def _texts(label) -> list[tuple[float, float, float, str]]:
    """Return the strings the ParcelGuard label shows, at fixed places (x, y from top, size)."""
    weight = f"{label.weight_kg} kg"
    person = f"{label.recipient_name}  {label.recipient_phone}"
    sender = f"{label.sender_name}  {label.sender_phone}"
    return [
        (4, 9, 5.4, label.carrier),
        (56, 8, 2.7, "2026-11-02 09:30"),
        (82, 8, 3.6, "隐私面单"),
        (34, 37, 3.9, label.waybill_no),
        (4, 54, 14, label.sorting_code),
        (64, 52, 6.8, label.destination),
        (5, 68, 6, "收"),
        (14, 66, 4.9, person),
        (14, 72, 4.5, label.recipient_address),
        (5, 98, 5, "寄"),
        (13, 96, 3.9, sender),
        (13, 101, 3.6, label.sender_address),
        (76, 93, 3.4, "隐私面单"),
        (74, 97, 2.8, "扫码联系快递员"),
        (4, 122, 3.5, f"物品：{label.contents}"),
        (74, 122, 3.5, f"重量：{weight}"),
        (4, 127, 2.5, "备注：收寄件人信息已按国家标准隐藏"),
        (4, 137, 3.5, "签收人："),
        (62, 137, 3.5, "日期：      年    月    日"),
        (4, 142, 2.4, "快件送达收件地址，经收件人或其授权的代收人签字，即视为送达。"),
        (14, 170, 3.0, label.waybill_no),
        (14, 175, 2.6, f"{label.carrier} · 客户联"),
        (52, 152, 4, "收"),
        (58, 152, 3.2, person),
        (52, 157, 2.7, label.recipient_address),
        (52, 168, 4, "寄"),
        (58, 168, 3.0, sender),
        (52, 177, 2.6, f"物品：{label.contents}"),
    ]


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def measure(args: argparse.Namespace) -> dict[str, float]:
    """Run every measurement and return labels/s by name."""
    from parcelguard.labels.content import LabelSize
    from parcelguard.labels.fonts import default_font
    from parcelguard.labels.pdf_renderer import PdfRenderer
    from parcelguard.labels.samples import sample_label
    from parcelguard.labels.waybill_layout import waybill_page

    size = LabelSize.parse(args.size)
    labels = [sample_label(i) for i in range(args.labels)]
    font = default_font()  # registration once per process, outside every timing
    renderer = PdfRenderer(font=font)
    renderer.render_many(labels[:5], size)  # warm caches (Pillow, reportlab subsets)
    best: dict[str, float] = {
        "renderer": 0.0,
        "baseline": 0.0,
        "baseline_lean": 0.0,
        "service": 0.0,
        "renderer_imported": 0.0,
        "baseline_lean_imported": 0.0,
    }
    w, h = size.width_mm, size.height_mm
    rt, job, imported = _service_setup(args.labels, args.size)
    runs: dict[str, Callable[[], object]] = {
        "baseline": lambda: baseline_pdf(labels, w, h, font.name),
        "renderer": lambda: renderer.render_many(labels, size),
        "baseline_lean": lambda: baseline_pdf(labels, w, h, font.name, lean=True),
        "service": lambda: _service_run(rt, job),
        "renderer_imported": lambda: renderer.render_many(imported, size),
        "baseline_lean_imported": lambda: baseline_pdf(imported, w, h, font.name, lean=True),
    }
    for _ in range(args.rounds):  # alternate, keep each path's best round
        for name, run in runs.items():
            seconds, _result = timed(run)
            best[name] = max(best[name], _rate(len(labels), seconds))
    seconds, pages = timed(lambda: [waybill_page(label, size, font) for label in labels])
    best["layout_only"] = _rate(len(labels), seconds)
    seconds, (document,) = timed(lambda: renderer.draw(pages))
    best["draw_only"] = _rate(len(labels), seconds)
    best["pdf_bytes_per_label"] = len(document) / len(labels)
    best.update(_other_formats(labels[: args.raster], size))
    seconds, _contents = timed(lambda: _service_contents(rt, job))
    best["service_without_render"] = _rate(len(job.waybills), seconds)
    rt.close()
    shutil.rmtree(rt.settings.home.parent, ignore_errors=True)
    return best


def _service_setup(count: int, size: str) -> tuple:
    """Import `count` synthetic shipments into a fresh SQLite home; return (runtime, job, labels).

    The labels are the masked content the service builds for those shipments (one extra token
    each, issued before any timing), for the lean baseline to draw the same texts.
    """
    from parcelguard.assembly import install
    from parcelguard.audit.service import SYSTEM
    from parcelguard.labels.service import PrintJob, label_contents
    from parcelguard.migrations import upgrade
    from parcelguard.runtime import Runtime
    from parcelguard.settings import Settings
    from parcelguard.vault.ingest import import_shipments
    from parcelguard.vault.readers import RawRow
    from parcelguard.vault.synthetic import Faker

    home = Path(tempfile.mkdtemp(prefix="pg-bench-labels-")) / "home"
    rt = Runtime.from_settings(Settings.load(home=home, database_url=None, tenant="bench"))
    upgrade(rt.db.engine)
    rt.keyring  # noqa: B018
    install(rt)
    rows = list(Faker(9).rows(count))
    report = import_shipments(rt, SYSTEM, (RawRow(i + 2, row) for i, row in enumerate(rows)))
    assert report.imported == count, "the synthetic rows must all import"
    job = PrintJob([row["waybill_no"] for row in rows], "pdf", size)
    with rt.db.session() as session:
        imported = label_contents(rt, session, SYSTEM, job)
    return rt, job, imported


def _service_run(rt, job) -> list[bytes]:
    """The whole service path: lookup, masked parties, tokens, audit, render."""
    from parcelguard.audit.service import SYSTEM
    from parcelguard.labels.service import print_labels

    return print_labels(rt, SYSTEM, job)


def _service_contents(rt, job) -> list:
    """The service path without rendering: lookup, masked parties, tokens, audit."""
    from parcelguard.audit.service import SYSTEM
    from parcelguard.labels.service import label_contents

    with rt.db.session() as session:
        return label_contents(rt, session, SYSTEM, job)


def _other_formats(labels: list, size) -> dict[str, float]:
    """Return PNG (203/300 dpi), ZPL and pypdfium2-rasterisation rates."""
    import pypdfium2 as pdfium

    from parcelguard.labels.png_renderer import PngRenderer
    from parcelguard.labels.zpl_renderer import ZplRenderer

    rates: dict[str, float] = {}
    for dpi in (203, 300):
        png = PngRenderer(dpi=dpi)
        seconds, _pngs = timed(lambda png=png: png.render_many(labels, size))
        rates[f"png_{dpi}"] = _rate(len(labels), seconds)
    seconds, _zpl = timed(lambda: ZplRenderer().render_many(labels * 10, size))
    rates["zpl"] = _rate(len(labels) * 10, seconds)

    def rasterise() -> None:
        from parcelguard.labels.pdf_renderer import PdfRenderer

        pdf = pdfium.PdfDocument(PdfRenderer().render_many(labels, size)[0])
        for index in range(len(labels)):
            image = pdf[index].render(scale=203 / 72, grayscale=True).to_pil()
            image.save(io.BytesIO(), "PNG", compress_level=1)
        pdf.close()

    seconds, _ = timed(rasterise)
    rates["pdfium_png_203"] = _rate(len(labels), seconds)
    return rates


def report(figures: dict[str, float], args: argparse.Namespace) -> str:
    """Return the markdown section for bench/results/labels.md."""
    import reportlab

    ratio = figures["renderer"] / figures["baseline"]
    lean = figures["renderer"] / figures["baseline_lean"]
    service = figures["service"] / figures["baseline_lean_imported"]
    service_rows = [
        (
            "ParcelGuard service path `labels.service.print_labels` (lookup of imported "
            "shipments, masked parties, token issue and storage, `label.print` audit, render)",
            figures["service"],
        ),
        (
            "`PdfRenderer.render_many` of the same labels (built beforehand)",
            figures["renderer_imported"],
        ),
        (
            "lean bare baseline drawing the same imported labels (no lookup, tokens, audit)",
            figures["baseline_lean_imported"],
        ),
        (
            "service path without rendering (lookup, tokens, audit only)",
            figures["service_without_render"],
        ),
    ]
    rows = [
        ("ParcelGuard `PdfRenderer.render_many` (guard + layout + draw)", figures["renderer"]),
        ("bare reportlab baseline: same texts, Code128, QrCodeWidget", figures["baseline"]),
        (
            "lean bare baseline: same, QR as a segno matrix drawn as row runs",
            figures["baseline_lean"],
        ),
        ("ParcelGuard guard + layout alone (no drawing)", figures["layout_only"]),
        ("ParcelGuard PDF drawing alone (pages laid out beforehand)", figures["draw_only"]),
        ("PNG 203 dpi (Pillow, one file per label)", figures["png_203"]),
        ("PNG 300 dpi (Pillow, one file per label)", figures["png_300"]),
        ("PNG 203 dpi via PDF + pypdfium2 rasterising (not used)", figures["pdfium_png_203"]),
        ("ZPL 203 dpi", figures["zpl"]),
    ]
    lines = [
        "## Labels (render side)",
        "",
        f"{args.labels} labels of {args.size} mm into one PDF; best of {args.rounds} alternating",
        f"rounds on one core; Python {platform.python_version()}, reportlab {reportlab.Version}.",
        "",
        "| path | labels/s |",
        "| --- | ---: |",
        *(f"| {name} | {value:.0f} |" for name, value in rows),
        "",
        f"Ratio renderer / bare baseline: **{ratio:.2f}**; / lean baseline: **{lean:.2f}**.",
        f"PDF size: {figures['pdf_bytes_per_label'] / 1024:.1f} KiB per label.",
        "",
        "## Labels (service path)",
        "",
        f"{args.labels} shipments imported through the real import path into a fresh SQLite",
        "home; each round prints all of them into one PDF through the service (a new QR token",
        "per label, stored as a keyed digest, and one audit event per label), in the same",
        "alternating rounds as above.",
        "",
        "| path | labels/s |",
        "| --- | ---: |",
        *(f"| {name} | {value:.0f} |" for name, value in service_rows),
        "",
        f"Ratio service path / lean baseline on the same labels: **{service:.2f}**.",
    ]
    return "\n".join(lines)


def main() -> None:
    """Measure, print the figures and the ratio, write bench/results/labels.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--raster", type=int, default=100, help="labels for PNG/ZPL timings")
    parser.add_argument("--size", default="100x180")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    figures = measure(args)
    for name, value in figures.items():
        print(f"{name:>22}: {value:10.1f}")
    print(f"{'ratio':>22}: {figures['renderer'] / figures['baseline']:10.2f}")
    print(f"{'ratio (lean baseline)':>22}: {figures['renderer'] / figures['baseline_lean']:10.2f}")
    print(
        f"{'ratio (service, lean)':>22}: "
        f"{figures['service'] / figures['baseline_lean_imported']:10.2f}"
    )
    if not args.no_write:
        print(write_fragment("labels", report(figures, args)))


if __name__ == "__main__":
    main()
