"""Every service function takes `rt, session, caller/actor/person, <subject…>, *, options`.

docs/development.md, "Service contract": the runtime first, the session right after it
when there is one, then who acts, then what the call is about. This reads the source with
`ast` (no import), so a new function that breaks the order fails here before review.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "parcelguard"

ACTORS = {"actor", "caller", "person"}

# Modules checked besides every `service.py`: the ones whose functions the CLI, the API
# and the console call directly (they were the functions written before the rule).
EXTRA_MODULES = [
    "access/cases.py",
    "access/credentials.py",
    "access/duties.py",
    "access/enrolment.py",
    "access/grants.py",
    "access/provisioning.py",
    "forensics/trace.py",
    "labels/printing.py",
    "labels/scan.py",
    "relay/bindings.py",
    "relay/erasure.py",
    "relay/inventory.py",
    "relay/recordings.py",
    "relay/routing.py",
    "relay/verification.py",
    "vault/ingest.py",
    "vault/lifecycle.py",
    "vault/retention.py",
]

# Functions allowed out of order ("module:function" -> why). Empty: issue 16 moved every
# function written before the rule; an entry needs a reason its callers cannot change yet.
ALLOWED: dict[str, str] = {}


def _modules() -> list[Path]:
    found = set(SRC.rglob("service.py"))
    found.update(SRC / name for name in EXTRA_MODULES)
    return sorted(found)


def _is_text(annotation: ast.expr | None) -> bool:
    return annotation is not None and ast.unparse(annotation).split(" |")[0] == "str"


def problems(path: Path, root: Path = SRC) -> list[str]:
    """Say what breaks the order in each public top-level function of one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if node.name.startswith("_"):
            continue
        positional = [*node.args.posonlyargs, *node.args.args]
        names = [a.arg for a in positional]
        # `caller: str` in relay is the calling phone number, a subject, not who acts.
        acting = {a.arg for a in positional if a.arg in ACTORS and not _is_text(a.annotation)}
        where = f"{path.relative_to(root).as_posix()}:{node.name}"
        if "rt" in names and names.index("rt") != 0:
            found.append(f"{where}: `rt` is not the first parameter")
        if "session" in names:
            index = names.index("session")
            expected = 1 if "rt" in names else 0
            if index != expected:
                found.append(f"{where}: `session` does not come right after `rt`")
        subject_seen = None
        for name in names:
            if name in {"rt", "session"}:
                continue
            if name in acting:
                if subject_seen is not None:
                    found.append(f"{where}: `{name}` comes after the subject `{subject_seen}`")
                continue
            subject_seen = subject_seen or name
    return found


def test_service_functions_follow_the_argument_order() -> None:
    found = [p for path in _modules() for p in problems(path)]
    unexpected = [p for p in found if p.split(": ", 1)[0] not in ALLOWED]
    assert unexpected == [], "\n".join(unexpected)


def test_allow_list_holds_only_functions_still_out_of_order() -> None:
    found = {p.split(": ", 1)[0] for path in _modules() for p in problems(path)}
    assert sorted(set(ALLOWED) - found) == []


def test_checker_catches_each_kind_of_disorder(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    source = (
        "def a(session, rt): ...\n"
        "def b(rt, x, session): ...\n"
        "def c(rt, session, waybill, actor): ...\n"
        "def d(rt, session, actor, waybill, *, actor2=None): ...\n"
        "def f(rt, session, actor, recipient, caller: str): ...\n"
        "def _e(waybill, actor): ...\n"
    )
    module.write_text(source, encoding="utf-8")
    found = problems(module, root=tmp_path)
    assert [p.split(":", 1)[1] for p in found] == [
        "a: `rt` is not the first parameter",
        "a: `session` does not come right after `rt`",
        "b: `session` does not come right after `rt`",
        "c: `actor` comes after the subject `waybill`",
    ]
