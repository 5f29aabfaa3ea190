"""The commented `config.toml` that `parcelguard init` writes: every setting, with its default.

Generated from the settings models themselves (the `Settings` fields and each table's model),
with the comment each model writes beside or above a field, so the file cannot drift from the
code: a new setting appears in the next `init` without anyone editing a template.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

HEADER = """\
# ParcelGuard configuration (config.toml in PARCELGUARD_HOME), written by `parcelguard init`.
# Every setting is listed with its default, commented out: uncomment a line to change it.
# Environment variables PARCELGUARD_<NAME> override the top-level settings (docs/deploy.md).
"""
FOOTER = """
# [stations.<station id>.sender]
# A station's own default sender, same keys as [sender]; rows of that station use it.

# [import.mappings.<layout>]
# Saved column mappings, "<column>" = "<field>", for files recognised as <layout> (taobao, jd,
# pinduoduo, douyin, … see docs/import.md); "default" applies to files no layout matched.

# [policy.roles.<role>]
# Tighten the reveal policy of a role (docs/access.md); loosening is refused.
"""
_FIELD = re.compile(r"^(\w+)\s*:")
SKIP = {"home", "sections"}


def render(settings: type[BaseModel], tables: Sequence[tuple[str, type[BaseModel]]]) -> str:
    """Return the commented configuration for the top-level settings and each table."""
    lines = [HEADER]
    lines += _fields(settings, skip=SKIP)
    for name, model in tables:
        lines += ["", f"# [{name}]"]
        doc = (model.__doc__ or "").strip().splitlines()
        lines += [f"# {doc[0]}"] if doc else []
        lines += _fields(model, table=name)
    return "\n".join(lines).rstrip() + "\n" + FOOTER


def write_if_missing(path: Path, text: str) -> bool:
    """Write `text` to `path` unless a file is already there (never overwrite one's settings)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)  # secrets may follow
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return True


def _fields(model: type[BaseModel], *, table: str = "", skip: set[str] | None = None) -> list[str]:
    notes = field_notes(model)
    lines: list[str] = []
    nested: list[tuple[str, type[BaseModel]]] = []
    for name, info in model.model_fields.items():
        if name in (skip or set()) or info.exclude:
            continue
        kind = _model_type(info)
        if kind is not None:
            nested.append((f"{table}.{name}" if table else name, kind))
            continue
        note = info.description or notes.get(name)
        if note:
            lines += [f"# {line}" for line in textwrap.wrap(note, 94)]
        lines.append(f"# {name} = {_value(_default(info))}")
    for name, kind in nested:
        lines += ["", f"# [{name}]"]
        lines += _fields(kind, table=name)
    return lines


def field_notes(model: type[BaseModel]) -> dict[str, str]:
    """Return field → the comment written above or beside it in the model's source (and bases')."""
    notes: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, BaseModel)) or klass is BaseModel:
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        pending: list[str] = []
        for line in source.splitlines()[1:]:
            stripped = line.strip()
            if stripped.startswith("#"):
                pending.append(stripped.lstrip("#").strip())
                continue
            match = _FIELD.match(stripped)
            if match and match.group(1) in model.model_fields:
                beside = stripped.split("  # ", 1)[1].strip() if "  # " in stripped else ""
                notes[match.group(1)] = " ".join([*pending, beside]).strip()
            pending = []
    return {k: v for k, v in notes.items() if v}


def _model_type(info: FieldInfo) -> type[BaseModel] | None:
    kind = info.annotation
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind
    return None


def _default(info: FieldInfo) -> Any:
    if info.default is not PydanticUndefined:
        return info.default
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return None


def _value(value: Any) -> str:
    """Return a default as TOML (an unset one says so)."""
    if value is None or isinstance(value, SecretStr):
        return '""  # not set'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Path):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(str(k))} = {_value(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, BaseModel):
        return _value(value.model_dump())
    return json.dumps(str(getattr(value, "value", value)), ensure_ascii=False)
