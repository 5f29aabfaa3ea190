"""Whole-file refusals: required columns missing, or no waybill column; each names what it found.

A person reading the message learns the headers the file has, the ones closest to what is
missing, and the exact `--map` (or `[sender]`, or `--assign-waybills`) that would let the file in.
"""

from __future__ import annotations

from parcelguard.errors import InvalidInput
from parcelguard.vault.sources import ColumnPlan, catalogue, closest_names


def missing_columns(plan: ColumnPlan, *, default_sender: bool) -> list[str]:
    """Return the required fields no column gives (sender ones only without a default)."""
    wanted = [("recipient", p) for p in ("name", "phone", "address")]
    if not (default_sender and not plan.has_any_party_column("sender")):
        wanted += [("sender", p) for p in ("name", "phone", "address")]
    return [f"{party}_{part}" for party, part in wanted if not plan.has_party(party, part)]


def missing_column_error(name: str, plan: ColumnPlan, missing: list[str]) -> InvalidInput:
    """Return the refusal of a file that lacks required columns, naming what was found."""
    free = _unused(plan)
    hints = {m: closest_names(free, m) for m in missing}
    found = ", ".join(h for h in plan.headers if h) or "none"
    near = "; ".join(f"{m} might be {' or '.join(h)}" for m, h in hints.items() if h)
    sender = any(m.startswith("sender_") for m in missing)
    return InvalidInput(
        f"{name}: no column for {', '.join(missing)} (headers may be English or Chinese). "
        f"Headers found: {found}."
        + (f" Closest: {near}." if near else "")
        + " Map a column with --map '<column>=<field>'"
        + (", or set a default sender in [sender] of config.toml" if sender else "")
        + ".",
        code="missing_column",
        details={"missing": missing, "headers": plan.headers, "closest": hints},
    )


def check_columns(
    name: str, plan: ColumnPlan | None, default_sender: bool, assign_waybills: bool
) -> None:
    """Refuse a file without the required columns, or without waybills unless assigned."""
    if plan is None:
        return
    missing = missing_columns(plan, default_sender=default_sender)
    if missing:
        raise missing_column_error(name, plan, missing)
    if plan.has("waybill_no") or assign_waybills:
        return
    near = closest_names(_unused(plan), "waybill_no")
    known = catalogue().known_names("waybill_no")[1:9]
    example = near[0] if near else "<column>"
    layout = plan.source.id if plan.source else "default"
    raise InvalidInput(
        f"{name}: no column is recognised as the waybill number, and ParcelGuard never "
        f"invents one. Headers found: {', '.join(h for h in plan.headers if h)}. "
        + (f"Closest to a waybill column: {', '.join(near)}. " if near else "")
        + f"Known names: {', '.join(known)}. Map it with --map '{example}=waybill' "
        f"(or save it under [import.mappings.{layout}] in config.toml), "
        "or pass --assign-waybills to have ParcelGuard number the parcels.",
        code="no_waybill_column",
        details={"headers": plan.headers, "closest": near, "known": known},
    )


def _unused(plan: ColumnPlan) -> list[str]:
    """Return the headers no field took (a recipient's column is no sender's suggestion)."""
    used = {c for cols in plan.columns.values() for c in cols}
    return [h for i, h in enumerate(plan.headers) if i not in used]
