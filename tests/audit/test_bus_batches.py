"""The in-process bus hands a batch-capable subscriber everything queued at once."""

from __future__ import annotations

import threading
from typing import Any

from parcelguard.audit.bus import SUBJECT, InProcessBus


class Batches:
    """A subscriber with `handle_many` that holds the dispatcher on its first batch."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = threading.Event()
        self.entered = threading.Event()

    def __call__(self, event: dict[str, Any]) -> None:
        self.handle_many([event])

    def handle_many(self, events: list[dict[str, Any]]) -> None:
        self.entered.set()
        self.release.wait(10)
        self.batches.append([e["seq"] for e in events])


def test_events_queued_behind_a_busy_subscriber_arrive_as_one_batch() -> None:
    bus, batches, singles = InProcessBus(), Batches(), []
    bus.subscribe(batches)
    bus.subscribe(lambda event: singles.append(event["seq"]))
    bus.publish(SUBJECT, {"seq": 1})
    assert batches.entered.wait(10)
    for seq in (2, 3, 4):
        bus.publish(SUBJECT, {"seq": seq})
    batches.release.set()
    assert bus.drain(10)
    bus.close()
    assert batches.batches == [[1], [2, 3, 4]]
    assert singles == [1, 2, 3, 4]  # a subscriber without handle_many: one by one, in order


def test_a_failing_batch_subscriber_does_not_stop_the_others() -> None:
    bus, seen = InProcessBus(), []

    class Broken:
        def __call__(self, event: dict[str, Any]) -> None:
            raise AssertionError("unused")

        def handle_many(self, events: list[dict[str, Any]]) -> None:
            raise RuntimeError("consumer bug")

    bus.subscribe(Broken())
    bus.subscribe(lambda event: seen.append(event["seq"]))
    bus.publish(SUBJECT, {"seq": 7})
    assert bus.drain(10)
    bus.close()
    assert seen == [7]
