"""Import fixtures: a runtime whose config.toml has a default sender, and its CLI."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from parcelguard.audit.bus import InProcessBus, attach
from parcelguard.clock import FixedClock
from parcelguard.runtime import Runtime
from tests.conftest import CliResult, make_settings

SENDER = {
    "name": "杭州好物旗舰店",
    "phone": "0571-88886666",
    "address": "浙江省杭州市余杭区文一西路969号",
}
STATION_SENDER = {
    "name": "西湖驿站",
    "phone": "13700001111",
    "address": "浙江省杭州市西湖区文三路100号",
}


def shop_runtime(
    home: Path, database_url: str, clock: FixedClock, bus: InProcessBus, **sections: Any
) -> Runtime:
    """Return a ready runtime with a `[sender]` (and any other tables) configured."""
    settings = make_settings(
        home,
        database_url,
        sections={
            "sender": SENDER,
            "stations": {"st-xihu": {"sender": STATION_SENDER}},
            **sections,
        },
    )
    runtime = Runtime.from_settings(settings, clock=clock, publisher=bus)
    attach(runtime)
    runtime.keyring  # noqa: B018
    return runtime


@pytest.fixture
def shop(home: Path, database_url: str, clock: FixedClock, bus: InProcessBus) -> Iterator[Runtime]:
    """A runtime whose config.toml names a default sender."""
    runtime = shop_runtime(home, database_url, clock, bus)
    yield runtime
    runtime.close()


@pytest.fixture
def run(shop: Runtime) -> Callable[..., Result]:
    """Run `parcelguard ARGS…` against the shop runtime; stderr kept on `.stderr`."""
    return cli_for(shop)


@dataclass
class Result(CliResult):
    """A CLI run with its stderr too."""

    stderr: str = ""


def cli_for(runtime: Runtime) -> Callable[..., Result]:
    """Return an in-process CLI bound to `runtime`."""
    from parcelguard.cli import run as run_cli

    def invoke(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = run_cli(list(args), make_runtime=lambda: runtime)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def staff_key(rt: Runtime, role: str, *, trained: bool = True) -> str:
    """Create a member of staff of `role` (trained until 2027 unless not) and return their key."""
    from datetime import date

    from parcelguard.access import service as access_service
    from parcelguard.access.schemas import NewPrincipal
    from parcelguard.audit.service import SYSTEM

    with rt.db.session() as session:
        _, key = access_service.create(
            rt,
            session,
            SYSTEM,
            NewPrincipal(
                name=f"{role} 测试",
                role=role,
                trained_until=date(2027, 6, 30) if trained else None,
            ),
        )
    return key


@pytest.fixture
def agent_key(shop: Runtime) -> str:
    """A trained customer-service agent's key (may reveal every party field)."""
    return staff_key(shop, "customer_service")
