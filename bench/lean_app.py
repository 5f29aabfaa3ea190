"""The lean baseline of `bench/http_wrk.py`: plain FastAPI doing a reveal's essential work, nothing else.

What a careful developer would write in an afternoon, outside ParcelGuard's app, middlewares
and domain code, so a ratio against it says what ParcelGuard's extra work costs:

* `POST /reveal/{waybill}`: bearer key → SHA-256 → indexed select of the key row; indexed select
  of the sealed field; AES-256-GCM open; one audit row whose MAC chains the previous row's
  (HMAC-SHA256); commit (SQLite, WAL, synchronous=NORMAL, as ParcelGuard's own database).
* `POST /relay/voice`: HMAC-SHA256 webhook signature check; blind index (HMAC) of the caller's
  number; indexed select of the binding by virtual number; one MAC-chained audit row; commit.
* `GET /healthz`: `SELECT 1`.

Handlers are `async def` and use one connection: SQLite has one writer, and a lean server does
not hop threads for sub-millisecond work.

    python bench/lean_app.py seed <db> <parcels> <keys.json>   # writes the seed's secrets
    python bench/lean_app.py serve <db> <keys.json> <port>
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

SCHEMA = """
CREATE TABLE api_keys (key_id TEXT PRIMARY KEY, digest BLOB NOT NULL, principal TEXT NOT NULL);
CREATE TABLE shipments (waybill TEXT PRIMARY KEY, nonce BLOB NOT NULL, address BLOB NOT NULL);
CREATE TABLE bindings (number TEXT PRIMARY KEY, courier BLOB NOT NULL, recipient BLOB NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, at REAL NOT NULL, actor TEXT NOT NULL,
                    action TEXT NOT NULL, target TEXT NOT NULL, decision TEXT NOT NULL,
                    mac BLOB NOT NULL);
"""


def connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def seed(path: str, parcels: int, keys_file: str) -> None:
    """Create the database: parcels with a sealed address, one API key, relay bindings."""
    secret = {
        "data_key": secrets.token_bytes(32).hex(),
        "mac_key": secrets.token_bytes(32).hex(),
        "index_key": secrets.token_bytes(32).hex(),
        "webhook_secret": secrets.token_hex(16),
    }
    aead = AESGCM(bytes.fromhex(secret["data_key"]))
    key_id, key_secret = secrets.token_hex(6), secrets.token_urlsafe(24)
    secret["bearer"] = f"lk_{key_id}_{key_secret}"
    db = connect(path)
    db.executescript(SCHEMA)
    db.execute("BEGIN")
    db.execute(
        "INSERT INTO api_keys VALUES (?, ?, ?)",
        (key_id, hashlib.sha256(key_secret.encode()).digest(), "bench"),
    )
    waybills = []
    for i in range(parcels):
        waybill, nonce = f"LN{i:010d}", os.urandom(12)
        address = f"浙江省杭州市西湖区文三路{i}号".encode()
        db.execute(
            "INSERT INTO shipments VALUES (?, ?, ?)",
            (waybill, nonce, aead.encrypt(nonce, address, waybill.encode())),
        )
        waybills.append(waybill)
    index = bytes.fromhex(secret["index_key"])
    calls = []
    for i in range(min(parcels, 400)):
        number, courier, recipient = f"171{i:08d}", f"1390000{i % 20:04d}", f"1380000{i:04d}"
        db.execute(
            "INSERT INTO bindings VALUES (?, ?, ?)",
            (number, _bidx(index, courier), _bidx(index, recipient)),
        )
        calls += [(courier, number), (recipient, number)]
    db.execute("COMMIT")
    db.close()
    secret["waybills"] = waybills  # type: ignore[assignment]
    secret["calls"] = calls  # type: ignore[assignment]
    Path(keys_file).write_text(json.dumps(secret), encoding="utf-8")


def _bidx(key: bytes, phone: str) -> bytes:
    return hmac.new(key, phone.encode(), hashlib.sha256).digest()


def build(path: str, keys_file: str) -> FastAPI:
    """Return the lean FastAPI app over a seeded database."""
    secret = json.loads(Path(keys_file).read_text(encoding="utf-8"))
    aead = AESGCM(bytes.fromhex(secret["data_key"]))
    mac_key = bytes.fromhex(secret["mac_key"])
    index_key = bytes.fromhex(secret["index_key"])
    webhook_secret = secret["webhook_secret"].encode()
    db = connect(path)
    row = db.execute("SELECT mac FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    head = [row[0] if row else b"\0" * 32]
    app = FastAPI()

    def audit(actor: str, action: str, target: str, decision: str) -> None:
        at = time.time()
        body = json.dumps([at, actor, action, target, decision]).encode()
        mac = hmac.new(mac_key, head[0] + body, hashlib.sha256).digest()
        db.execute(
            "INSERT INTO audit (at, actor, action, target, decision, mac) VALUES (?,?,?,?,?,?)",
            (at, actor, action, target, decision, mac),
        )
        head[0] = mac

    def denied(status: int, code: str) -> JSONResponse:
        return JSONResponse({"error": {"code": code}}, status_code=status)

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        db.execute("SELECT 1").fetchone()
        return {"ok": True}

    @app.post("/reveal/{waybill}")
    async def reveal(waybill: str, request: Request) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        parts = auth[7:].split("_", 2) if auth[:7].lower() == "bearer " else []
        if len(parts) != 3:
            return denied(401, "not_authenticated")
        found = db.execute(
            "SELECT digest, principal FROM api_keys WHERE key_id = ?", (parts[1],)
        ).fetchone()
        digest = hashlib.sha256(parts[2].encode()).digest()
        if found is None or not hmac.compare_digest(found[0], digest):
            return denied(401, "not_authenticated")
        body = await request.json()
        if body.get("fields") != ["recipient.address"]:
            return denied(400, "unknown_field")
        sealed = db.execute(
            "SELECT nonce, address FROM shipments WHERE waybill = ?", (waybill,)
        ).fetchone()
        if sealed is None:
            return denied(404, "shipment_not_found")
        address = aead.decrypt(sealed[0], sealed[1], waybill.encode()).decode()
        db.execute("BEGIN")
        audit(found[1], "reveal", waybill, "allow")
        db.execute("COMMIT")
        return JSONResponse({"waybill_no": waybill, "fields": {"recipient.address": address}})

    @app.post("/relay/voice")
    async def voice(request: Request) -> JSONResponse:
        raw = await request.body()
        stamp = request.headers.get("x-parcelguard-timestamp", "")
        sent = request.headers.get("x-parcelguard-signature", "")
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > 300:
            return denied(401, "bad_signature")
        mac = hmac.new(webhook_secret, stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest("sha256=" + mac, sent):
            return denied(401, "bad_signature")
        call = json.loads(raw)
        found = db.execute(
            "SELECT courier, recipient FROM bindings WHERE number = ?", (call["to"],)
        ).fetchone()
        caller = _bidx(index_key, call["from"])
        action = "connect" if found is not None and caller in found else "reject"
        db.execute("BEGIN")
        audit("relay", "relay.route", call["to"], action)
        db.execute("COMMIT")
        return JSONResponse({"action": action, "number": None, "reason": None})

    return app


def main() -> None:
    if sys.argv[1] == "seed":
        seed(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    import uvicorn

    app = build(sys.argv[2], sys.argv[3])
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[4]), log_level="warning")


if __name__ == "__main__":
    main()
