"""No import cycles inside `parcelguard`, at module level (`docs/development.md`).

Every import counts, also one inside a function or under `TYPE_CHECKING`: a cycle hidden by a
late import is still two modules that cannot be understood (or moved) one without the other.
"""

from __future__ import annotations

import grimp
import pytest

# Cycles that are known and not yet broken; each must shrink to nothing, never grow.
KNOWN: list[set[str]] = []


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("parcelguard", cache_dir=None)


def cycles(graph: grimp.ImportGraph) -> list[set[str]]:
    """Return the strongly connected sets of two or more modules (Tarjan, iteratively)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(component)
    return found


def _described(found: list[set[str]]) -> list[str]:
    return sorted(" <-> ".join(sorted(c)) for c in found)


def test_no_import_cycles_inside_the_package(graph: grimp.ImportGraph) -> None:
    new = [c for c in cycles(graph) if c not in KNOWN]
    assert _described(new) == []


def test_the_known_cycles_are_still_there(graph: grimp.ImportGraph) -> None:
    """A broken cycle leaves `KNOWN`: the list only ever gets shorter."""
    found = cycles(graph)
    assert [c for c in KNOWN if c not in found] == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        # the three cycles issue 16 broke, each put back with one import
        ("parcelguard.web.errors", "parcelguard.identity.api"),
        ("parcelguard.monitor.consumer", "parcelguard.monitor.service"),
        ("parcelguard.relay.decision", "parcelguard.relay.routing"),
    ],
)
def test_a_new_cycle_is_caught(graph: grimp.ImportGraph, importer: str, imported: str) -> None:
    graph.add_import(importer=importer, imported=imported)
    try:
        assert any({importer, imported} <= c for c in cycles(graph))
    finally:
        graph.remove_import(importer=importer, imported=imported)
