"""Robust statistics over short lists of counts: median, MAD and quantiles, no numpy per call."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MAD_TO_SIGMA = 1.4826  # scales the MAD to a standard deviation for normal data


def median(values: Sequence[float]) -> float:
    """Return the median (0.0 for no values)."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return 0.0
    mid = n // 2
    return float(ordered[mid]) if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def mad(values: Sequence[float], centre: float | None = None) -> float:
    """Return the median absolute deviation, scaled to a standard deviation."""
    if not values:
        return 0.0
    mid = median(values) if centre is None else centre
    return median([abs(v - mid) for v in values]) * MAD_TO_SIGMA


def quantile(values: Sequence[float], q: float) -> float:
    """Return the q-quantile (0–1) by linear interpolation (0.0 for no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = min(max(q, 0.0), 1.0) * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def robust_ceiling(
    values: Sequence[float], k: float, *, rel_spread: float, ratio: float, floor: float
) -> float:
    """Return the highest unremarkable value: median + k·spread, at least ratio·median and floor.

    The spread is the MAD, but never below `rel_spread`·median or 1, so a principal with
    very regular days is not alerted for an ordinary busy one.
    """
    centre = median(values)
    spread = max(mad(values, centre), rel_spread * centre, 1.0)
    return max(centre + k * spread, ratio * centre, floor)


def peer_ceilings(
    values_by_role: Mapping[str, Sequence[float]], k: float, floor: float, *, min_peers: int = 1
) -> dict[str, float]:
    """Return each role's ceiling over its members' values: median + k MADs, at least `floor`.

    The MAD counts as at least 1; a role with fewer than `min_peers` members gets no ceiling
    (too few to say what is usual), so a caller falls back to `floor` alone.
    """
    return {
        role: robust_ceiling(values, k, rel_spread=0.0, ratio=0.0, floor=floor)
        for role, values in values_by_role.items()
        if len(values) >= min_peers
    }
