"""The complaint clock: the company answers within 7 days; an appeal to the regulator follows.

When the company has not answered within 7 days, or the complainant is not satisfied with
the answer, the complainant may appeal to the postal regulator (the 12305 channel). Appeals
are accepted for one year; the year runs from the earliest linked parcel's posting (the day
the service began), or from the complaint when no parcel is linked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from parcelguard.clock import CHINA
from parcelguard.complaints.models import Complaint

ANSWER_WITHIN = timedelta(days=7)
DUE_SOON = timedelta(hours=48)


def due_at(filed: datetime) -> datetime:
    """Return when the company's answer is due."""
    return filed + ANSWER_WITHIN


def appeal_deadline(basis: datetime) -> date:
    """Return the last day (China time) an appeal to the regulator is accepted."""
    day = basis.astimezone(CHINA).date()
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def badge(complaint: Complaint, now: datetime) -> str:
    """Return the queue badge: overdue, due_soon, on_time, or the status once answered."""
    if complaint.status != "open":
        return complaint.status
    if now > complaint.due_at:
        return "overdue"
    if complaint.due_at - now <= DUE_SOON:
        return "due_soon"
    return "on_time"


def appeal_reason(complaint: Complaint, now: datetime) -> str | None:
    """Return why the complainant may appeal now ("unanswered" or "unsatisfied"), or None."""
    if now.astimezone(CHINA).date() > complaint.appeal_deadline:
        return None
    if complaint.status == "open" and now > complaint.due_at:
        return "unanswered"
    if complaint.status == "unsatisfied":
        return "unsatisfied"
    return None
