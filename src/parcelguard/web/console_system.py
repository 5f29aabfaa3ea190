"""Security centre: the keyring's state and the `doctor` self-check (officers and admins).

Both are reads. The self-check runs only when asked ("run now", a GET form) and at most a few
times a minute per person, as the doctor API is limited; its findings name checks and
settings, never personal data or key material.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from parcelguard.doctor.service import examine
from parcelguard.errors import RateLimited
from parcelguard.ratelimit import Limit, config_for
from parcelguard.runtime import Runtime
from parcelguard.vault import keys as vault_keys
from parcelguard.web.console_security import ReaderPage, security_page
from parcelguard.web.deps import get_runtime

router = APIRouter(prefix="/console/security", include_in_schema=False)
DOCTOR_LIMIT = Limit(limit=6, window=60)  # as `GET /api/v1/doctor` (docs/hardening.md)


@router.get("/keys", response_model=None)
def keys(staff: ReaderPage, request: Request, rt: Runtime = Depends(get_runtime)) -> Response:
    """Show the active KEK, the versions kept, rewrap progress and the retention epochs."""
    state = vault_keys.status(rt)
    created = sorted(state.get("created_at", {}).items(), key=lambda item: int(item[0]))
    context = {"k": state, "created": created}
    return security_page(request, "console/security/keys.html", context, staff)


@router.get("/doctor", response_model=None)
def doctor(
    staff: ReaderPage, request: Request, run: bool = False, rt: Runtime = Depends(get_runtime)
) -> Response:
    """Show the self-check's findings (pass / warn / fail) when "run now" is asked."""
    report, too_fast = None, False
    if run:
        try:
            _limit(rt, staff.caller.principal_id)
            report = examine(rt).as_dict()
        except RateLimited:
            too_fast = True
    context = {"report": report, "too_fast": too_fast}
    status = 429 if too_fast else 200
    return security_page(
        request, "console/security/doctor.html", context, staff, status_code=status
    )


def _limit(rt: Runtime, principal_id: str) -> None:
    config = config_for(rt)
    if config.enabled:
        rule = config.limit_for("doctor", DOCTOR_LIMIT)
        rt.limiter.hit(f"console_doctor:principal:{principal_id}", rule.limit, rule.window)
