"""Printer-stream benchmark: labels/s for TSPL and ESC/POS raster streams beside the PNG path
they are drawn by (the baseline: the same drawing, encoded as PNG instead of printer commands),
at 203 and 300 dpi, in alternating rounds on one core; stream bytes per label; and how fast a
stream crosses a loopback TCP connection to a listener standing in for a 9100 printer.

    python bench/label_printers.py [--labels 200] [--rounds 5] [--size 100x150]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import timed, write_fragment


def _sink() -> tuple[int, threading.Thread]:
    """Start a listener that reads one connection to the end; return its port and thread."""
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while conn.recv(1 << 20):
                pass
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return port, thread


def measure(args: argparse.Namespace) -> dict[str, float]:
    """Return labels/s by path, bytes per label, and the loopback send rate."""
    from parcelguard.labels.content import LabelSize
    from parcelguard.labels.escpos_renderer import EscPosRenderer
    from parcelguard.labels.fonts import default_font
    from parcelguard.labels.png_renderer import PngRenderer
    from parcelguard.labels.printer_transport import TcpTransport
    from parcelguard.labels.printers import PrinterUrl
    from parcelguard.labels.samples import sample_label
    from parcelguard.labels.tspl_renderer import TsplRenderer

    size = LabelSize.parse(args.size)
    labels = [sample_label(i) for i in range(args.labels)]
    font = default_font()
    runs: dict[str, Callable[[], list[bytes]]] = {}
    for dpi in (203, 300):
        for name, cls in (("png", PngRenderer), ("tspl", TsplRenderer), ("escpos", EscPosRenderer)):
            renderer = cls(dpi=dpi, font=font)
            renderer.render_many(labels[:3], size)  # warm the glyph caches
            runs[f"{name}_{dpi}"] = lambda r=renderer: r.render_many(labels, size)
    best = dict.fromkeys(runs, 0.0)
    sizes: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, run in runs.items():
            seconds, documents = timed(run)
            best[name] = max(best[name], len(labels) / seconds)
            sizes[f"{name}_bytes"] = sum(map(len, documents)) / len(labels)
    (stream,) = TsplRenderer(dpi=203, font=font).render_many(labels, size)
    port, thread = _sink()
    transport = TcpTransport(PrinterUrl.parse(f"tcp://127.0.0.1:{port}"), timeout=30)
    seconds, _ = timed(lambda: transport.send(stream))
    thread.join(30)
    return {
        **best,
        **sizes,
        "send_mib_s": len(stream) / seconds / (1 << 20),
        "send_labels_s": len(labels) / seconds,
    }


def report(figures: dict[str, float], args: argparse.Namespace) -> str:
    """Return the markdown section for bench/results/label_printers.md."""
    rows = []
    for dpi in (203, 300):
        png = figures[f"png_{dpi}"]
        for name, title in (("png", "PNG (baseline)"), ("tspl", "TSPL"), ("escpos", "ESC/POS")):
            rate = figures[f"{name}_{dpi}"]
            kib = figures[f"{name}_{dpi}_bytes"] / 1024
            rows.append(f"| {title} {dpi} dpi | {rate:.1f} | {rate / png:.2f} | {kib:.0f} |")
    return "\n".join(
        [
            "## Label printer streams",
            "",
            f"{args.labels} labels of {args.size} mm; best of {args.rounds} alternating rounds on",
            f"one core; Python {platform.python_version()}. Ratio = labels/s against the PNG",
            "path at the same dpi (the raster streams are drawn by it).",
            "",
            "| path | labels/s | ratio | KiB per label |",
            "| --- | ---: | ---: | ---: |",
            *rows,
            "",
            f"TSPL 203 dpi stream sent over loopback TCP to a reading listener: "
            f"{figures['send_mib_s']:.0f} MiB/s, {figures['send_labels_s']:.0f} labels/s.",
        ]
    )


def main() -> None:
    """Parse arguments, measure, print and write the results fragment."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", default="100x150")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    text = report(measure(args), args)
    print(text)
    print(f"\nwritten: {write_fragment('label_printers', text)}")


if __name__ == "__main__":
    main()
