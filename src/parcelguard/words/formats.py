"""Times and numbers as people read them: local time in the tenant's zone, "3 分钟前", 12,345."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
# (seconds in the unit, zh unit, en unit) from the largest down.
UNITS = (
    (86400 * 365, "年", "year"),
    (86400 * 30, "个月", "month"),
    (86400, "天", "day"),
    (3600, "小时", "hour"),
    (60, "分钟", "minute"),
)


def zone(name: str | None) -> ZoneInfo:
    """Return the named zone, or Asia/Shanghai when the name is empty or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def moment(at: str | datetime | None) -> datetime | None:
    """Return a time as an aware datetime (a naive one is taken as UTC, as the database keeps)."""
    if at is None or at == "":
        return None
    found = datetime.fromisoformat(at) if isinstance(at, str) else at
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def local_text(at: str | datetime | None, where: str | None = None) -> str:
    """Return "2026-12-03 17:50" in the zone (China time by default); "—" for no time."""
    found = moment(at)
    if found is None:
        return "—"
    return found.astimezone(zone(where)).strftime("%Y-%m-%d %H:%M")


def relative(at: str | datetime | None, now: datetime, lang: str) -> str:
    """Return "3 分钟前" / "3 minutes ago" (or "3 分钟后" / "in 3 minutes"); "" for no time."""
    found = moment(at)
    if found is None:
        return ""
    seconds = int((now - found).total_seconds())
    past, span = seconds >= 0, abs(seconds)
    if span < 60:
        return "刚刚" if lang == "zh" else "just now"
    size, zh_unit, en_unit = next(u for u in UNITS if span >= u[0])
    n = span // size
    if lang == "zh":
        return f"{n} {zh_unit}{'前' if past else '后'}"
    unit = en_unit if n == 1 else f"{en_unit}s"
    return f"{n} {unit} ago" if past else f"in {n} {unit}"


def grouped(n: int | float | str | None) -> str:
    """Return a count with thousands grouped ("12,345"), as both languages write amounts."""
    if n is None or n == "":
        return "—"
    value: int | float
    if isinstance(n, str):
        try:
            value = float(n) if "." in n else int(n)
        except ValueError:
            return n
    else:
        value = n
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"
