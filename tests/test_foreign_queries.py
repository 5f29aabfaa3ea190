"""No domain builds a query on another domain's table, even through a re-exported class.

The import-linter contracts keep `parcelguard.<domain>.models` to its own domain, but an owner
service may hand out its record types (`vault.service.Shipment` is the ORM class): a module of
another domain could still write `select(Shipment)` with it. This test reads every module and
refuses any query-building call (`select`, `update`, `delete`, `insert`, `session.get`, a join,
…) that names a mapped class of another domain, imported by name or reached through a module.
Reading such a record an owner function returned is fine; querying its table is the owner's job.
"""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "parcelguard"
QUERY_CALLS = {"select", "update", "delete", "insert", "get", "query", "exists", "join"}
QUERY_CALLS |= {"outerjoin", "select_from", "with_only_columns"}
EXEMPT = ("parcelguard.migrations",)  # historical, and `all_models` must see every table


def _domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _mapped_domain(obj: object) -> str | None:
    if isinstance(obj, type) and getattr(obj, "__table__", None) is not None:
        return _domain(obj.__module__)
    return None


def foreign_queries(module: str, source: str) -> list[str]:
    """Return each query-building call in `source` that names another domain's mapped class."""
    here, tree = _domain(module), ast.parse(source)
    classes: dict[str, str] = {}  # local name -> the foreign mapped class
    modules: dict[str, types.ModuleType] = {}  # local name -> an imported parcelguard module
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("parcelguard")):
            continue
        imported = importlib.import_module(str(node.module))
        for alias in node.names:
            obj = getattr(imported, alias.name, None)
            local = alias.asname or alias.name
            if isinstance(obj, types.ModuleType):
                modules[local] = obj
            elif (owner := _mapped_domain(obj)) and owner != here:
                classes[local] = f"{obj.__module__}.{alias.name}"
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        name = getattr(called, "attr", None) or getattr(called, "id", None)
        if name not in QUERY_CALLS:
            continue
        for part in ast.walk(node):
            if isinstance(part, ast.Name) and part.id in classes:
                found.append(f"{module}:{node.lineno} {name}() on {classes[part.id]}")
            if (
                isinstance(part, ast.Attribute)
                and isinstance(part.value, ast.Name)
                and part.value.id in modules
            ):
                obj = getattr(modules[part.value.id], part.attr, None)
                owner = _mapped_domain(obj)
                if owner and owner != here:
                    found.append(f"{module}:{node.lineno} {name}() on {owner}'s {part.attr}")
    return found


def test_no_module_queries_another_domains_tables() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT / "src").with_suffix("").parts)
        module = module.removesuffix(".__init__")
        if not module.startswith(EXEMPT):
            found += foreign_queries(module, path.read_text(encoding="utf-8"))
    assert found == []


def test_a_query_on_a_re_exported_class_is_caught() -> None:
    by_name = (
        "from parcelguard.vault.service import Shipment\n"
        "def f(session):\n"
        "    return session.scalars(select(Shipment).where(Shipment.status == 'x'))\n"
    )
    through_module = (
        "from parcelguard.vault import service as vault\n"
        "def f(session, key):\n"
        "    return session.get(vault.Shipment, key)\n"
    )
    assert foreign_queries("parcelguard.labels.scan", by_name) == [
        "parcelguard.labels.scan:3 select() on parcelguard.vault.models.Shipment"
    ]
    assert foreign_queries("parcelguard.labels.scan", through_module) == [
        "parcelguard.labels.scan:3 get() on vault's Shipment"
    ]
    assert foreign_queries("parcelguard.vault.export", by_name) == []  # the owner may
