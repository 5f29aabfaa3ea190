"""Every CLI command behaves like a Unix tool: usage errors exit 2 with one line, never a traceback.

The commands are enumerated from the app itself, so a command added later is covered without
editing this file. Each runs with no arguments, with a bad flag, and with `--json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from parcelguard.cli import command
from parcelguard.runtime import Runtime
from tests.imports.conftest import Result, cli_for

# Commands that start a long-running server when given nothing: only their bad flag is run.
SERVERS = ("serve", "demo", "witness")


def walk(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Yield (path, click command) for every group and command under `cmd`."""
    yield path, cmd
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = list(walk(command()))
IDS = [" ".join(path) or "parcelguard" for path, _ in COMMANDS]


def serves(path: tuple[str, ...]) -> bool:
    return any(word in SERVERS for word in path)


def needs_arguments(cmd: Any) -> bool:
    """Return whether running it bare is a usage error (a required parameter, or a group)."""
    if hasattr(cmd, "commands"):
        return not getattr(cmd, "invoke_without_command", False)
    return any(p.required for p in cmd.params)


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The conventions are the CLI's own; one database is enough."""
    return str(request.param)


@pytest.fixture
def parcelguard(rt: Runtime) -> Callable[..., Result]:
    return cli_for(rt)


def one_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_bare_command(path: tuple[str, ...], cmd: Any, parcelguard: Callable[..., Result]) -> None:
    if serves(path):
        pytest.skip("starts a server when run bare")
    result = parcelguard(*path)
    assert "Traceback" not in result.stderr + result.stdout
    if needs_arguments(cmd):
        assert result.code == 2
        line = one_line(result)
        assert line.startswith("error (usage): parcelguard") and "--help" in line
    else:
        assert result.code != 2, result.stderr
        if result.code != 0:
            one_line(result)


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_bad_flag(path: tuple[str, ...], cmd: Any, parcelguard: Callable[..., Result]) -> None:
    result = parcelguard(*path, "--no-such-flag")
    assert result.code == 2
    line = one_line(result)
    assert "--no-such-flag" in line and "--help" in line


@pytest.mark.parametrize(("path", "cmd"), COMMANDS, ids=IDS)
def test_json(path: tuple[str, ...], cmd: Any, parcelguard: Callable[..., Result]) -> None:
    if serves(path):
        pytest.skip("starts a server when run bare")
    result = parcelguard(*path, "--json")
    assert "Traceback" not in result.stderr + result.stdout
    if not hasattr(cmd, "commands"):
        assert "No such option: --json" not in result.stderr  # every command takes --json
    if result.code == 0:
        json.loads(result.stdout)  # exactly one JSON document (or JSON lines where said)
        return
    document = json.loads(result.stdout)
    assert set(document) == {"error"} and document["error"]["code"]
    assert json.loads(one_line(result)) == document  # the same error, as JSON, on stderr
    if needs_arguments(cmd):
        assert result.code == 2 and document["error"]["code"] == "usage"


def test_version(parcelguard: Callable[..., Result]) -> None:
    from parcelguard import __version__

    result = parcelguard("--version")
    assert (result.code, result.stdout.strip()) == (0, f"parcelguard {__version__}")


def test_unknown_command_is_one_line(parcelguard: Callable[..., Result]) -> None:
    result = parcelguard("fnd", "--phone", "13800138000")
    assert result.code == 2
    assert "No such command 'fnd'" in one_line(result)


def test_completion_script_is_offered(parcelguard: Callable[..., Result]) -> None:
    result = parcelguard("--show-completion", "bash")
    assert result.code == 0 and "_PARCELGUARD_COMPLETE" in result.stdout


def test_errors_are_one_line_without_json_too(parcelguard: Callable[..., Result]) -> None:
    result = parcelguard("show", "NO-SUCH-WAYBILL")
    assert result.code == 1
    assert one_line(result).startswith("error (shipment_not_found)")
