"""`parcelguard init` writes a commented config.toml listing every setting with its default."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

from parcelguard.assembly import config_tables
from parcelguard.runtime import Runtime
from parcelguard.settings import Settings
from tests.conftest import CliResult


def uncommented(text: str) -> str:
    """Return the file with every commented table and setting switched on."""
    lines = []
    for line in text.splitlines():
        match = re.match(r"^# (\[[\w.]+\]|\w+ = .*)$", line)
        if match:
            lines.append(match.group(1).split("  # not set")[0])
    return "\n".join(lines)


def test_init_writes_every_setting_commented(cli: Callable[..., CliResult], rt: Runtime) -> None:
    result = cli("init", "--json").json
    path = Path(result["config"])
    assert result["config_written"] is True
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # all commented: the defaults stay the defaults
    values = tomllib.loads(uncommented(text))
    for name in Settings.model_fields:
        if name not in ("home", "sections"):
            assert name in values, name
    for table, model in config_tables():
        section = values
        for part in table.split("."):
            section = section[part]
        assert set(model.model_fields) <= set(section) | {
            n
            for n, f in model.model_fields.items()
            if isinstance(f.annotation, type) or f.exclude  # tables; keys kept only to be read
        }
    assert values["retention_days"] == Settings.model_fields["retention_days"].default
    assert values["relay"]["cooling_hours"] == 48.0
    assert "[sender]" in text and "[import.mappings.<layout>]" in text


def test_init_never_overwrites_an_existing_config(
    cli: Callable[..., CliResult], rt: Runtime
) -> None:
    path = rt.settings.home / "config.toml"
    path.write_text('tenant = "mine"\n', encoding="utf-8")
    assert cli("init", "--json").json["config_written"] is False
    assert path.read_text(encoding="utf-8") == 'tenant = "mine"\n'
