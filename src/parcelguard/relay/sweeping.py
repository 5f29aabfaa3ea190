"""Sweeping: end expired bindings, cool idle numbers, free cooled ones, forget cooled seats.

`relay sweep` runs it on demand; the routing path runs it lazily, at most every
`sweep_every_seconds` and one batch at a time, so no scheduler is needed.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from parcelguard.audit.service import SYSTEM, Actor, Entry, auditor_for
from parcelguard.clock import operator_time
from parcelguard.relay import bindings, extensions, pool, recordings
from parcelguard.relay.config import config_for
from parcelguard.relay.models import Binding
from parcelguard.runtime import Runtime

log = logging.getLogger("parcelguard.relay")


def sweep(
    rt: Runtime,
    session: Session,
    actor: Actor = SYSTEM,
    *,
    now: datetime | None = None,
    limit: int | None = None,
) -> dict[str, int]:
    """End expired bindings, cool idle numbers, free cooled ones, forget cooled seats."""
    at = operator_time(rt.clock.now(), now)
    batch = limit or config_for(rt).sweep_batch
    due = list(
        session.scalars(
            select(Binding.binding_id)
            .where(
                Binding.tenant_id == rt.tenant,
                Binding.status == "active",
                Binding.expires_at <= at,
            )
            .order_by(Binding.expires_at)
            .limit(batch)
        )
    )
    if due:  # the audit head first, as every other relay writer takes it before bindings
        auditor_for(rt).record(
            session,
            actor,
            Entry(
                "relay.sweep", "relay_pool", None, details={"expired": len(due), "first": due[:20]}
            ),
        )
    released = 0
    for binding_id in due:
        binding = session.get(
            Binding, (rt.tenant, binding_id), with_for_update=True, populate_existing=True
        )
        if binding is not None and binding.status == "active" and binding.expires_at <= at:
            bindings.release(rt, session, binding, "expired", at)
            released += 1
    settled = pool.settle_numbers(session, rt.tenant, at, batch)
    cleared = pool.clear_cooled_seats(session, rt.tenant, at)
    extensions_cleared = extensions.clear_cooled(session, rt.tenant, at)
    expired_recordings = recordings.expire(rt, session)
    session.flush()
    return {
        "released": released,
        **settled,
        "seats_cleared": cleared,
        "extensions_cleared": extensions_cleared,
        "recordings_erased": expired_recordings,
    }


def maybe_sweep(rt: Runtime) -> None:
    """Sweep lazily from the routing path: at most every `sweep_every_seconds`, one batch."""
    state = rt.extras.setdefault("relay.sweep", {"last": float("-inf"), "lock": threading.Lock()})
    config = config_for(rt)
    if time.monotonic() - state["last"] < config.sweep_every_seconds:
        return
    if not state["lock"].acquire(blocking=False):
        return
    try:
        state["last"] = time.monotonic()
        with rt.db.session() as session:
            sweep(rt, session)
    except Exception as exc:  # a failed sweep must not fail the call that triggered it
        log.warning("relay: lazy sweep failed (%s)", type(exc).__name__)
    finally:
        state["lock"].release()
