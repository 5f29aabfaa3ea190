"""Which audit sequence numbers a consumer has processed: a watermark plus the few above it."""

from __future__ import annotations


class SeenSequences:
    """Remembers processed sequence numbers in bounded memory.

    Everything at or below `low` is seen; numbers above it are kept in a set until the gap
    below them closes. When more than `horizon` are pending (a number never came), the
    watermark moves past the gap: a sequence that late is treated as already seen.
    """

    __slots__ = ("above", "horizon", "low")

    def __init__(self, horizon: int = 100_000) -> None:
        self.low = 0
        self.above: set[int] = set()
        self.horizon = horizon

    def add(self, seq: int) -> bool:
        """Mark `seq` seen; return False when it already was."""
        if seq <= self.low or seq in self.above:
            return False
        self.above.add(seq)
        while self.low + 1 in self.above:
            self.low += 1
            self.above.discard(self.low)
        if len(self.above) > self.horizon:
            cut = sorted(self.above)[len(self.above) - self.horizon]
            self.above = {s for s in self.above if s > cut}
            self.low = cut
        return True

    def start_after(self, seq: int) -> None:
        """Treat every sequence up to `seq` as seen (history already learned)."""
        if seq > self.low:
            self.low = seq
            self.above = {s for s in self.above if s > seq}
