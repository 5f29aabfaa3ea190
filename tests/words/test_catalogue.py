"""The catalogue: both languages hold the same keys, and every code the system emits has words.

The codes are read from the code itself (enums, registries, the audit call sites), never from a
hand-kept list, so a new action, rule or check without wording fails here.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from parcelguard import words
from parcelguard.access.models import ROLES
from parcelguard.access.policy import PURPOSES, Policy, Rule
from parcelguard.complaints.models import KINDS
from parcelguard.complaints.models import STATUSES as COMPLAINT_STATUSES
from parcelguard.doctor.registry import BUILTIN
from parcelguard.monitor.detectors.registry import RULES
from parcelguard.monitor.events import ACCESS_ACTIONS as MONITOR_ACTIONS
from parcelguard.monitor.models import STATUSES as ALERT_STATUSES
from parcelguard.vault.models import STATUSES as SHIPMENT_STATUSES
from parcelguard.vault.transitions import EVENT_TYPES

SRC = Path(words.__file__).resolve().parent.parent
# Call sites that carry an audit action: the callee's name and where its action argument is.
ACTION_TAKERS = ("Entry", "Attempt", "audited_refusals")
REFUSALS = ("Denied", "RateLimited", "NotAuthenticated", "DutyRefused")


def _trees() -> list[ast.Module]:
    return [ast.parse(path.read_text()) for path in sorted(SRC.rglob("*.py"))]


TREES = _trees()


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _action_positions() -> dict[str, int]:
    """Return each function taking an `action` parameter that flows into an audit `Entry`."""
    found: dict[str, int] = {"Entry": 0, "Attempt": 0}
    for tree in TREES:
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = [a.arg for a in node.args.args]
            if "action" not in names:
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and _callee(call) == "Entry" and call.args:
                    first = call.args[0]
                    if isinstance(first, ast.Name) and first.id == "action":
                        found[node.name] = names.index("action")
            if node.name == "audited_refusals":
                found[node.name] = names.index("action")
    return found


def _literals(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literals(node.body) + _literals(node.orelse)
    return []


def emitted_actions() -> set[str]:
    """Return every audit action written in the code, plus the lifecycle and monitor ones."""
    positions = _action_positions()
    actions: set[str] = set()
    for tree in TREES:
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _callee(call) not in positions:
                continue
            at = positions[_callee(call)]
            given = call.args[at] if len(call.args) > at else None
            given = given or next((k.value for k in call.keywords if k.arg == "action"), None)
            actions.update(_literals(given))
    actions.update(f"shipment.{kind}" for kind in EVENT_TYPES)  # lifecycle.py: f"shipment.{…}"
    actions.update(MONITOR_ACTIONS)
    return actions


def refusal_reasons() -> set[str]:
    """Return the reason codes of refusals (audited as `reason`) and the policy's answers."""
    reasons: set[str] = set()
    for tree in TREES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) in REFUSALS:
                for keyword in node.keywords:
                    if keyword.arg == "code":
                        reasons.update(_literals(keyword.value))
            if isinstance(node, ast.Call) and _callee(node) == "Entry":
                for keyword in node.keywords:
                    if keyword.arg == "reason":
                        reasons.update(_literals(keyword.value))
    policy = ast.parse((SRC / "access" / "policy.py").read_text())
    for node in ast.walk(policy):
        if isinstance(node, ast.Return):
            reasons.update(_literals(node.value))
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            reasons.update(_literals(node.elts[1]))
    reasons.discard("")
    return {r for r in reasons if r.isidentifier()}


def detail_keys() -> set[str]:
    """Return the keys detectors write into an alert's details."""
    keys: set[str] = set()
    for path in sorted((SRC / "monitor" / "detectors").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                for key in node.keys:
                    keys.update(_literals(key))
    return keys


CODES: dict[str, Any] = {
    "action": emitted_actions,
    "reason": refusal_reasons,
    "role": lambda: set(ROLES),
    "rule": lambda: set(RULES),
    "shipment_state": lambda: set(SHIPMENT_STATUSES),
    "event_type": lambda: set(EVENT_TYPES),
    "alert_state": lambda: set(ALERT_STATUSES),
    "doctor": lambda: {check.name for check in BUILTIN},
    "policy": lambda: (
        {f.name for f in dataclasses.fields(Rule)}
        | {f.name for f in dataclasses.fields(Policy) if f.name != "rules"}
    ),
    "purpose": lambda: set(PURPOSES),
    "detail": detail_keys,
}


def _keys(value: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if not isinstance(value, dict):
        return {prefix}
    out: set[tuple[str, ...]] = set()
    for key, inner in value.items():
        out |= _keys(inner, (*prefix, str(key)))
    return out


def test_both_languages_hold_the_same_keys() -> None:
    """Every key of the Chinese catalogue exists in English and the other way round."""
    zh, en = _keys(words.catalogue("zh")), _keys(words.catalogue("en"))
    assert sorted(zh - en) == []
    assert sorted(en - zh) == []


def test_no_wording_is_empty_except_deliberate_blanks() -> None:
    """A key never maps to an empty string unless both languages leave it blank on purpose."""
    zh, en = words.catalogue("zh"), words.catalogue("en")
    for lang_words, other in ((zh, en), (en, zh)):
        for key in _keys(lang_words):
            value = _lookup(lang_words, key)
            if value == "":
                assert _lookup(other, key) == "", key


def _lookup(catalogue: Any, path: tuple[str, ...]) -> Any:
    value = catalogue
    for part in path:
        value = value[part]
    return value


@pytest.mark.parametrize("kind", sorted(CODES))
def test_every_emitted_code_has_words_in_both_languages(kind: str) -> None:
    """Each code read from the code (actions, reasons, roles, rules, states …) is worded."""
    emitted = CODES[kind]()
    assert emitted, f"found no {kind} codes: the scan is broken"
    for lang in words.LANGUAGES:
        table = words.codes(lang)[kind]
        missing = sorted(code for code in emitted if not table.get(code))
        assert missing == [], f"{lang} has no words for these {kind} codes: {missing}"


def test_the_action_scan_finds_the_known_call_sites() -> None:
    """The scan sees literal, keyword, conditional and parameter-passed actions."""
    found = emitted_actions()
    for action in ("reveal", "label.print", "relay.pool_exhausted", "principal.role_grant"):
        assert action in found
    assert "shipment.delivered" in found


def test_say_words_a_code_and_marks_no_code() -> None:
    """`say` gives the wording, "—" for nothing, and the code itself only as a last resort."""
    assert words.say("zh", "action", "label.print") == "打印面单"
    assert words.say("en", "rule", "off_hours") == "Access in off hours"
    assert words.say("zh", "reason", None) == "—"
    assert words.say("xx", "role", "courier") == "快递员"


def test_complaint_kinds_and_statuses_have_words_in_both_languages() -> None:
    """Every complaint kind and status of the complaints model is worded."""
    for lang in words.LANGUAGES:
        section = words.catalogue(lang)["complaints"]
        assert sorted(set(KINDS) - set(section["kind"])) == []
        assert sorted(set(COMPLAINT_STATUSES) - set(section["status"])) == []
