"""HTTP benchmark the way users measure: wrk against ParcelGuard and a lean app, same run.

(Named `http_wrk.py`, not `http.py`: a script directory on `sys.path` holding `http.py` would
shadow the standard library's `http` for every benchmark run from bench/.)

Starts `parcelguard serve` (one uvicorn process, SQLite in WAL, the in-process monitor and
every middleware, as the default deployment) and `bench/lean_app.py` (plain FastAPI doing the
same essential work), then drives each endpoint with wrk (2 threads, 8 connections, fixed
duration; a Lua script sends POSTs with their auth headers and rotates waybills or signed
webhook bodies), one after the other. Reports req/s, p50, p99, errors (non-2xx and socket
errors) and the ratio ParcelGuard / lean, and writes bench/results/http.md.

    python bench/http_wrk.py [--seconds 10] [--connections 8] [--parcels 2000] [--profile]
                             [--postgres ADMIN_URL --workers N]

`--postgres postgresql://postgres@127.0.0.1:5432/test` serves ParcelGuard from a fresh
PostgreSQL database made (and dropped) through that admin URL, with `serve --workers N`
(the lean app stays on SQLite); the fragment is then `http_pg_<N>w.md`.

`--profile` also samples the ParcelGuard server with py-spy (every thread, native frames off)
during its reveal run and prints where the time goes, by own time and by calling function.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import free_port, wait_up, write_fragment

HERE = Path(__file__).resolve().parent
WEBHOOK_BODIES = 4000


def lua_script(requests: list[tuple[str, str, dict[str, str]]]) -> str:
    """Return a wrk script that cycles through (path, body, headers) POSTs."""

    def quote(text: str) -> str:
        return json.dumps(text, ensure_ascii=True)  # a JSON string is a valid Lua string here

    rows = []
    for path, body, headers in requests:
        pairs = ", ".join(f"[{quote(k)}] = {quote(v)}" for k, v in headers.items())
        rows.append(f"{{{quote(path)}, {quote(body)}, {{{pairs}}}}}")
    return (
        "local reqs = {\n" + ",\n".join(rows) + "\n}\n"
        "local i = 0\n"
        "function init(args) i = math.random(#reqs) end\n"
        "function request()\n"
        "  i = i % #reqs + 1\n"
        "  local r = reqs[i]\n"
        '  return wrk.format("POST", r[1], r[3], r[2])\n'
        "end\n"
    )


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time a process and its children (workers) used so far."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wrk(
    url: str, seconds: float, connections: int, script: str | None, pid: int | None = None
) -> dict[str, Any]:
    """Run wrk once; return req/s, p50/p99 in ms, errors, the request count and the server's
    CPU milliseconds per request (steadier than req/s on a machine shared with other work)."""
    before = cpu_seconds(pid) if pid else 0.0
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "--latency", "--timeout", "10s"]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    try:
        result = parse_wrk(out)
    except (AttributeError, KeyError):
        raise SystemExit(f"could not read wrk's report:\n{out}") from None
    if pid and result["requests"]:
        result["cpu_ms"] = (cpu_seconds(pid) - before) * 1000 / result["requests"]
    return result


def parse_wrk(out: str) -> dict[str, Any]:
    """Read wrk's --latency report."""

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", out, re.M))
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(g) for g in socket.groups()) if socket else 0
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": ms(pct["50"]),
        "p99_ms": ms(pct["99"]),
        "errors": errors,
        "requests": requests,
    }


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def webhook_requests(secret: bytes, calls: list[tuple[str, str]]) -> list[Any]:
    """Signed `/relay/voice` bodies with fresh call ids (signed now: valid for minutes)."""
    from parcelguard.relay.signatures import signed_headers

    now, out = int(time.time()), []
    for i in range(WEBHOOK_BODIES):
        caller, number = calls[i % len(calls)]
        raw = json.dumps({"from": caller, "to": number, "call_id": f"wrk{i:06d}{now}"})
        out.append(("/relay/voice", raw, signed_headers(secret, now, raw.encode())))
    return out


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from bench import load

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: run scripts/install-system-packages.sh")
    tmp = Path(tempfile.mkdtemp(prefix="pg-http-"))
    home = tmp / "home"
    database_url = make_database(args.postgres) if args.postgres else None
    data = load.seed(home, args.parcels, database_url)
    waybills = sorted(data["addresses"])
    lean_db, lean_keys = tmp / "lean.db", tmp / "lean.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "lean_app.py"),
            "seed",
            str(lean_db),
            str(args.parcels),
            str(lean_keys),
        ],
        check=True,
    )
    lean = json.loads(lean_keys.read_text())
    pg_port, lean_port = free_port(), free_port()
    env = {**os.environ, "PARCELGUARD_HOME": str(home)}
    if database_url:
        env["PARCELGUARD_DATABASE_URL"] = database_url
    src = str(HERE.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    serve = "from parcelguard.cli import main; main()"
    pg = start(
        [
            sys.executable,
            "-c",
            serve,
            "serve",
            "--port",
            str(pg_port),
            "--workers",
            str(args.workers),
        ],
        env,
        tmp / "pg.log",
    )
    bare = start(
        [
            sys.executable,
            str(HERE / "lean_app.py"),
            "serve",
            str(lean_db),
            str(lean_keys),
            str(lean_port),
        ],
        env,
        tmp / "lean.log",
    )
    pg_base, lean_base = f"http://127.0.0.1:{pg_port}", f"http://127.0.0.1:{lean_port}"
    reveal_body = json.dumps({"fields": ["recipient.address"], "purpose": "delivery"})
    scripts = {
        ("pg", "reveal"): [
            (
                f"/api/v1/shipments/{w}/reveal",
                reveal_body,
                {"Authorization": f"Bearer {data['key']}", "Content-Type": "application/json"},
            )
            for w in waybills
        ],
        ("lean", "reveal"): [
            (
                f"/reveal/{w}",
                reveal_body,
                {"Authorization": f"Bearer {lean['bearer']}", "Content-Type": "application/json"},
            )
            for w in lean["waybills"]
        ],
        ("pg", "webhook"): webhook_requests(load.SECRET.encode(), data["calls"]),
        ("lean", "webhook"): webhook_requests(
            lean["webhook_secret"].encode(), [tuple(c) for c in lean["calls"]]
        ),
    }
    results: dict[str, dict[str, Any]] = {}
    profile: str | None = None
    try:
        wait_up(pg_base)
        wait_up(lean_base)
        check(pg_base, data, waybills[0])
        for (side, kind), reqs in scripts.items():
            path = tmp / f"{side}-{kind}.lua"
            path.write_text(lua_script(reqs), encoding="utf-8")
        for side, base in (("pg", pg_base), ("lean", lean_base)):  # warm both up
            wrk(base + "/", 2, args.connections, str(tmp / f"{side}-reveal.lua"))
        for kind in ("reveal", "healthz", "webhook"):
            for side, base, proc in (("pg", pg_base, pg), ("lean", lean_base, bare)):
                script = None if kind == "healthz" else str(tmp / f"{side}-{kind}.lua")
                url = base + ("/healthz" if kind == "healthz" else "/")
                sampler = None
                if args.profile and args.workers == 1 and side == "pg" and kind == "reveal":
                    sampler = py_spy(proc.pid, args.seconds, tmp / "profile.txt")
                results[f"{side}:{kind}"] = wrk(
                    url, args.seconds, args.connections, script, proc.pid
                )
                if sampler is not None:
                    sampler.wait(60)
                    profile = summarise(tmp / "profile.txt")
                print(kind, side, results[f"{side}:{kind}"], flush=True)
        check(pg_base, data, waybills[1])
    finally:
        stop(pg)
        stop(bare)
        if database_url:
            drop_database(args.postgres, database_url)
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return {"results": results, "profile": profile}


def make_database(admin_url: str) -> str:
    """Create a fresh PostgreSQL database for the run; return its SQLAlchemy URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"pg_bench_http_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def check(base: str, data: dict[str, Any], waybill: str) -> None:
    """The server answers a reveal with the imported address (the load is not all errors)."""
    import httpx

    body = {"fields": ["recipient.address"], "purpose": "delivery"}
    answer = httpx.post(
        f"{base}/api/v1/shipments/{waybill}/reveal",
        json=body,
        headers={"Authorization": f"Bearer {data['key']}"},
        timeout=30,
    )
    if answer.status_code != 200:
        raise SystemExit(f"reveal answered {answer.status_code}")
    if answer.json()["fields"]["recipient.address"] != data["addresses"][waybill]:
        raise SystemExit("reveal answered another address")


def py_spy(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """Sample the thread holding the GIL (where Python time goes) for `seconds`."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "200",
            "--gil",
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def summarise(raw: Path, top: int = 25) -> str:
    """Collapsed stacks → the functions with most inclusive samples (per thread kind)."""
    if not raw.exists():
        return "(py-spy produced no samples)"
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = stack.split(";")
        total += n
        seen = set()
        for frame in frames:
            name = _short(frame)
            if name not in seen:
                inclusive[name] += n
                seen.add(name)
        own[_short(frames[-1])] += n
    lines = [f"{total} samples of the thread holding the GIL", "", "inclusive:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "own time:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # "fn (path/to/module.py:123)" → "fn (module.py)"
    match = re.match(r"(.*?) \((.*?)(?::\d+)?\)$", frame)
    if not match:
        return frame
    fn, path = match.groups()
    parts = Path(path).parts
    where = "/".join(parts[-2:]) if "parcelguard" in parts else Path(path).name
    return f"{fn} ({where})"


def fragment(args: argparse.Namespace, measured: dict[str, Any]) -> str:
    r = measured["results"]
    names = {
        "reveal": "`POST /api/v1/shipments/{wb}/reveal`",
        "healthz": "`GET /healthz`",
        "webhook": "`POST /relay/voice` (signed webhook)",
    }
    lines = [
        "## HTTP under wrk (`bench/http_wrk.py`"
        + (f" on PostgreSQL, {args.workers} worker(s))" if args.postgres else ")"),
        "",
        f"wrk, 2 threads, {args.connections} connections, {args.seconds:.0f} s per endpoint, "
        f"{args.parcels:,} parcels; both servers up in the same run. ParcelGuard: "
        + (
            f"`parcelguard serve --workers {args.workers}` on PostgreSQL (CPU summed over its "
            "processes; the database server's own CPU not counted)"
            if args.postgres
            else "one uvicorn process, SQLite (WAL)"
        )
        + "; the lean app: one uvicorn process, SQLite (WAL). ParcelGuard runs "
        "as `parcelguard serve` (every middleware, the "
        "monitor in-process, access log on); the lean app (`bench/lean_app.py`) is plain "
        "FastAPI doing the essential work: bearer check against a hashed key, indexed select, "
        "AES-GCM open (reveal) or webhook HMAC + blind index + binding select (webhook), one "
        "MAC-chained audit row, commit; `/healthz` is `SELECT 1`.",
        "",
        "| endpoint | server | req/s | p50 ms | p99 ms | p99/p50 | errors | CPU ms/req |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ratios = []
    for kind, name in names.items():
        pg, lean = r[f"pg:{kind}"], r[f"lean:{kind}"]
        for side, row in (("ParcelGuard", pg), ("lean", lean)):
            spread = row["p99_ms"] / row["p50_ms"] if row["p50_ms"] else 0.0
            lines.append(
                f"| {name} | {side} | {row['rps']:,.0f} | {row['p50_ms']:.1f} | "
                f"{row['p99_ms']:.1f} | {spread:.1f} | {row['errors']} | "
                f"{row.get('cpu_ms', 0.0):.2f} |"
            )
        ratio = pg["rps"] / lean["rps"] if lean["rps"] else 0.0
        cpu = lean.get("cpu_ms", 0.0) / pg["cpu_ms"] if pg.get("cpu_ms") else 0.0
        ratios.append(f"| {name} | **{ratio:.2f}** | {cpu:.2f} |")
    lines += [
        "",
        "Ratio ParcelGuard / lean: by req/s, and by CPU per request (lean ms / ParcelGuard ms; "
        "the steadier figure when other work shares the machine).",
        "",
        "| endpoint | req/s ratio | CPU ratio |",
        "| --- | ---: | ---: |",
        *ratios,
    ]
    if measured.get("profile"):
        lines += [
            "",
            "Profile of the ParcelGuard reveal run (py-spy):",
            "",
            "```",
            measured["profile"],
            "```",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--parcels", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary homes")
    parser.add_argument("--no-fragment", action="store_true")
    parser.add_argument("--postgres", help="admin URL: serve from a fresh PostgreSQL database")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    measured = measure(args)
    print(json.dumps(measured["results"], indent=1))
    if measured.get("profile"):
        print(measured["profile"])
    if not args.no_fragment:
        name = f"http_pg_{args.workers}w" if args.postgres else "http"
        write_fragment(name, fragment(args, measured))


if __name__ == "__main__":
    main()
