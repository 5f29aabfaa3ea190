"""Run every benchmark and assemble bench/RESULTS.md from their result fragments."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
# bench/http_wrk.py makes (and drops) its PostgreSQL database through this admin URL.
PG_ADMIN = os.environ.get("PARCELGUARD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
BENCHES = [
    ["ingest.py", "--rows", "100000", "--memory-rows", "100000,1000000"],
    ["growth.py", "--postgres", PG_ADMIN],
    ["import_xlsx.py", "--rows", "100000,1000000"],
    ["sealing.py"],
    ["http_wrk.py", "--profile"],
    ["reveal_parts.py"],
    ["http_wrk.py", "--seconds", "8", "--postgres", PG_ADMIN, "--workers", "1"],
    ["http_wrk.py", "--seconds", "8", "--postgres", PG_ADMIN, "--workers", "2"],
    ["labels.py"],
    ["label_printers.py"],
    ["relay.py"],
    ["pii_eval.py"],
    ["photo_eval.py", "--set", "clear", "--seed", "7", "--photos", "40"],
    ["photo_eval.py", "--set", "hard", "--seed", "21", "--photos", "40"],
    ["photo_eval.py", "--set", "hard", "--seed", "23", "--photos", "40", "--held-out"],
    ["monitor_eval.py"],
    ["monitor_quiet.py"],
    ["forensics_eval.py"],
    ["load.py"],
    ["ratelimit.py"],
    ["audit_log.py", "--events", "1000000"],
    ["enterprise.py"],
]
ORDER = [
    "aims",
    "ingest",
    "growth",
    "import_xlsx",
    "sealing",
    "http",
    "reveal_parts",
    "http_pg_1w",
    "http_pg_2w",
    "http_notes",
    "labels",
    "label_printers",
    "relay",
    "pii",
    "photo",
    "monitor",
    "monitor_quiet",
    "forensics",
    "load",
    "ratelimit",
]


def main() -> None:
    only = set(sys.argv[1:])
    for bench in BENCHES:
        name = bench[0]
        if only and name.removesuffix(".py") not in only:
            continue
        if not (HERE / name).exists():
            print(f"skip {name}: not present", flush=True)
            continue
        print(f"== {name}", flush=True)
        subprocess.run([sys.executable, str(HERE / name), *bench[1:]], check=False)
    assemble()


def assemble() -> None:
    fragments = {p.stem: p.read_text(encoding="utf-8") for p in (HERE / "results").glob("*.md")}
    names = [n for n in ORDER if n in fragments] + sorted(set(fragments) - set(ORDER))
    header = [
        "# Benchmark results",
        "",
        f"Measured by `make bench` on {date.today().isoformat()}: "
        f"Python {platform.python_version()}, {platform.machine()}, {_cpus()} CPUs. "
        "Every figure is printed beside a baseline measured in the same run.",
        "",
    ]
    body = "\n\n".join(fragments[n].strip() for n in names)
    (HERE / "RESULTS.md").write_text("\n".join(header) + "\n" + body + "\n", encoding="utf-8")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
