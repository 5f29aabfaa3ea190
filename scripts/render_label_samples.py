"""Render the sample labels shown in docs/ (synthetic, masked content) as PNG files.

Run: .venv/bin/python scripts/render_label_samples.py [--dpi 300] [--out docs/images]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from parcelguard.labels.content import LabelSize
from parcelguard.labels.png_renderer import PngRenderer
from parcelguard.labels.samples import sample_label, sample_shelf_label

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Write label-100x180.png, label-76x130.png and shelf-label.png."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dpi", type=int, default=300, choices=(203, 300))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    renderer = PngRenderer(dpi=args.dpi)
    outputs = {
        "label-100x180.png": renderer.render(sample_label(0), LabelSize.MM_100X180),
        "label-76x130.png": renderer.render(sample_label(2), LabelSize.MM_76X130),
        "shelf-label.png": renderer.render_shelf(sample_shelf_label(0)),
    }
    for name, data in outputs.items():
        path = args.out / name
        path.write_bytes(data)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {len(data)} bytes")


if __name__ == "__main__":
    main()
