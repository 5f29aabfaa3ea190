# ruff: noqa: F811 - the import fixtures are imported by name and requested as parameters
"""Unmasked rejected rows are a plaintext copy of personal data: only a trained person whose
role may reveal every party field gets one, and every attempt is audited."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from parcelguard.audit.models import AuditEvent
from parcelguard.runtime import Runtime
from parcelguard.vault.synthetic import Faker
from tests.imports.conftest import Result, agent_key, run, shop, staff_key  # noqa: F401


def _file_with_a_bad_row(tmp_path: Path) -> Path:
    rows = list(Faker(21).rows(2))
    rows[1]["recipient_phone"] = "1380013800"
    path = tmp_path / "orders.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _decisions(rt: Runtime) -> list[tuple[str | None, str | None]]:
    with rt.db.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "import.rejects_unmasked")
        )
        return [(e.decision, e.reason) for e in events]


@pytest.mark.parametrize(
    ("role", "trained", "reason"),
    [
        ("courier", True, "role_may_not_reveal"),
        ("station_clerk", True, "role_may_not_reveal"),
        ("admin", True, "role_may_not_reveal"),
        ("service", False, "role_may_not_reveal"),
        ("customer_service", False, "training_required"),
    ],
)
def test_staff_without_a_full_reveal_right_cannot_write_unmasked_rejects(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path, role: str, trained: bool, reason: str
) -> None:
    key = staff_key(shop, role, trained=trained)
    out = tmp_path / "plain.csv"
    result = run(
        "import",
        str(_file_with_a_bad_row(tmp_path)),
        "--errors",
        str(out),
        "--unmasked",
        "--api-key",
        key,
        "--json",
    )
    assert result.code == 5
    assert result.json["error"]["code"] == reason
    assert not out.exists()  # refused before anything was read or written
    assert _decisions(shop) == [("deny", reason)]


def test_unmasked_rejects_without_a_key_are_a_usage_error(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "plain.csv"
    result = run("import", str(_file_with_a_bad_row(tmp_path)), "--errors", str(out), "--unmasked")
    assert result.code == 2 and not out.exists()
    assert len(result.stderr.strip().splitlines()) == 1 and "--api-key" in result.stderr


def test_masked_rejects_never_hold_the_bad_value(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "masked.csv"
    result = run("import", str(_file_with_a_bad_row(tmp_path)), "--errors", str(out), "--json")
    assert result.code == 3
    assert "1380013800" not in out.read_text(encoding="utf-8-sig")


def test_a_trained_agent_gets_unmasked_rejects_and_it_is_audited(
    run: Callable[..., Result], shop: Runtime, tmp_path: Path, agent_key: str
) -> None:
    out = tmp_path / "plain.csv"
    result = run(
        "import",
        str(_file_with_a_bad_row(tmp_path)),
        "--errors",
        str(out),
        "--unmasked",
        "--api-key",
        agent_key,
        "--json",
    )
    assert result.code == 3
    assert "1380013800" in out.read_text(encoding="utf-8-sig")
    assert _decisions(shop) == [("allow", "allowed")]
