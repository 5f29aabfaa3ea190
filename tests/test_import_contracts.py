"""The import rules of `docs/development.md`, checked on the real import graph.

* A domain's tables are read and written through its own functions: nothing outside
  `parcelguard.<domain>` (but the migrations) imports `parcelguard.<domain>.models`.
* The import-linter contracts that say so list every module of the package.
* `lint-imports` keeps every contract of `pyproject.toml`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "parcelguard"
EXEMPT = ("parcelguard.migrations",)  # historical, and `all_models` must see every table


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("parcelguard", cache_dir=None)


def _owners() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/models.py"))


def _top_level() -> set[str]:
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    return {f"parcelguard.{m}" for m in modules | packages}


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def foreign_model_imports(graph: grimp.ImportGraph) -> list[str]:
    """Return every `importer -> models` edge that crosses a domain's boundary."""
    found = []
    for owner in _owners():
        domain = f"parcelguard.{owner}"
        for importer in graph.find_modules_that_directly_import(f"{domain}.models"):
            if not _inside(importer, domain) and not importer.startswith(EXEMPT):
                found.append(f"{importer} -> {domain}.models")
    return sorted(found)


def test_no_module_imports_another_domains_models(graph: grimp.ImportGraph) -> None:
    assert foreign_model_imports(graph) == []


def test_a_new_foreign_models_import_is_caught(graph: grimp.ImportGraph) -> None:
    graph.add_import(importer="parcelguard.labels.scan", imported="parcelguard.vault.models")
    try:
        assert foreign_model_imports(graph) == [
            "parcelguard.labels.scan -> parcelguard.vault.models"
        ]
    finally:
        graph.remove_import(importer="parcelguard.labels.scan", imported="parcelguard.vault.models")


def test_each_models_contract_lists_every_other_module() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}
    for owner in _owners():
        contract = contracts[f"Only {owner} imports {owner}.models"]
        assert contract["forbidden_modules"] == [f"parcelguard.{owner}.models"]
        wanted = _top_level() - {f"parcelguard.{owner}", *EXEMPT}
        assert set(contract["source_modules"]) == wanted, owner


def test_lint_imports_keeps_every_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0
