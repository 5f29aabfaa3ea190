"""The pool: file and API import, status by state and city, reservation of canaries, config."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from parcelguard.audit.service import SYSTEM
from parcelguard.errors import ConfigError
from parcelguard.relay import pool, service
from parcelguard.relay.config import RelayConfig, config_for
from parcelguard.settings import Settings
from tests.relay.conftest import World, add_numbers, audit_events, dispatch, pool_numbers
from tests.relay.test_routing import bound_number


def test_import_a_csv_with_chinese_headers_and_bad_rows(world: World, cli, tmp_path: Path) -> None:
    file = tmp_path / "pool.csv"
    file.write_text(
        "号码,城市\n171 0000 0001,330100\n+86 17100000002,3301\n12345,330100\n"
        "17100000003,hangzhou\n17100000001,330100\n\n",
        encoding="gb18030",
    )
    result = cli("relay", "pool", "import", str(file), "--json")
    assert result.code == 3
    assert result.json["imported"] == 2 and result.json["duplicates"] == 1
    assert [(e["row"], e["field"], e["code"]) for e in result.json["errors"]] == [
        (4, "number", "invalid_phone"),
        (5, "city", "invalid_city"),
    ]
    again = cli("relay", "pool", "import", str(file), "--json").json
    assert (again["imported"], again["duplicates"]) == (0, 3)
    status = cli("relay", "pool", "status", "--json").json
    assert status["total"] == 10 and status["free"] == 10
    assert status["cities"]["330100"]["free"] == 2 and status["cities"]["any"]["free"] == 8
    assert [e.action for e in audit_events(world.rt, "relay.pool_import")][-2:] == [
        "relay.pool_import",
        "relay.pool_import",
    ]


def test_a_file_without_a_number_column_is_refused(world: World, cli, tmp_path: Path) -> None:
    file = tmp_path / "pool.csv"
    file.write_text("phone_no\n17100000001\n")
    result = cli("relay", "pool", "import", str(file), "--json")
    assert result.code == 1 and result.json["error"]["code"] == "missing_field"


def test_city_numbers_serve_their_city_and_shared_numbers_serve_all(world: World) -> None:
    add_numbers(world.rt, ["17200000001"], city="110100")
    refs = [b"a" * 16, b"b" * 16]
    with world.rt.db.session() as session:
        session.execute(pool.RelayNumber.__table__.delete().where(pool.RelayNumber.city.is_(None)))
        now = world.rt.clock.now()
        with pytest.raises(pool.PoolExhausted):
            pool.allocate(session, world.rt.tenant, refs, now, city="330100")
        assert pool.allocate(session, world.rt.tenant, refs, now, city="110100").city == "110100"
        assert pool.allocate(session, world.rt.tenant, refs, now).number == "+8617200000001"


def test_reserve_named_or_any_free_numbers(world: World, cli) -> None:
    dispatch(world.rt, world.waybill(0), world.couriers[0])
    x = bound_number(world)
    refused = cli("relay", "pool", "reserve", "--number", x, "--json")
    assert refused.code == 1 and refused.json["error"]["code"] == "number_not_free"
    free = next(n for n in world.numbers if "+86" + n != x)
    named = cli("relay", "pool", "reserve", "--number", free, "--json").json
    assert named["reserved"][0]["number"] == "+86" + free
    with world.rt.db.session() as session:
        taken = service.reserve_canary_numbers(world.rt, session, SYSTEM, 2, label="canary:c-1")
    assert len(taken) == 2 and {t.label for t in taken} == {"canary:c-1"}
    with world.rt.db.session() as session:
        listed = service.canary_numbers(session, world.rt.tenant)
    assert len(listed) == 3
    status = cli("relay", "pool", "status", "--json").json
    assert (status["reserved"], status["bound"]) == (3, 1)
    back = cli("relay", "pool", "unreserve", named["reserved"][0]["number_id"], "--json").json
    assert back["state"] == "cooling"
    assert len(audit_events(world.rt, "relay.pool_reserve")) == 3
    missing = cli("relay", "pool", "reserve", "--number", "17999999999", "--json")
    assert missing.json["error"]["code"] == "number_not_found"


def test_reserving_more_than_is_free_takes_nothing(world: World, cli) -> None:
    result = cli("relay", "pool", "reserve", "--count", "9", "--json")
    assert result.json["error"]["code"] == "pool_exhausted"
    assert cli("relay", "pool", "status", "--json").json["reserved"] == 0


def test_pool_api_for_admins_and_relay_services(world: World, client: TestClient, cli) -> None:
    admin = cli("users", "add", "--name", "管理员", "--role", "admin", "--json").json["api_key"]
    relay_key = cli(
        "users", "add", "--name", "carrier", "--role", "service", "--scope", "relay", "--json"
    ).json["api_key"]
    for key in (admin, relay_key):
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/api/v1/relay/pool", headers=headers).json()["total"] >= 8
    headers = {"Authorization": f"Bearer {admin}"}
    body = {"numbers": [{"number": "17300000001", "city": "330106"}, {"number": "x"}]}
    imported = client.post("/api/v1/relay/pool", json=body, headers=headers).json()
    assert imported["imported"] == 1 and imported["errors"][0]["row"] == 2
    reserved = client.post("/api/v1/relay/pool/reserve", json={"count": 1}, headers=headers)
    assert reserved.status_code == 200 and len(reserved.json()["reserved"]) == 1
    courier = {"Authorization": f"Bearer {world.couriers[0].key}"}
    assert client.get("/api/v1/relay/pool", headers=courier).status_code == 403


def test_bindings_api(world: World, client: TestClient, cli) -> None:
    from tests.relay.conftest import event

    admin = cli("users", "add", "--name", "管理员", "--role", "admin", "--json").json["api_key"]
    headers = {"Authorization": f"Bearer {admin}"}
    event(world.rt, world.waybill(0), "assigned", world.couriers[0].id)
    event(world.rt, world.waybill(1), "assigned", world.couriers[1].id)
    made = client.post(
        "/api/v1/relay/bindings", json={"waybill": world.waybill(0)}, headers=headers
    )
    assert made.status_code == 200 and made.json()["virtual_number"].startswith("+86")
    mine = {"Authorization": f"Bearer {world.couriers[1].key}"}
    own = client.post("/api/v1/relay/bindings", json={"waybill": world.waybill(1)}, headers=mine)
    assert own.status_code == 200
    other = client.post("/api/v1/relay/bindings", json={"waybill": world.waybill(0)}, headers=mine)
    assert other.status_code == 403 and other.json()["error"]["code"] == "not_assigned"
    listed = client.get(
        "/api/v1/relay/bindings", params={"waybill": world.waybill(0)}, headers=headers
    ).json()["bindings"]
    assert [b["binding_id"] for b in listed] == [made.json()["binding_id"]]
    ended = client.delete(f"/api/v1/relay/bindings/{made.json()['binding_id']}", headers=headers)
    assert ended.json()["status"] == "ended" and ended.json()["end_reason"] == "released"
    assert client.delete(f"/api/v1/relay/bindings/{'0' * 32}", headers=headers).status_code == 404
    assert client.delete("/api/v1/relay/bindings/nope", headers=headers).status_code == 422


def test_relay_table_of_config_toml(home: Path) -> None:
    (home / "config.toml").write_text("[relay]\ncooling_hours = 6\nwebhook_secret = 's3'\n")
    config = Settings.load(home=home).section("relay", RelayConfig)
    assert config.cooling_hours == 6 and config.secret_for("t1") == b"s3"
    assert "s3" not in repr(config)
    (home / "config.toml").write_text("[relay]\ncooling_hour = 6\n")
    with pytest.raises(ConfigError):
        Settings.load(home=home).section("relay", RelayConfig)


def test_the_runtime_caches_its_relay_config(world: World) -> None:
    assert config_for(world.rt) is config_for(world.rt)
    assert pool_numbers(2, start=5) == ["17000000005", "17000000006"]
