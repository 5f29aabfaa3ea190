"""Times and numbers as people read them: local time, relative time, grouped counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parcelguard.words.formats import grouped, local_text, relative

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "zone", "shown"),
    [
        ("2026-12-03T09:00:00+00:00", None, "2026-12-03 17:00"),
        ("2026-12-03T09:00:00", "Asia/Shanghai", "2026-12-03 17:00"),  # naive = UTC
        (NOW, "Europe/Berlin", "2026-12-03 10:00"),
        (NOW, "Not/AZone", "2026-12-03 17:00"),
        (None, None, "—"),
    ],
)
def test_local_time_is_in_the_tenant_zone(
    at: datetime | str | None, zone: str | None, shown: str
) -> None:
    assert local_text(at, zone) == shown


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [
        (20, "刚刚", "just now"),
        (180, "3 分钟前", "3 minutes ago"),
        (3600, "1 小时前", "1 hour ago"),
        (86400 * 2, "2 天前", "2 days ago"),
        (-600, "10 分钟后", "in 10 minutes"),
    ],
)
def test_relative_time_reads_in_both_languages(seconds: int, zh: str, en: str) -> None:
    at = datetime.fromtimestamp(NOW.timestamp() - seconds, UTC)
    assert relative(at, NOW, "zh") == zh
    assert relative(at, NOW, "en") == en


def test_counts_are_grouped_by_thousands() -> None:
    assert grouped(1234567) == "1,234,567"
    assert grouped("12345") == "12,345"
    assert grouped(3.5) == "3.50"
    assert grouped(None) == "—"
    assert grouped("n/a") == "n/a"
