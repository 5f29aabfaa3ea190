"""The composition root: one typed config, one table of reactions, no service dictionary."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parcelguard import assembly
from parcelguard.audit.bus import InProcessBus
from parcelguard.errors import ConfigError
from parcelguard.hooks import Hook, Hooks
from parcelguard.monitor.consumer import LiveConsumer
from parcelguard.relay.config import RelayConfig
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from tests.conftest import make_settings

SRC = Path(__file__).resolve().parents[1] / "src" / "parcelguard"


def bare_runtime(tmp_path: Path) -> Runtime:
    return Runtime.from_settings(make_settings(tmp_path / "home", None), publisher=InProcessBus())


def test_a_handler_is_kept_once_and_handlers_run_in_subscription_order() -> None:
    said: list[str] = []
    hook: Hook[str, int] = Hook("test.said")
    hooks = Hooks()

    def first(word: str) -> int:
        said.append(f"first {word}")
        return 1

    hooks.subscribe(hook, first)
    hooks.subscribe(hook, lambda word: said.append(f"second {word}") or 2)
    hooks.subscribe(hook, first)
    assert hooks.emit(hook, "hi") == [1, 2]
    assert said == ["first hi", "second hi"]
    hooks.unsubscribe(hook, first)
    assert len(hooks.subscribers(hook)) == 1


def test_wiring_a_runtime_twice_subscribes_every_reaction_once(tmp_path: Path) -> None:
    rt = bare_runtime(tmp_path)
    assembly.install(rt)
    assembly.install(rt)
    table = assembly.subscriptions(rt)
    for subscription in table:
        kept = rt.hooks.subscribers(subscription.hook)
        assert kept.count(subscription.handler) == 1, subscription.hook
    assert isinstance(rt.publisher, InProcessBus)
    consumers = [h for h in rt.publisher._handlers if isinstance(h, LiveConsumer)]
    assert len(consumers) == 1
    rt.publisher.close()
    rt.close()


def test_only_the_composition_root_subscribes_one_domain_to_another() -> None:
    subscribing = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "hooks.subscribe(" in path.read_text(encoding="utf-8")
    }
    # audit.bus.attach and the NATS outbox subscribe the audit log's own after-commit work.
    assert subscribing <= {"assembly.py", "audit/bus.py", "audit/nats_outbox.py", "hooks.py"}


def test_no_service_is_kept_in_a_string_keyed_runtime_dictionary() -> None:
    using = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if re.search(r"\bextras\b", path.read_text(encoding="utf-8"))
    }
    assert using == set()
    assert not hasattr(Runtime, "extras") and "extras" not in Runtime.__dataclass_fields__


def test_every_config_table_is_a_typed_field_of_the_one_config() -> None:
    declared = assembly.Config.declared_tables()
    assert {"relay", "monitor", "labels", "portal", "duties", "policy", "import"} <= set(declared)
    assert {table for table, _ in assembly.config_tables()} <= set(declared)


def test_a_wrong_table_stops_the_program_at_start_naming_the_table(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("[relay]\ncooling_hours = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"invalid \[relay\] in config\.toml: cooling_hours"):
        assembly.Config.load(home=home)
    (home / "config.toml").write_text("[relay]\ncooling_hours = 5\n", encoding="utf-8")
    config = assembly.Config.load(home=home)
    assert config.section("relay", RelayConfig) is config.relay
    assert config.relay.cooling_hours == 5


def test_a_table_changed_after_its_first_read_is_validated_again(tmp_path: Path) -> None:
    settings = Settings.load(home=tmp_path / "home")
    first = settings.section("relay", RelayConfig)
    assert settings.section("relay", RelayConfig) is first  # validated once while unchanged
    settings.sections["relay"] = {"cooling_hours": 1}
    assert settings.section("relay", RelayConfig).cooling_hours == 1
    settings.sections["relay"] = {"cooling_hourz": 1}
    with pytest.raises(ConfigError, match=r"invalid \[relay\]"):
        settings.section("relay", RelayConfig)


def test_the_server_parts_start_and_stop_with_the_app(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from parcelguard.app import create_app

    rt = bare_runtime(tmp_path)
    rt.settings.sections["doctor"] = {"interval_minutes": 60, "first_run_seconds": 3600}
    app = create_app(rt)
    server = app.state.server
    assert isinstance(server, assembly.Server) and server.doctor is None
    with TestClient(app):
        assert server.doctor is not None and server.outbox is None  # no NATS configured
    assert server.doctor is None
    rt.publisher.close()  # type: ignore[attr-defined]
    rt.close()
